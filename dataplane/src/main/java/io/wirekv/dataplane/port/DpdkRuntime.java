package io.wirekv.dataplane.port;

import io.wirekv.nativebindings.dpdk.Eal;

import java.util.List;

/**
 * DPDK's EAL belongs to the process: it can be initialised once, never again after cleanup. This
 * holder starts it on first use and hands the same one to every later user that asks with the same
 * arguments (a second appliance in one JVM, as tests run them); other arguments are refused with a
 * message saying so. It is never cleaned up before the process exits.
 */
public final class DpdkRuntime
{
    private static Eal eal;

    private DpdkRuntime()
    {
    }

    /**
     * @param args EAL arguments (without the program name).
     * @return the running EAL.
     * @throws IllegalStateException when it runs already with different arguments.
     * @throws io.wirekv.nativebindings.NativeException when it cannot start (the message says why and what to do).
     */
    public static synchronized Eal eal(final List<String> args)
    {
        if (null == eal)
        {
            eal = Eal.start(args);
        }
        else if (!eal.args().equals(args))
        {
            throw new IllegalStateException("dpdk.eal.args: DPDK's EAL already runs in this process with " + eal.args() +
                " and cannot be restarted with " + args + "; use the same arguments, or another process");
        }
        return eal;
    }
}
