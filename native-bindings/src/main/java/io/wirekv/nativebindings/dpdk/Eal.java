package io.wirekv.nativebindings.dpdk;

import io.wirekv.nativebindings.NativeException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import static java.lang.foreign.ValueLayout.ADDRESS;

/**
 * The DPDK Environment Abstraction Layer of this process: {@code rte_eal_init} at {@link #start}, and
 * {@code rte_eal_cleanup} at {@link #close()}.
 * <p>
 * <b>The EAL thread.</b> {@code rte_eal_init} pins its <em>calling</em> thread to the main lcore's CPU
 * and makes it the main lcore (lcore id and {@code rte_errno} live in that thread's TLS). So
 * {@link #start} runs it on a dedicated platform daemon thread, {@code wirekv-eal}, never on the caller's.
 * That thread is <em>kept</em>, parked, for the EAL's whole life, and runs {@code rte_eal_cleanup} at
 * {@link #close()}: init and cleanup then happen on the main lcore with its TLS intact, the caller's
 * affinity is untouched, and the parked thread costs nothing. It runs no packet work: the dataplane's
 * lcore threads are the application's own pinned threads, each registering itself with
 * {@link #registerThread()} (which gives it an lcore id, so mempool caches work) before its first burst.
 * With {@code -l 0} (one lcore) the EAL starts no worker threads; it does start its own control threads
 * (interrupts; telemetry unless {@code --no-telemetry}).
 * <p>
 * <b>Once per process.</b> DPDK cannot initialise its EAL twice in a process, not even after
 * {@code rte_eal_cleanup}; a second {@link #start} throws, and so does a start after a failed one. Tests
 * that need the EAL share one instance (one test class, or a forked JVM).
 * <p>
 * <b>Arguments that work without hugepages or NICs</b> (tests, CI; Debian's DPDK loads its PMDs from
 * {@code /usr/lib/x86_64-linux-gnu/dpdk/pmds-23.0} by itself, no {@code -d} needed):
 * <pre>
 *   -l 0 --no-huge -m 256 --no-pci --no-shconf --file-prefix=wirekv-PID --no-telemetry
 *   --vdev=net_ring0 --vdev=net_null0 --log-level=notice
 * </pre>
 * ({@code --in-memory} is refused together with {@code --no-huge} by DPDK 22.11: "Option --legacy-mem is
 * not compatible with --in-memory". {@code --no-shconf} writes no shared config, so nothing but an empty
 * {@code /var/run/dpdk/PREFIX} directory is left behind.)
 */
public final class Eal implements AutoCloseable
{
    /** How long {@link #start} waits for {@code rte_eal_init} (it probes devices, loads PMD plugins). */
    public static final long INIT_TIMEOUT_MS = 60_000;

    private static final AtomicBoolean STARTED = new AtomicBoolean();

    private final List<String> args;
    private final Thread thread;
    private final CompletableFuture<Integer> initResult = new CompletableFuture<>();
    private final CountDownLatch closeRequested = new CountDownLatch(1);
    private final CompletableFuture<Integer> cleanupResult = new CompletableFuture<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile int mainLcore = -1;
    private volatile int mainSocket = -1;

    private Eal(final List<String> args)
    {
        this.args = List.copyOf(args);
        this.thread = Thread.ofPlatform().name("wirekv-eal").daemon(true).unstarted(this::run);
    }

