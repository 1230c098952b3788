package io.wirekv.nativebindings.dpdk;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static io.wirekv.nativebindings.NativeLibrary.CRITICAL;
import static io.wirekv.nativebindings.dpdk.RteEal.rethrow;
import static io.wirekv.nativebindings.dpdk.RteEal.shim;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Raw bindings to DPDK's mempool and mbuf ({@code rte_mempool.h}, {@code rte_mbuf.h}): pool creation
 * (exported functions) and the per-packet calls the headers define inline (through the shim).
 * <p>
 * <b>Pointers as longs.</b> The per-packet calls take and return {@code struct rte_mbuf *} and
 * {@code struct rte_mempool *} as {@code long} addresses ({@code JAVA_LONG} in the descriptor: on LP64
 * ABIs a pointer and a 64-bit integer travel in the same register), so the hot path creates no
 * {@link MemorySegment} per packet. Fields are read and written from Java with {@link MbufDescriptor}.
 * They are linked {@code critical(false)}: none blocks.
 * <p>
 * <b>Threading.</b> Alloc and free use the calling lcore's mempool cache; a thread that is neither an
 * EAL thread nor registered ({@link RteEal#rte_thread_register()}) still works, but goes to the shared
 * ring every time.
 */
public final class RteMbuf
{
    /** {@code RTE_MBUF_DEFAULT_DATAROOM}: 2048 bytes of packet data per mbuf. */
    public static final int RTE_MBUF_DEFAULT_DATAROOM = 2048;
    /** {@code RTE_MBUF_DEFAULT_BUF_SIZE}: data room plus {@code RTE_PKTMBUF_HEADROOM} (128). */
    public static final int RTE_MBUF_DEFAULT_BUF_SIZE = RTE_MBUF_DEFAULT_DATAROOM + 128;
    /** {@code RTE_MEMPOOL_CACHE_MAX_SIZE}: the largest per-lcore cache. */
    public static final int RTE_MEMPOOL_CACHE_MAX_SIZE = 512;

    private RteMbuf()
    {
    }

    private static final class rte_pktmbuf_pool_create
    {
        static final MethodHandle HANDLE = shim().downcall(
            "rte_pktmbuf_pool_create",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_SHORT, JAVA_SHORT, JAVA_INT));
    }

    private static final class rte_mempool_free
    {
        static final MethodHandle HANDLE = shim().downcall("rte_mempool_free", FunctionDescriptor.ofVoid(ADDRESS));
    }

    private static final class rte_mempool_avail_count
    {
        static final MethodHandle HANDLE = shim().downcall(
            "rte_mempool_avail_count", FunctionDescriptor.of(JAVA_INT, JAVA_LONG), CRITICAL);
    }

    private static final class rte_mempool_in_use_count
    {
        static final MethodHandle HANDLE = shim().downcall(
            "rte_mempool_in_use_count", FunctionDescriptor.of(JAVA_INT, JAVA_LONG), CRITICAL);
    }

    private static final class wirekv_pktmbuf_alloc
    {
        static final MethodHandle HANDLE = shim().downcall(
            "wirekv_pktmbuf_alloc", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG), CRITICAL);
    }

    private static final class wirekv_pktmbuf_alloc_bulk
    {
        static final MethodHandle HANDLE = shim().downcall(
            "wirekv_pktmbuf_alloc_bulk", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_INT), CRITICAL);
    }

    private static final class wirekv_pktmbuf_free
    {
        static final MethodHandle HANDLE = shim().downcall(
            "wirekv_pktmbuf_free", FunctionDescriptor.ofVoid(JAVA_LONG), CRITICAL);
    }

    private static final class wirekv_pktmbuf_free_bulk
    {
        static final MethodHandle HANDLE = shim().downcall(
            "wirekv_pktmbuf_free_bulk", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT), CRITICAL);
    }

    private static final class wirekv_pktmbuf_mtod
    {
        static final MethodHandle HANDLE = shim().downcall(
            "wirekv_pktmbuf_mtod", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG), CRITICAL);
    }

    private static final class wirekv_pktmbuf_data_len
    {
        static final MethodHandle HANDLE = shim().downcall(
            "wirekv_pktmbuf_data_len", FunctionDescriptor.of(JAVA_SHORT, JAVA_LONG), CRITICAL);
    }

    private static final class wirekv_pktmbuf_pkt_len
    {
        static final MethodHandle HANDLE = shim().downcall(
            "wirekv_pktmbuf_pkt_len", FunctionDescriptor.of(JAVA_INT, JAVA_LONG), CRITICAL);
    }

    private static final class wirekv_pktmbuf_set_len
    {
        static final MethodHandle HANDLE = shim().downcall(
            "wirekv_pktmbuf_set_len", FunctionDescriptor.ofVoid(JAVA_LONG, JAVA_SHORT), CRITICAL);
    }

    private static final class wirekv_pktmbuf_tailroom
    {
        static final MethodHandle HANDLE = shim().downcall(
            "wirekv_pktmbuf_tailroom", FunctionDescriptor.of(JAVA_SHORT, JAVA_LONG), CRITICAL);
    }

    /**
     * Creates a pool of packet mbufs. Setup only.
     *
     * @param name          unique name of the pool (a memzone name: at most 25 characters or so).
     * @param n             number of mbufs; {@code 2^k - 1} is the most memory-efficient.
     * @param cacheSize     per-lcore cache, at most {@link #RTE_MEMPOOL_CACHE_MAX_SIZE} and {@code n / 1.5}.
     * @param privSize      application private bytes after each mbuf header (a multiple of 8).
     * @param dataRoomSize  data bytes per mbuf, including the 128-byte headroom, e.g.
     *                      {@link #RTE_MBUF_DEFAULT_BUF_SIZE}.
     * @param socketId      NUMA socket to allocate on, or {@code SOCKET_ID_ANY} (-1).
     * @return the pool, or {@link MemorySegment#NULL}: then {@link RteEal#rte_errno()} on this thread says why
     * ({@code ENOMEM}, {@code EEXIST} for a name in use, {@code EINVAL}, {@code E_RTE_NO_CONFIG}).
     */
    public static MemorySegment rte_pktmbuf_pool_create(
        final String name, final int n, final int cacheSize, final int privSize, final int dataRoomSize, final int socketId)
    {
        try (Arena arena = Arena.ofConfined())
        {
            return (MemorySegment)rte_pktmbuf_pool_create.HANDLE.invokeExact(
                arena.allocateFrom(name), n, cacheSize, (short)privSize, (short)dataRoomSize, socketId);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * Frees a pool; every mbuf must have been returned to it. Setup only.
     *
     * @param mempool a pool from {@link #rte_pktmbuf_pool_create}, or NULL (ignored).
     */
    public static void rte_mempool_free(final MemorySegment mempool)
    {
        try
        {
            rte_mempool_free.HANDLE.invokeExact(mempool);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * @param mempool a pool's address.
     * @return free entries (in the ring and in every lcore cache); slow-ish, for checks and stats.
     */
    public static int rte_mempool_avail_count(final long mempool)
    {
        try
        {
            return (int)rte_mempool_avail_count.HANDLE.invokeExact(mempool);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * @param mempool a pool's address.
     * @return entries taken out of the pool; slow-ish, for checks and stats.
     */
    public static int rte_mempool_in_use_count(final long mempool)
    {
        try
        {
            return (int)rte_mempool_in_use_count.HANDLE.invokeExact(mempool);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * {@code rte_pktmbuf_alloc}: one mbuf, reset (one segment, length 0, default headroom).
     *
     * @param mempool a pool's address.
     * @return the mbuf's address, or 0 when the pool is empty.
     */
    public static long wirekv_pktmbuf_alloc(final long mempool)
    {
        try
        {
            return (long)wirekv_pktmbuf_alloc.HANDLE.invokeExact(mempool);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * {@code rte_pktmbuf_alloc_bulk}: all {@code n} or none.
     *
     * @param mempool a pool's address.
     * @param mbufs   native segment of at least {@code n} pointer slots; receives the mbufs.
     * @param n       how many.
     * @return 0, or {@code -ENOENT} when the pool has fewer than {@code n} (nothing was taken).
     */
    public static int wirekv_pktmbuf_alloc_bulk(final long mempool, final MemorySegment mbufs, final int n)
    {
        try
        {
            return (int)wirekv_pktmbuf_alloc_bulk.HANDLE.invokeExact(mempool, mbufs, n);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * {@code rte_pktmbuf_free}: returns an mbuf and any chained segments to their pools.
     *
     * @param mbuf an mbuf's address; 0 is ignored.
     */
    public static void wirekv_pktmbuf_free(final long mbuf)
    {
        try
        {
            wirekv_pktmbuf_free.HANDLE.invokeExact(mbuf);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * {@code rte_pktmbuf_free_bulk}.
     *
     * @param mbufs native segment of {@code n} mbuf pointers (NULL entries are skipped).
     * @param n     how many.
     */
    public static void wirekv_pktmbuf_free_bulk(final MemorySegment mbufs, final int n)
    {
        try
        {
            wirekv_pktmbuf_free_bulk.HANDLE.invokeExact(mbufs, n);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * {@code rte_pktmbuf_mtod}: address of the first data byte. {@link MbufDescriptor#dataAddress(long)}
     * computes the same in Java without a downcall.
     *
     * @param mbuf an mbuf's address.
     * @return {@code buf_addr + data_off}.
     */
    public static long wirekv_pktmbuf_mtod(final long mbuf)
    {
        try
        {
            return (long)wirekv_pktmbuf_mtod.HANDLE.invokeExact(mbuf);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * @param mbuf an mbuf's address.
     * @return {@code data_len}: bytes in this segment.
     */
    public static int wirekv_pktmbuf_data_len(final long mbuf)
    {
        try
        {
            return Short.toUnsignedInt((short)wirekv_pktmbuf_data_len.HANDLE.invokeExact(mbuf));
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * @param mbuf an mbuf's address.
     * @return {@code pkt_len}: bytes in the whole chain.
     */
    public static int wirekv_pktmbuf_pkt_len(final long mbuf)
    {
        try
        {
            return (int)wirekv_pktmbuf_pkt_len.HANDLE.invokeExact(mbuf);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * Sets {@code data_len} and {@code pkt_len} of a single-segment mbuf.
     *
     * @param mbuf   an mbuf's address.
     * @param length the packet's length, at most the tailroom of a reset mbuf.
     */
    public static void wirekv_pktmbuf_set_len(final long mbuf, final int length)
    {
        try
        {
            wirekv_pktmbuf_set_len.HANDLE.invokeExact(mbuf, (short)length);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * @param mbuf an mbuf's address.
     * @return bytes free after the data in this segment.
     */
    public static int wirekv_pktmbuf_tailroom(final long mbuf)
    {
        try
        {
            return Short.toUnsignedInt((short)wirekv_pktmbuf_tailroom.HANDLE.invokeExact(mbuf));
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }
}
