package io.wirekv.dataplane.housekeeping;

import io.wirekv.dataplane.cnc.CncFile;
import io.wirekv.dataplane.cnc.CncFileDescriptor;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.errors.DistinctErrorLog;

import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * The CnC file of one running server and the housekeeping thread that keeps it current. Started once
 * the server's threads run; closed before they stop (the thread reads their counters).
 */
public final class Housekeeping implements AutoCloseable
{
    private final CncFile cnc;
    private final AgentRunner runner;

    private Housekeeping(final CncFile cnc, final AgentRunner runner)
    {
        this.cnc = cnc;
        this.runner = runner;
    }

    /**
     * Creates the CnC file under {@link CncFileDescriptor#baseDirectory()}, publishes it ready and starts
     * the housekeeping thread.
     *
     * @param errorHandler where the housekeeping thread's own failures go.
     */
    public static Housekeeping start(
        final String instance, final CncSources sources, final String configText, final String statusText,
        final EpochClock clock, final LongSupplier dataplaneClock, final String listenAddress, final int tcpPort,
        final Runnable shutdown, final ErrorHandler errorHandler)
    {
        final CncFile cnc = CncFile.create(CncFileDescriptor.baseDirectory(), instance,
            HousekeepingAgent.counterCount(sources), configText, clock);
        try
        {
            final HousekeepingAgent agent = new HousekeepingAgent(cnc, sources, clock, dataplaneClock,
                HousekeepingAgent.PERIOD_MS, listenAddress, tcpPort, shutdown);
            cnc.publishReady(statusText);
            final AgentRunner runner = new AgentRunner(new SleepingMillisIdleStrategy(10), errorHandler, null, agent);
            AgentRunner.startOnThread(runner);
            return new Housekeeping(cnc, runner);
        }
        catch (final RuntimeException ex)
        {
            cnc.close();
            throw ex;
        }
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

    /** Stops the thread, then unmaps and removes the file. */
    @Override
    public void close()
    {
        CloseHelper.closeAll(runner, cnc);
    }
}
