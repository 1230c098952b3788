package io.wirekv.controlplane.load;

import java.time.Duration;
import java.util.List;

/**
 * What a {@code wirekv bench} run does around its trials.
 *
 * @param mode           one trial, a search for the highest passing rate, or a sweep of rates.
 * @param warmUp         SET every key once before measuring.
 * @param trialDuration  length of each search or sweep trial.
 * @param searchLowRate  search: the lowest rate tried (req/s).
 * @param searchHighRate search: the highest rate tried, or 0 to take 1.2 × a closed-loop probe's throughput.
 * @param resolution     search: stop when (high - low) / high is at most this.
 * @param maxTrials      search: most trials at a fixed rate.
 * @param maxLoss        search: highest loss ratio a passing trial may have (0 = none).
 * @param maxP99Ns       search: highest p99 latency a passing trial may have.
 * @param sweepRates     sweep: the rates, in order.
 * @param warmUpLoad     how long to run the measured load, unmeasured, before the first trial (after the keys
 *                       are stored): JIT compilation and caches of the server settle; zero for none.
 * @param serverPid      a server process on this host whose CPU time each trial samples ({@link ServerCpuSampler}),
 *                       or 0 for none.
 */
public record BenchPlan(
    Mode mode,
    boolean warmUp,
    Duration trialDuration,
    long searchLowRate,
    long searchHighRate,
    double resolution,
    int maxTrials,
    double maxLoss,
    long maxP99Ns,
    List<Long> sweepRates,
    Duration warmUpLoad,
    long serverPid)
{
    /** Longest {@code --warmup}. */
    public static final Duration MAX_WARM_UP_LOAD = Duration.ofMinutes(10);

    public enum Mode
    {
        SINGLE, SEARCH, SWEEP
    }

    public BenchPlan
    {
        sweepRates = List.copyOf(sweepRates);
        if (warmUpLoad == null || warmUpLoad.isNegative() || warmUpLoad.compareTo(MAX_WARM_UP_LOAD) > 0)
        {
            throw new IllegalArgumentException("--warmup must be from 0s to 10m, got " + warmUpLoad);
        }
        if (serverPid < 0)
        {
            throw new IllegalArgumentException("--server-pid must be a process id, got " + serverPid);
        }
        if (mode == Mode.SEARCH && (searchLowRate < 1 || (searchHighRate != 0 && searchHighRate <= searchLowRate)))
        {
            throw new IllegalArgumentException("--search-low must be at least 1 and below --search-high");
        }
        if (mode == Mode.SWEEP && (sweepRates.isEmpty() || sweepRates.stream().anyMatch(r -> r < 1)))
        {
            throw new IllegalArgumentException("--sweep needs a list of rates of at least 1 req/s");
        }
        if (!(resolution > 0 && resolution < 1) || maxTrials < 2 || maxTrials > 50)
        {
            throw new IllegalArgumentException("search resolution must be in (0, 1) and trials from 2 to 50");
        }
        if (!(maxLoss >= 0 && maxLoss < 1) || maxP99Ns < 1)
        {
            throw new IllegalArgumentException("--max-loss must be in [0, 1) and --max-p99 positive");
        }
    }

    /** One trial with the spec's own rate and duration. */
    public static BenchPlan single(final boolean warmUp)
    {
        return new BenchPlan(Mode.SINGLE, warmUp, Duration.ofSeconds(1), 1, 0, 0.02, 12, 0, 1_000_000, List.of(),
            Duration.ZERO, 0);
    }

    boolean passes(final BenchTrial t)
    {
        return t.failure() == null && t.sent() > 0 && t.lossRatio() <= maxLoss &&
            t.latencyNs().getTotalCount() > 0 && t.latencyNs().getValueAtPercentile(99) <= maxP99Ns;
    }
}
