package io.wirekv.dataplane.housekeeping;

import io.wirekv.dataplane.cnc.CncFile;
import io.wirekv.dataplane.cnc.CncFileDescriptor;
import io.wirekv.dataplane.digest.TableDigests;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.errors.DistinctErrorLog;

import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * The housekeeping thread that keeps a running server's CnC file current (heartbeat, table gauges, error
 * log, admin commands). The server creates the file before its threads, since their counters live in it
 * ({@link CncFile#counters()}); this is started once the threads run and closed before they stop. The
 * server closes the file itself, after every thread that writes a counter has stopped.
 */
public final class Housekeeping implements AutoCloseable
{
    private final CncFile cnc;
    private final AgentRunner runner;
    private final TableDigests digests;

    private Housekeeping(final CncFile cnc, final AgentRunner runner, final TableDigests digests)
    {
        this.cnc = cnc;
        this.runner = runner;
        this.digests = digests;
    }

    /**
     * Creates an instance's CnC file under {@link CncFileDescriptor#baseDirectory()}, not yet ready: its
     * counter registry can hold {@code counters} counters and {@code valuesBytes} bytes of value blocks
     * besides the housekeeping thread's own.
     */
    public static CncFile createFile(
        final String instance, final int counters, final int valuesBytes, final String configText,
        final EpochClock clock)
    {
        return CncFile.create(CncFileDescriptor.baseDirectory(), instance,
            counters + HousekeepingAgent.counterCount(), valuesBytes + HousekeepingAgent.valuesBytes(), configText, clock);
    }

    /**
     * Publishes the file ready and starts the housekeeping thread.
     *
     * @param errorHandler where the housekeeping thread's own failures go.
     */
    public static Housekeeping start(
        final CncFile cnc, final CncSources sources, final String statusText, final EpochClock clock,
        final LongSupplier dataplaneClock, final String listenAddress, final int tcpPort, final Runnable shutdown,
        final ErrorHandler errorHandler)
    {
        return start(cnc, sources, statusText, clock, dataplaneClock, listenAddress, tcpPort, shutdown, null,
            null, null, errorHandler);
    }

    /**
     * As above, with the {@code snapshot} command's action (null without persistence), the {@code digest} command's
     * scanner (null: the command fails), which {@link #close()} closes, and the replication commands' actions (null
     * without replication).
     */
    public static Housekeeping start(
        final CncFile cnc, final CncSources sources, final String statusText, final EpochClock clock,
        final LongSupplier dataplaneClock, final String listenAddress, final int tcpPort, final Runnable shutdown,
        final SnapshotCommand snapshots, final TableDigests digests, final ReplicationCommands replication,
        final ErrorHandler errorHandler)
    {
        final HousekeepingAgent agent = new HousekeepingAgent(cnc, sources, clock, dataplaneClock,
            HousekeepingAgent.PERIOD_MS, listenAddress, tcpPort, shutdown, snapshots,
            null == digests ? null : digests::digestText, replication);
        cnc.publishReady(statusText);
        final AgentRunner runner = new AgentRunner(new SleepingMillisIdleStrategy(10), errorHandler, null, agent);
        AgentRunner.startOnThread(runner);
        return new Housekeeping(cnc, runner, digests);
    }

    public Path cncPath()
    {
        return cnc.path();
    }

    /** When the file replaced an older one at start, what it was; otherwise null. */
    public String replaced()
    {
        return cnc.replaced();
    }

    /** The distinct error log in the file; thread safe. */
    public DistinctErrorLog errorLog()
    {
        return cnc.errorLog();
    }

    /**
     * Stops the thread, then a running digest scan (so the table may close after this); the file stays mapped (the
     * server closes it once no thread writes a counter).
     */
    @Override
    public void close()
    {
        CloseHelper.closeAll(runner, digests);
    }
}