    /**
     * Checks the struct layouts ({@link DpdkLayout#verify()}), then initialises the EAL on its own thread
     * and waits for it.
     *
     * @param ealArgs EAL arguments without {@code argv[0]}, e.g. {@code ["-l", "0", "--no-huge", ...]}.
     * @return the running EAL; close it after every port and pool.
     * @throws NativeException        when DPDK is missing or {@code rte_eal_init} fails (with DPDK's reason).
     * @throws IllegalStateException  when the EAL was started before in this process, or layouts mismatch.
     */
    public static Eal start(final List<String> ealArgs)
    {
        DpdkLayout.verify();
        if (!STARTED.compareAndSet(false, true))
        {
            throw new IllegalStateException(
                "The DPDK EAL was already initialised in this process: rte_eal_init can run once per process, " +
                "even after rte_eal_cleanup; share one Eal (or use a forked JVM)");
        }

        final Eal eal = new Eal(ealArgs);
        eal.thread.start();

        final int result;
        try
        {
            result = eal.initResult.get(INIT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for rte_eal_init", ex);
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            throw new IllegalStateException("rte_eal_init did not complete: " + ex, ex);
        }

        if (result < 0)
        {
            final int errnum = -result;
            throw new NativeException("rte_eal_init(" + String.join(" ", ealArgs) + ")", errnum,
                "DPDK says: " + RteEal.rte_strerror(errnum) + ". Check the EAL arguments (the log above names the bad " +
                "one); run as root; reserve hugepages or pass --no-huge; bind NICs to vfio-pci or pass --no-pci " +
                "and --vdev=...");
        }
        return eal;
    }

    private void run()
    {
        // argv and its strings live in this thread's arena until after rte_eal_cleanup: DPDK may keep pointers.
        try (Arena arena = Arena.ofConfined())
        {
            final int argc = args.size() + 1;
            final MemorySegment argv = arena.allocate(ADDRESS, argc + 1L);
            argv.setAtIndex(ADDRESS, 0, arena.allocateFrom("wirekv"));
            for (int i = 1; i < argc; i++)
            {
                argv.setAtIndex(ADDRESS, i, arena.allocateFrom(args.get(i - 1)));
            }
            argv.setAtIndex(ADDRESS, argc, MemorySegment.NULL);

            final int result;
            try
            {
                result = RteEal.rte_eal_init(argc, argv);
                if (result >= 0)
                {
                    mainLcore = RteEal.rte_lcore_id();
                    mainSocket = RteEal.rte_socket_id();
                }
            }
            catch (final Throwable ex)
            {
                initResult.completeExceptionally(ex);
                return;
            }
            initResult.complete(result);
            if (result < 0)
            {
                return;
            }

            awaitUninterruptibly(closeRequested);
            try
            {
                cleanupResult.complete(RteEal.rte_eal_cleanup());
            }
            catch (final Throwable ex)
            {
                cleanupResult.completeExceptionally(ex);
            }
        }
    }

    /**
     * @return the arguments the EAL was started with (without {@code argv[0]}).
     */
    public List<String> args()
    {
        return args;
    }

    /**
     * @return the main lcore's id (that of the {@code wirekv-eal} thread).
     */
    public int mainLcore()
    {
        return mainLcore;
    }

    /**
     * @return the NUMA socket of the main lcore.
     */
    public int mainSocket()
    {
        return mainSocket;
    }

    /**
     * Gives the calling thread an lcore id, so it can use mempool caches and per-lcore state. Call once
     * from every thread that will touch mbufs, before its first burst; {@link #unregisterThread()} when it ends.
     *
     * @return the thread's lcore id.
     * @throws NativeException when no lcore id is free ({@code RTE_MAX_LCORE} = 128 in Debian's build).
     */
    public static int registerThread()
    {
        NativeException.check(RteEal.rte_thread_register(), "rte_thread_register",
            "every lcore id is taken (RTE_MAX_LCORE): fewer threads, or fewer cores in -l");
        return RteEal.rte_lcore_id();
    }

    /**
     * Releases the calling thread's lcore id.
     */
    public static void unregisterThread()
    {
        RteEal.rte_thread_unregister();
    }

    /**
     * Runs {@code rte_eal_cleanup} on the EAL thread and waits for it. Close every {@link DpdkEthPort} and
     * pool first; no DPDK call may follow. Idempotent.
     *
     * @throws NativeException when the cleanup reports an error.
     */
    @Override
    public void close()
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }
        closeRequested.countDown();
        final int result;
        try
        {
            result = cleanupResult.get(INIT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for rte_eal_cleanup", ex);
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            throw new IllegalStateException("rte_eal_cleanup did not complete: " + ex, ex);
        }
        NativeException.check(result, "rte_eal_cleanup", "");
    }

    private static void awaitUninterruptibly(final CountDownLatch latch)
    {
        boolean interrupted = false;
        while (true)
        {
            try
            {
                latch.await();
                break;
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }
}
