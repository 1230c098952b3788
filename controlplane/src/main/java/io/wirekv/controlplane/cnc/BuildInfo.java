package io.wirekv.controlplane.cnc;

import io.wirekv.dataplane.server.Version;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code wirekv_build_info{version,commit} 1}: what the build recorded about itself ({@link Version}). */
final class BuildInfo
{
    private static final String VERSION = Version.VERSION;
    private static final String COMMIT = Version.COMMIT;

    private BuildInfo()
    {
    }

    static String version()
    {
        return VERSION;
    }

    static String commit()
    {
        return COMMIT;
    }

    static void render(final StringBuilder sb)
    {
        PrometheusText.header(sb, "wirekv_build_info", "The running build: version and git commit; the value is 1",
            "gauge");
        final Map<String, String> labels = new LinkedHashMap<>();
        labels.put("version", VERSION);
        labels.put("commit", COMMIT);
        sb.append("wirekv_build_info");
        PrometheusText.labels(sb, labels);
        sb.append(" 1\n");
    }
}
