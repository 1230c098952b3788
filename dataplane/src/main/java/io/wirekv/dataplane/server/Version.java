package io.wirekv.dataplane.server;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * What this build of wirekv is: the Maven project version, the git commit it was built from and when. The
 * build writes them into {@code build.properties} next to this class (dataplane/pom.xml: resource filtering,
 * and {@code git rev-parse HEAD} when git and a checkout are there). memcached's {@code version} command and
 * {@code stats} report {@link #VERSION}; {@code wirekv --version} and the start-up report print {@link #describe()}.
 */
public final class Version
{
    /** What a value is when the build could not know it (no git, or classes run without the build's resources). */
    public static final String UNKNOWN = "unknown";

    /** The Maven project version, e.g. {@code 0.1.0-SNAPSHOT}. */
    public static final String VERSION;

    /** The full git commit the build came from, with {@code -dirty} when tracked files had changes; or {@link #UNKNOWN}. */
    public static final String COMMIT;

    /** When it was built, UTC, ISO 8601 (e.g. {@code 2026-12-06T04:58:00Z}); or {@link #UNKNOWN}. */
    public static final String BUILT;

    static
    {
        final Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("build.properties"))
        {
            if (in != null)
            {
                p.load(in);
            }
        }
        catch (final IOException ignore)
        {
            // the values stay unknown: a version string is not worth refusing to start for.
        }
        VERSION = valueOf(p, "version");
        COMMIT = valueOf(p, "commit");
        BUILT = valueOf(p, "built");
    }

    private Version()
    {
    }

    /** A value the build filled in, or {@link #UNKNOWN} when it is missing or still a {@code ${...}} placeholder. */
    static String valueOf(final Properties p, final String key)
    {
        final String v = p.getProperty(key, "").trim();
        return v.isEmpty() || v.contains("${") ? UNKNOWN : v;
    }

    /** The commit shortened to 12 hex digits (the {@code -dirty} mark kept), as {@code git log} shows it. */
    public static String shortCommit()
    {
        if (COMMIT.equals(UNKNOWN))
        {
            return UNKNOWN;
        }
        final int dash = COMMIT.indexOf('-');
        final String sha = dash < 0 ? COMMIT : COMMIT.substring(0, dash);
        final String mark = dash < 0 ? "" : COMMIT.substring(dash);
        return (sha.length() > 12 ? sha.substring(0, 12) : sha) + mark;
    }

    /** {@code wirekv 0.1.0-SNAPSHOT (commit 0123456789ab-dirty, built 2026-12-06T04:58:00Z)}. */
    public static String describe()
    {
        return "wirekv " + VERSION + " (commit " + shortCommit() + ", built " + BUILT + ")";
    }

    /** The JVM running this: {@code JDK 25.0.1+8-LTS (Eclipse Adoptium, OpenJDK 64-Bit Server VM)}. */
    public static String describeJdk()
    {
        return "JDK " + Runtime.version() + " (" + System.getProperty("java.vendor", "?") + ", " +
            System.getProperty("java.vm.name", "?") + ")";
    }
}
