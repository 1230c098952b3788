package io.wirekv.controlplane.load;

/**
 * What a server process spent on CPU during one trial's measured window ({@code wirekv bench
 * --server-pid}, {@link ServerCpuSampler}).
 *
 * @param pid             the server process.
 * @param cpuNs           CPU time of all its threads in the window.
 * @param windowNs        the window's length.
 * @param requests        requests answered in the window (every transport of the trial).
 * @param busiestThread   name and tid of the thread that took the most CPU.
 * @param busiestThreadNs that thread's CPU time.
 */
public record BenchServerCpu(long pid, long cpuNs, long windowNs, long requests, String busiestThread, long busiestThreadNs)
{
    public double cpuSeconds()
    {
        return cpuNs / 1e9;
    }

    /** Requests answered per second of server CPU: what one server core would serve at this efficiency. */
    public double requestsPerCpuSecond()
    {
        return cpuNs <= 0 ? 0 : requests * 1e9 / cpuNs;
    }

    /** CPU time over the window: 1.0 is one core fully busy. */
    public double cores()
    {
        return windowNs <= 0 ? 0 : (double)cpuNs / windowNs;
    }

    public double busiestThreadSeconds()
    {
        return busiestThreadNs / 1e9;
    }
}
