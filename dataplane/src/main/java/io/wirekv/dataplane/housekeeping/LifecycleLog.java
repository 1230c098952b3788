package io.wirekv.dataplane.housekeeping;

import java.io.PrintStream;
import java.time.Instant;

/**
 * Structured log lines for lifecycle events only (start, ready, shutdown, stopped), one line each:
 * <pre>
 *   2026-11-24T05:49:00.123Z INFO instance=default event=ready pid=4242 cnc=/dev/shm/wirekv-default/cnc.dat
 * </pre>
 * Nothing per packet or per request ever goes here.
 */
public final class LifecycleLog
{
    private LifecycleLog()
    {
    }

    /**
     * @param detail extra {@code key=value} pairs, or empty.
     */
    public static void event(
        final PrintStream log, final String level, final String instance, final String event, final String detail)
    {
        log.println(Instant.now() + " " + level + " instance=" + instance + " event=" + event +
            (detail.isEmpty() ? "" : " " + detail));
        log.flush();
    }
}
