package io.wirekv.controlplane.load;

import org.HdrHistogram.Histogram;

/**
 * The outcome of one bench trial at one offered rate. {@code sent == received + lost} (nothing
 * is left in flight: workers drain for one timeout, then count the rest lost).
 *
 * @param transport           {@code udp} or {@code tcp}: a mixed trial has one result per transport.
 * @param targetRatePerSecond the offered rate asked for, or 0 for closed loop.
 * @param elapsedNs           from the first due send time to when the last worker stopped sending.
 * @param sent                requests handed to the transport.
 * @param received            requests answered (including errors and wrong answers).
 * @param lost                requests with no reply within the timeout.
 * @param errors              replies that were ERROR, CLIENT_ERROR, SERVER_ERROR or not understood (over TCP
 *                            also bytes that answer no request, after which the worker reconnects).
 * @param wrongAnswers        checked values that differ from what the generator stores for the key.
 * @param verified            values checked byte for byte.
 * @param hits                keys found (a multi-key get counts each).
 * @param misses              keys not found.
 * @param stored              SETs answered.
 * @param late                replies that came after their request was counted lost.
 * @param unsent              UDP requests the local kernel refused to send (socket buffer full): the
 *                            generator could not offer them; not in {@code sent}.
 * @param misrouted           replies that reached another thread's queue (their id is in another thread's slice,
 *                            see {@link BenchUdpWorker}); their requests are counted lost.
 * @param latencyNs           every received reply's latency, ns (open loop: from the intended send time).
 * @param failure             why a worker stopped early, or null.
 * @param passed              search trials: whether loss and p99 met the limits; null otherwise.
 * @param serverCpu           what the server process spent on CPU over the trial ({@code --server-pid}), or null;
 *                            in a mixed trial the same for both transports (it served both).
 */
public record BenchTrial(
    String transport,
    long targetRatePerSecond,
    long elapsedNs,
    long sent,
    long received,
    long lost,
    long errors,
    long wrongAnswers,
    long verified,
    long hits,
    long misses,
    long stored,
    long late,
    long unsent,
    long misrouted,
    Histogram latencyNs,
    String failure,
    Boolean passed,
    BenchServerCpu serverCpu)
{
    /** Requests sent per second over the trial: the rate actually offered. */
    public double offeredPerSecond()
    {
        return elapsedNs <= 0 ? 0 : sent * 1e9 / elapsedNs;
    }

    /** Replies received per second. */
    public double throughputPerSecond()
    {
        return elapsedNs <= 0 ? 0 : received * 1e9 / elapsedNs;
    }

    public double lossRatio()
    {
        return sent == 0 ? 0 : (double)lost / sent;
    }

    /** A latency percentile in microseconds, 0 when nothing was received. */
    public double percentileUs(final double percentile)
    {
        return latencyNs.getTotalCount() == 0 ? 0 : latencyNs.getValueAtPercentile(percentile) / 1e3;
    }

    public double maxUs()
    {
        return latencyNs.getTotalCount() == 0 ? 0 : latencyNs.getMaxValue() / 1e3;
    }

    public double meanUs()
    {
        return latencyNs.getTotalCount() == 0 ? 0 : latencyNs.getMean() / 1e3;
    }

    /** True when the trial was stopped because the device delivered replies to the wrong threads ({@link Bench#misrouting}). */
    public boolean stoppedByMisrouting()
    {
        return failure != null && failure.startsWith(Bench.MISROUTED_STOP);
    }

    BenchTrial judged(final boolean pass)
    {
        return new BenchTrial(transport, targetRatePerSecond, elapsedNs, sent, received, lost, errors, wrongAnswers, verified,
            hits, misses, stored, late, unsent, misrouted, latencyNs, failure, pass, serverCpu);
    }
}
