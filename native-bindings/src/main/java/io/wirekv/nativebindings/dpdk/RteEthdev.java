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
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Raw bindings to DPDK's ethdev ({@code rte_ethdev.h}) and to the shim's exports of the inline burst
 * calls. {@code uint16_t} port, queue and count arguments are taken as {@code int} and passed as their
 * low 16 bits. Setup functions return 0 or a negative errno, as DPDK does.
 * <p>
 * <b>Hot path.</b> {@link #wirekv_rx_burst} and {@link #wirekv_tx_burst} are linked
 * {@code critical(false)} (they never block) and take a native segment of mbuf pointers that the caller
 * allocates once; they neither allocate nor throw. A burst's mbufs are owned by the caller after RX and
 * by the driver after TX (only the first {@code n} returned: the rest stay the caller's to free or retry).
 */
public final class RteEthdev
{
    /** {@code RTE_ETH_LINK_UP}. */
    public static final int RTE_ETH_LINK_UP = 1;
    /** {@code RTE_ETH_LINK_FULL_DUPLEX}. */
    public static final int RTE_ETH_LINK_FULL_DUPLEX = 1;

    private RteEthdev()
    {
    }

    private static final class rte_eth_dev_count_avail
    {
        static final MethodHandle HANDLE = shim().downcall("rte_eth_dev_count_avail", FunctionDescriptor.of(JAVA_SHORT));
    }

    private static final class rte_eth_dev_get_port_by_name
    {
        static final MethodHandle HANDLE = shim().downcall(
            "rte_eth_dev_get_port_by_name", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    }

    private static final class rte_eth_dev_socket_id
    {
        static final MethodHandle HANDLE = shim().downcall(
            "rte_eth_dev_socket_id", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT));
    }

    private static final class rte_eth_dev_info_get
    {
        static final MethodHandle HANDLE = shim().downcall(
            "rte_eth_dev_info_get", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS));
    }

    private static final class rte_eth_dev_configure
    {
        static final MethodHandle HANDLE = shim().downcall(
            "rte_eth_dev_configure", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, JAVA_SHORT, JAVA_SHORT, ADDRESS));
    }

    private static final class rte_eth_rx_queue_setup
    {
        static final MethodHandle HANDLE = shim().downcall(
            "rte_eth_rx_queue_setup",
            FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, JAVA_SHORT, JAVA_SHORT, JAVA_INT, ADDRESS, ADDRESS));
    }

    private static final class rte_eth_tx_queue_setup
    {
        static final MethodHandle HANDLE = shim().downcall(
            "rte_eth_tx_queue_setup", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, JAVA_SHORT, JAVA_SHORT, JAVA_INT, ADDRESS));
    }

    private static final class rte_eth_dev_start
    {
        static final MethodHandle HANDLE = shim().downcall("rte_eth_dev_start", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT));
    }

    private static final class rte_eth_dev_stop
    {
        static final MethodHandle HANDLE = shim().downcall("rte_eth_dev_stop", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT));
    }

    private static final class rte_eth_dev_close
    {
        static final MethodHandle HANDLE = shim().downcall("rte_eth_dev_close", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT));
    }

    private static final class rte_eth_promiscuous_enable
    {
        static final MethodHandle HANDLE = shim().downcall(
            "rte_eth_promiscuous_enable", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT));
    }

    private static final class rte_eth_stats_get
    {
        // Reads counters the PMD keeps; short and non-blocking for software and most hardware PMDs.
        static final MethodHandle HANDLE = shim().downcall(
            "rte_eth_stats_get", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS));
    }

    private static final class rte_eth_stats_reset
    {
        static final MethodHandle HANDLE = shim().downcall("rte_eth_stats_reset", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT));
    }

    private static final class rte_eth_macaddr_get
    {
        static final MethodHandle HANDLE = shim().downcall(
            "rte_eth_macaddr_get", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS));
    }

    private static final class rte_eth_link_get_nowait
    {
        static final MethodHandle HANDLE = shim().downcall(
            "rte_eth_link_get_nowait", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS));
    }

    private static final class wirekv_rx_burst
    {
        static final MethodHandle HANDLE = shim().downcall(
            "wirekv_rx_burst", FunctionDescriptor.of(JAVA_SHORT, JAVA_SHORT, JAVA_SHORT, ADDRESS, JAVA_SHORT), CRITICAL);
    }

    private static final class wirekv_tx_burst
    {
        static final MethodHandle HANDLE = shim().downcall(
            "wirekv_tx_burst", FunctionDescriptor.of(JAVA_SHORT, JAVA_SHORT, JAVA_SHORT, ADDRESS, JAVA_SHORT), CRITICAL);
    }

    /**
     * @return the number of ethdev ports the EAL probed and nobody has taken.
     */
    public static int rte_eth_dev_count_avail()
    {
        try
        {
            return Short.toUnsignedInt((short)rte_eth_dev_count_avail.HANDLE.invokeExact());
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * @param name a device name, e.g. {@code "net_ring0"} or a PCI address {@code "0000:01:00.0"}.
     * @return the port id, or a negative errno ({@code -ENODEV} when no port has that name).
     */
    public static int rte_eth_dev_get_port_by_name(final String name)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment portId = arena.allocate(JAVA_SHORT);
            final int result = (int)rte_eth_dev_get_port_by_name.HANDLE.invokeExact(arena.allocateFrom(name), portId);
            return result < 0 ? result : Short.toUnsignedInt(portId.get(JAVA_SHORT, 0));
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * @param port a port id.
     * @return the port's NUMA socket, {@code SOCKET_ID_ANY} (-1) when unknown, or a negative errno.
     */
    public static int rte_eth_dev_socket_id(final int port)
    {
        try
        {
            return (int)rte_eth_dev_socket_id.HANDLE.invokeExact((short)port);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * @param port    a port id.
     * @param devInfo receives a {@code struct rte_eth_dev_info} ({@link EthdevDescriptor#DEV_INFO_SIZE} bytes).
     * @return 0, or a negative errno.
     */
    public static int rte_eth_dev_info_get(final int port, final MemorySegment devInfo)
    {
        try
        {
            return (int)rte_eth_dev_info_get.HANDLE.invokeExact((short)port, devInfo);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * @param port      a stopped port.
     * @param rxQueues  RX queues to create.
     * @param txQueues  TX queues to create.
     * @param ethConf   a {@code struct rte_eth_conf} ({@link EthdevDescriptor#CONF_SIZE} bytes; zeroes are
     *                  the defaults).
     * @return 0, or a negative errno.
     */
    public static int rte_eth_dev_configure(final int port, final int rxQueues, final int txQueues, final MemorySegment ethConf)
    {
        try
        {
            return (int)rte_eth_dev_configure.HANDLE.invokeExact((short)port, (short)rxQueues, (short)txQueues, ethConf);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * @param port        a configured port.
     * @param queue       the RX queue.
     * @param descriptors the ring size.
     * @param socketId    NUMA socket for the ring.
     * @param rxConf      a {@code struct rte_eth_rxconf}, or {@link MemorySegment#NULL} for the driver's default.
     * @param mempool     the pool received packets are allocated from.
     * @return 0, or a negative errno.
     */
    public static int rte_eth_rx_queue_setup(
        final int port, final int queue, final int descriptors, final int socketId, final MemorySegment rxConf,
        final MemorySegment mempool)
    {
        try
        {
            return (int)rte_eth_rx_queue_setup.HANDLE.invokeExact(
                (short)port, (short)queue, (short)descriptors, socketId, rxConf, mempool);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * @param port        a configured port.
     * @param queue       the TX queue.
     * @param descriptors the ring size.
     * @param socketId    NUMA socket for the ring.
     * @param txConf      a {@code struct rte_eth_txconf}, or {@link MemorySegment#NULL} for the driver's default.
     * @return 0, or a negative errno.
     */
    public static int rte_eth_tx_queue_setup(
        final int port, final int queue, final int descriptors, final int socketId, final MemorySegment txConf)
    {
        try
        {
            return (int)rte_eth_tx_queue_setup.HANDLE.invokeExact(
                (short)port, (short)queue, (short)descriptors, socketId, txConf);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * @param port a configured port whose queues are set up.
     * @return 0, or a negative errno.
     */
    public static int rte_eth_dev_start(final int port)
    {
        return portCall(rte_eth_dev_start.HANDLE, port);
    }

    /**
     * @param port a started port.
     * @return 0, or a negative errno.
     */
    public static int rte_eth_dev_stop(final int port)
    {
        return portCall(rte_eth_dev_stop.HANDLE, port);
    }

    /**
     * Releases the port; its id becomes free for a later probe.
     *
     * @param port a stopped port.
     * @return 0, or a negative errno.
     */
    public static int rte_eth_dev_close(final int port)
    {
        return portCall(rte_eth_dev_close.HANDLE, port);
    }

    /**
     * @param port a port.
     * @return 0, or a negative errno ({@code -ENOTSUP} when the driver cannot).
     */
    public static int rte_eth_promiscuous_enable(final int port)
    {
        return portCall(rte_eth_promiscuous_enable.HANDLE, port);
    }

    /**
     * @param port a port.
     * @return 0, or a negative errno.
     */
    public static int rte_eth_stats_reset(final int port)
    {
        return portCall(rte_eth_stats_reset.HANDLE, port);
    }

    /**
     * @param port  a port.
     * @param stats receives a {@code struct rte_eth_stats} ({@link EthdevDescriptor#STATS_SIZE} bytes).
     * @return 0, or a negative errno.
     */
    public static int rte_eth_stats_get(final int port, final MemorySegment stats)
    {
        try
        {
            return (int)rte_eth_stats_get.HANDLE.invokeExact((short)port, stats);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * @param port a port.
     * @param mac  receives a {@code struct rte_ether_addr} (6 bytes, network order).
     * @return 0, or a negative errno.
     */
    public static int rte_eth_macaddr_get(final int port, final MemorySegment mac)
    {
        try
        {
            return (int)rte_eth_macaddr_get.HANDLE.invokeExact((short)port, mac);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * @param port a port.
     * @param link receives a {@code struct rte_eth_link} ({@link EthdevDescriptor#LINK_SIZE} bytes).
     * @return 0, or a negative errno.
     */
    public static int rte_eth_link_get_nowait(final int port, final MemorySegment link)
    {
        try
        {
            return (int)rte_eth_link_get_nowait.HANDLE.invokeExact((short)port, link);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * {@code rte_eth_rx_burst}: takes up to {@code n} received packets off an RX queue.
     *
     * @param port  a started port.
     * @param queue an RX queue of that port, polled by this thread only.
     * @param mbufs native segment of at least {@code n} {@code struct rte_mbuf *} slots; receives the packets.
     * @param n     the most to take.
     * @return the number taken (the first that many slots are filled); the caller now owns them.
     */
    public static int wirekv_rx_burst(final int port, final int queue, final MemorySegment mbufs, final int n)
    {
        try
        {
            return Short.toUnsignedInt((short)wirekv_rx_burst.HANDLE.invokeExact((short)port, (short)queue, mbufs, (short)n));
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    /**
     * {@code rte_eth_tx_burst}: hands up to {@code n} packets to a TX queue.
     *
     * @param port  a started port.
     * @param queue a TX queue of that port, used by this thread only.
     * @param mbufs native segment of {@code n} {@code struct rte_mbuf *}.
     * @param n     the number to send.
     * @return the number accepted, from the front; the driver frees those, the caller still owns the rest.
     */
    public static int wirekv_tx_burst(final int port, final int queue, final MemorySegment mbufs, final int n)
    {
        try
        {
            return Short.toUnsignedInt((short)wirekv_tx_burst.HANDLE.invokeExact((short)port, (short)queue, mbufs, (short)n));
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }

    private static int portCall(final MethodHandle handle, final int port)
    {
        try
        {
            return (int)handle.invokeExact((short)port);
        }
        catch (final Throwable ex)
        {
            throw rethrow(ex);
        }
    }
}
