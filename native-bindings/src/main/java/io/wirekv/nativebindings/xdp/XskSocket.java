package io.wirekv.nativebindings.xdp;

import io.wirekv.nativebindings.Errno;
import io.wirekv.nativebindings.NativeException;
import io.wirekv.nativebindings.libc.Sockets;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.wirekv.nativebindings.xdp.XskDescriptor.DESC_SIZE;
import static io.wirekv.nativebindings.xdp.XskDescriptor.MMAP_OFFSETS_COMPLETION;
import static io.wirekv.nativebindings.xdp.XskDescriptor.MMAP_OFFSETS_FILL;
import static io.wirekv.nativebindings.xdp.XskDescriptor.MMAP_OFFSETS_RX;
import static io.wirekv.nativebindings.xdp.XskDescriptor.MMAP_OFFSETS_SIZE;
import static io.wirekv.nativebindings.xdp.XskDescriptor.MMAP_OFFSETS_TX;
import static io.wirekv.nativebindings.xdp.XskDescriptor.RING_OFFSET_CONSUMER;
import static io.wirekv.nativebindings.xdp.XskDescriptor.RING_OFFSET_DESC;
import static io.wirekv.nativebindings.xdp.XskDescriptor.RING_OFFSET_FLAGS;
import static io.wirekv.nativebindings.xdp.XskDescriptor.RING_OFFSET_PRODUCER;
import static io.wirekv.nativebindings.xdp.XskDescriptor.RING_SIZE;
import static io.wirekv.nativebindings.xdp.XskDescriptor.SOCKET_CONFIG_BIND_FLAGS_OFFSET;
import static io.wirekv.nativebindings.xdp.XskDescriptor.SOCKET_CONFIG_LIBXDP_FLAGS_OFFSET;
import static io.wirekv.nativebindings.xdp.XskDescriptor.SOCKET_CONFIG_RX_SIZE_OFFSET;
import static io.wirekv.nativebindings.xdp.XskDescriptor.SOCKET_CONFIG_SIZE;
import static io.wirekv.nativebindings.xdp.XskDescriptor.SOCKET_CONFIG_TX_SIZE_OFFSET;
import static io.wirekv.nativebindings.xdp.XskDescriptor.SOCKET_CONFIG_XDP_FLAGS_OFFSET;
import static io.wirekv.nativebindings.xdp.XskDescriptor.SOL_XDP;
import static io.wirekv.nativebindings.xdp.XskDescriptor.STATISTICS_NAMES;
import static io.wirekv.nativebindings.xdp.XskDescriptor.STATISTICS_SIZE;
import static io.wirekv.nativebindings.xdp.XskDescriptor.XDP_MMAP_OFFSETS;
import static io.wirekv.nativebindings.xdp.XskDescriptor.XDP_OPTIONS;
import static io.wirekv.nativebindings.xdp.XskDescriptor.XDP_OPTIONS_ZEROCOPY;
import static io.wirekv.nativebindings.xdp.XskDescriptor.XDP_STATISTICS;
import static io.wirekv.nativebindings.xdp.XskDescriptor.XSK_LIBXDP_FLAGS_INHIBIT_PROG_LOAD;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * One AF_XDP socket bound to (interface, queue) over an {@link XskUmem}, created by libxdp with
 * {@code XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD} (wirekv attaches its own program, see
 * {@link XdpProgramAttachment}), with its RX and TX rings driven from Java.
 * <p>
 * At creation the ring pointers libxdp wrote into its structs are checked against the kernel's
 * {@code XDP_MMAP_OFFSETS} for all four rings, so a libxdp whose {@code struct xsk_ring_*} differs from
 * {@link XskDescriptor} fails here, not per packet.
 * <p>
 * <b>Threading.</b> The rings and {@link #kickTx()} / {@link #kickRx()} belong to one lcore; {@link #statistics()} may be called from any thread; {@link #close()} once the lcore
 * has stopped.
 */
public final class XskSocket implements AutoCloseable
{
    private final Arena arena;
    private final MemorySegment xsk;
    private final int fd;
    private final String interfaceName;
    private final int queueId;
    private final int bindFlags;
    private final XskConsumerRing rx;
    private final XskProducerRing tx;
    private final MemorySegment errnoState;
    private boolean closed;

    private XskSocket(
        final Arena arena, final MemorySegment xsk, final String interfaceName, final int queueId, final int bindFlags,
        final MemorySegment rxStruct, final MemorySegment txStruct)
    {
        this.arena = arena;
        this.xsk = xsk;
        this.fd = LibXdp.xsk_socket__fd(xsk);
        this.interfaceName = interfaceName;
        this.queueId = queueId;
        this.bindFlags = bindFlags;
        this.rx = XskConsumerRing.fromStruct(rxStruct, DESC_SIZE);
        this.tx = XskProducerRing.fromStruct(txStruct, DESC_SIZE);
        this.errnoState = Errno.allocateState(arena);
    }

    /**
     * Creates and binds the socket ({@code xsk_socket__create}); libxdp loads no XDP program.
     *
     * @param umem          the UMEM (its first socket: libxdp uses the UMEM's own descriptor).
     * @param interfaceName e.g. {@code "eth0"}.
     * @param queueId       the device queue.
     * @param rxSize        RX ring entries, a power of two.
     * @param txSize        TX ring entries, a power of two.
     * @param bindFlags     {@link XskDescriptor#XDP_COPY} or {@link XskDescriptor#XDP_ZEROCOPY} (or neither: the
     *                      kernel picks), optionally with {@link XskDescriptor#XDP_USE_NEED_WAKEUP}.
     * @return the socket.
     * @throws NativeException with the errno text and what to do (e.g. zero-copy refused by the driver).
     */
    public static XskSocket create(
        final XskUmem umem, final String interfaceName, final int queueId, final int rxSize, final int txSize,
        final int bindFlags)
    {
        final Arena arena = Arena.ofShared();
        try
        {
            final MemorySegment rxStruct = arena.allocate(RING_SIZE, 8);
            final MemorySegment txStruct = arena.allocate(RING_SIZE, 8);
            final MemorySegment config = arena.allocate(SOCKET_CONFIG_SIZE, 4);
            config.set(JAVA_INT, SOCKET_CONFIG_RX_SIZE_OFFSET, rxSize);
            config.set(JAVA_INT, SOCKET_CONFIG_TX_SIZE_OFFSET, txSize);
            config.set(JAVA_INT, SOCKET_CONFIG_LIBXDP_FLAGS_OFFSET, XSK_LIBXDP_FLAGS_INHIBIT_PROG_LOAD);
            config.set(JAVA_INT, SOCKET_CONFIG_XDP_FLAGS_OFFSET, 0);
            config.set(JAVA_SHORT, SOCKET_CONFIG_BIND_FLAGS_OFFSET, (short)bindFlags);
            final MemorySegment out = arena.allocate(ADDRESS);
            final int result = LibXdp.xsk_socket__create(
                out, arena.allocateFrom(interfaceName), queueId, umem.pointer(), rxStruct, txStruct, config);
            if (result < 0)
            {
                throw new NativeException(
                    "xsk_socket__create(" + interfaceName + " queue " + queueId + ", " + bindFlagsText(bindFlags) + ")",
                    -result, socketHint(-result, bindFlags));
            }
            final XskSocket socket = new XskSocket(arena, out.get(ADDRESS, 0), interfaceName, queueId, bindFlags, rxStruct, txStruct);
            final List<String> mismatches = socket.layoutMismatches(umem, rxStruct, txStruct, rxSize, txSize);
            if (!mismatches.isEmpty())
            {
                socket.close();
                throw new IllegalStateException(
                    "libxdp's struct xsk_ring_prod/cons does not match wirekv's XskDescriptor (checked against the " +
                    "kernel's XDP_MMAP_OFFSETS): " + String.join("; ", mismatches) +
                    ". libxdp upgrade? update XskDescriptor from <xdp/xsk.h> and rebuild wirekv.");
            }
            return socket;
        }
        catch (final RuntimeException ex)
        {
            if (arena.scope().isAlive())
            {
                arena.close();
            }
            throw ex;
        }
    }

    /**
     * @param bindFlags {@code XDP_*} bind flags.
     * @return e.g. {@code "XDP_ZEROCOPY|XDP_USE_NEED_WAKEUP"}.
     */
    public static String bindFlagsText(final int bindFlags)
    {
        final StringBuilder sb = new StringBuilder();
        if ((bindFlags & XskDescriptor.XDP_SHARED_UMEM) != 0)
        {
            sb.append("XDP_SHARED_UMEM|");
        }
        if ((bindFlags & XskDescriptor.XDP_COPY) != 0)
        {
            sb.append("XDP_COPY|");
        }
        if ((bindFlags & XskDescriptor.XDP_ZEROCOPY) != 0)
        {
            sb.append("XDP_ZEROCOPY|");
        }
        if ((bindFlags & XskDescriptor.XDP_USE_NEED_WAKEUP) != 0)
        {
            sb.append("XDP_USE_NEED_WAKEUP|");
        }
        return sb.isEmpty() ? "no bind flags" : sb.substring(0, sb.length() - 1);
    }

    private static String socketHint(final int errno, final int bindFlags)
    {
        if ((bindFlags & XskDescriptor.XDP_ZEROCOPY) != 0 && (errno == Errno.EOPNOTSUPP || errno == Errno.EINVAL))
        {
            return "the driver has no AF_XDP zero-copy support for this queue: use copy mode";
        }
        return switch (errno)
        {
            case Errno.EPERM, Errno.EACCES -> "AF_XDP needs CAP_NET_RAW and CAP_NET_ADMIN (run as root or grant them)";
            case Errno.ENODEV -> "no such interface, or it is down";
            case Errno.EINVAL -> "no such queue on the interface, or ring sizes the kernel refused";
            case Errno.EBUSY -> "another AF_XDP socket is already bound to this interface queue";
            default -> "";
        };
    }

    private List<String> layoutMismatches(
        final XskUmem umem, final MemorySegment rxStruct, final MemorySegment txStruct, final int rxSize, final int txSize)
    {
        final List<String> mismatches = new ArrayList<>();
        try (Arena temp = Arena.ofConfined())
        {
            final MemorySegment offsets = temp.allocate(MMAP_OFFSETS_SIZE, 8);
            final MemorySegment length = temp.allocate(JAVA_INT);
            final int result = XskSyscalls.getsockopt(errnoState, fd, SOL_XDP, XDP_MMAP_OFFSETS, offsets, length);
            if (result < 0)
            {
                throw new NativeException("getsockopt(SOL_XDP, XDP_MMAP_OFFSETS)", -result, "");
            }
            if (length.get(JAVA_INT, 0) < MMAP_OFFSETS_SIZE)
            {
                // A pre-5.4 kernel without the flags word: wirekv needs need_wakeup anyway.
                mismatches.add("kernel's xdp_mmap_offsets is " + length.get(JAVA_INT, 0) + " bytes (kernel older than 5.4?)");
                return mismatches;
            }
            compare(mismatches, "rx", XskRingPointers.read(rxStruct, DESC_SIZE), offsets, MMAP_OFFSETS_RX, rxSize);
            compare(mismatches, "tx", XskRingPointers.read(txStruct, DESC_SIZE), offsets, MMAP_OFFSETS_TX, txSize);
            compare(mismatches, "fill", umem.fillPointers(), offsets, MMAP_OFFSETS_FILL, umem.fill().size());
            compare(mismatches, "completion", umem.completionPointers(), offsets, MMAP_OFFSETS_COMPLETION, umem.completion().size());
        }
        return mismatches;
    }

    private static void compare(
        final List<String> mismatches, final String ring, final XskRingPointers pointers, final MemorySegment offsets,
        final int base, final int expectedSize)
    {
        final long desc = offsets.get(JAVA_LONG, base + RING_OFFSET_DESC);
        check(mismatches, ring + ".producer", pointers.producerAddress() - pointers.ringAddress(),
            offsets.get(JAVA_LONG, base + RING_OFFSET_PRODUCER) - desc);
        check(mismatches, ring + ".consumer", pointers.consumerAddress() - pointers.ringAddress(),
            offsets.get(JAVA_LONG, base + RING_OFFSET_CONSUMER) - desc);
        check(mismatches, ring + ".flags", pointers.flagsAddress() - pointers.ringAddress(),
            offsets.get(JAVA_LONG, base + RING_OFFSET_FLAGS) - desc);
        check(mismatches, ring + ".size", pointers.size(), expectedSize);
    }

    private static void check(final List<String> mismatches, final String what, final long actual, final long expected)
    {
        if (actual != expected)
        {
            mismatches.add(what + ": read " + actual + ", kernel says " + expected);
        }
    }

    /**
     * @return the socket's descriptor (for the XSKMAP and syscalls).
     */
    public int fd()
    {
        return fd;
    }

    /**
     * @return libxdp's {@code struct xsk_socket *}.
     */
    public MemorySegment pointer()
    {
        return xsk;
    }

    /**
     * @return the interface it is bound to.
     */
    public String interfaceName()
    {
        return interfaceName;
    }

    /**
     * @return the queue it is bound to.
     */
    public int queueId()
    {
        return queueId;
    }

    /**
     * @return the bind flags it was created with.
     */
    public int bindFlags()
    {
        return bindFlags;
    }

    /**
     * @return the RX ring.
     */
    public XskConsumerRing rx()
    {
        return rx;
    }

    /**
     * @return the TX ring.
     */
    public XskProducerRing tx()
    {
        return tx;
    }

    /**
     * @return true when the kernel bound it in zero-copy mode ({@code XDP_OPTIONS_ZEROCOPY}).
     */
    public boolean isZeroCopy()
    {
        try (Arena temp = Arena.ofConfined())
        {
            final MemorySegment options = temp.allocate(JAVA_INT);
            final MemorySegment length = temp.allocate(JAVA_INT);
            final int result = XskSyscalls.getsockopt(Errno.threadState(), fd, SOL_XDP, XDP_OPTIONS, options, length);
            if (result < 0)
            {
                throw new NativeException("getsockopt(SOL_XDP, XDP_OPTIONS)", -result, "");
            }
            return (options.get(JAVA_INT, 0) & XDP_OPTIONS_ZEROCOPY) != 0;
        }
    }

    /**
     * Asks for a TX wakeup; lcore only, per burst, only when {@link XskProducerRing#needsWakeup()} (or when
     * the socket was bound without need-wakeup).
     *
     * @return 0, or {@code -errno}.
     */
    public int kickTx()
    {
        return XskSyscalls.kickTx(fd);
    }

    /**
     * Asks the kernel to look at the fill ring again; lcore only, when the fill ring {@code needs_wakeup}.
     *
     * @return 0, or {@code -errno}.
     */
    public int kickRx()
    {
        return XskSyscalls.kickRx(fd);
    }

    /**
     * Turns on socket busy polling ({@code SO_PREFER_BUSY_POLL}, {@code SO_BUSY_POLL}, {@code SO_BUSY_POLL_BUDGET}).
     *
     * @param busyPollUs microseconds to busy-poll in a wakeup syscall.
     * @param budget     packets per busy-poll.
     * @throws NativeException when the kernel refuses an option.
     */
    public void enableBusyPoll(final int busyPollUs, final int budget)
    {
        final MemorySegment state = Errno.threadState();
        NativeException.check(Sockets.setsockoptInt(state, fd, Sockets.SOL_SOCKET, XskDescriptor.SO_PREFER_BUSY_POLL, 1),
            "setsockopt(SO_PREFER_BUSY_POLL)", "needs Linux 5.11+");
        NativeException.check(Sockets.setsockoptInt(state, fd, Sockets.SOL_SOCKET, XskDescriptor.SO_BUSY_POLL, busyPollUs),
            "setsockopt(SO_BUSY_POLL, " + busyPollUs + ")", "needs CAP_NET_ADMIN to raise it above net.core.busy_poll");
        NativeException.check(Sockets.setsockoptInt(state, fd, Sockets.SOL_SOCKET, XskDescriptor.SO_BUSY_POLL_BUDGET, budget),
            "setsockopt(SO_BUSY_POLL_BUDGET, " + budget + ")", "needs CAP_NET_ADMIN, Linux 5.11+");
    }

    /**
     * Reads the socket's {@code XDP_STATISTICS}; any thread; allocates.
     *
     * @return the six counters by their kernel names, in the kernel's order.
     */
    public Map<String, Long> statistics()
    {
        final Map<String, Long> stats = new LinkedHashMap<>();
        try (Arena temp = Arena.ofConfined())
        {
            final MemorySegment values = temp.allocate(STATISTICS_SIZE, 8);
            final MemorySegment length = temp.allocate(JAVA_INT);
            final int result = XskSyscalls.getsockopt(Errno.threadState(), fd, SOL_XDP, XDP_STATISTICS, values, length);
            if (result < 0)
            {
                throw new NativeException("getsockopt(SOL_XDP, XDP_STATISTICS)", -result, "");
            }
            final int fields = Math.min(length.get(JAVA_INT, 0) / 8, STATISTICS_NAMES.length);
            for (int i = 0; i < fields; i++)
            {
                stats.put(STATISTICS_NAMES[i], values.get(JAVA_LONG, i * 8L));
            }
        }
        return stats;
    }

    /**
     * Unbinds and closes the socket ({@code xsk_socket__delete}; the kernel also drops it from any XSKMAP);
     * once; the rings must no longer be used.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        LibXdp.xsk_socket__delete(xsk);
        arena.close();
    }
}
