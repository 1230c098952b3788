package io.wirekv.e2e;

/**
 * Chooses the server the end-to-end tests run against.
 * <p>
 * System property {@code wirekv.e2e.target}:
 * <ul>
 *   <li>{@code wirekv} (default): an in-process {@link io.wirekv.dataplane.server.WirekvServer}.</li>
 *   <li>{@code memcached}: a second real memcached process. This proves the harness itself (every
 *       differential sequence, every client workload) against the reference implementation.</li>
 * </ul>
 * e.g. {@code ./mvnw -q -B -o -pl controlplane -am test -Dtest='io.wirekv.e2e.**'
 * -Dsurefire.failIfNoSpecifiedTests=false -Dwirekv.e2e.target=memcached}
 */
public final class Targets
{
    public static final String PROPERTY = "wirekv.e2e.target";

    private Targets()
    {
    }

    /** The configured kind of target: {@code wirekv} or {@code memcached}. */
    public static String kind()
    {
        return System.getProperty(PROPERTY, "wirekv").trim().toLowerCase(java.util.Locale.ROOT);
    }

    /** Starts the configured target; the caller closes it (in {@code @AfterAll}). */
    public static Target start()
    {
        return switch (kind())
        {
            case "memcached" -> new MemcachedProcess();
            case "wirekv" -> startWirekv();
            default -> throw new IllegalArgumentException(
                "-D" + PROPERTY + "=" + kind() + ": expected wirekv or memcached");
        };
    }

    private static Target startWirekv()
    {
        return WirekvTarget.start();
    }
}
