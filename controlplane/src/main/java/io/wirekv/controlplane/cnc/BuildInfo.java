package io.wirekv.controlplane.cnc;

import io.wirekv.dataplane.server.Version;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * {@code wirekv_build_info{version,commit} 1}: what the build says about itself. Looked up in order: a
 * {@code wirekv-build.properties} resource ({@code version}, {@code commit}) when the build generates one,
 * the jar manifest's {@code Implementation-Version}, then {@link Version#VERSION}; the commit is
 * {@code unknown} when the build does not record it.
 */
final class BuildInfo
{
    private static final String VERSION;
    private static final String COMMIT;

    static
    {
        final Properties build = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("/wirekv-build.properties"))
        {
            if (in != null)
            {
                build.load(in);
            }
        }
        catch (final IOException ignore)
        {
            // no build properties: fall back to the manifest
        }
        final String manifest = BuildInfo.class.getPackage().getImplementationVersion();
        VERSION = build.getProperty("version", manifest != null ? manifest : Version.VERSION);
        COMMIT = build.getProperty("commit", "unknown");
    }

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
