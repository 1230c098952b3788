package io.wirekv.nativebindings.xdp;

import io.wirekv.nativebindings.Errno;
import io.wirekv.nativebindings.NativeException;
import io.wirekv.nativebindings.libc.Sockets;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * wirekv's XDP program ({@code wirekv_xdp.o}) attached to one interface through libxdp's
 * {@code xdp_program} API: it redirects IPv4 UDP datagrams for the service port to the AF_XDP socket of
 * the queue they arrived on and passes everything else (ARP, ICMP, TCP, other ports) to the kernel.
 * <p>
 * Attach once per interface, then {@link #registerSocket(int, int)} each queue's socket into the program's
 * XSKMAP; {@link #close()} detaches. Mode {@link XdpAttachMode#AUTO} tries native (driver) XDP and falls
 * back to generic (skb); {@link #mode()} and {@link #fallbackReason()} say what happened, for the start-up
 * report. Until the service port is written (right after load) the program passes everything.
 * <p>
 * libxdp runs the program behind its multi-program dispatcher when a bpffs is mounted at /sys/fs/bpf, and
 * attaches it alone otherwise (it prints a warning saying so on stderr); both work.
 * <p>
 * <b>Map layouts</b> (shared with wirekv_xdp.c):
 * <pre>
 * wirekv_config (ARRAY, 1 entry, 8 bytes): | __be16 port (0) | __u16 reserved (2) | __be32 ipv4 (4) |
 * wirekv_stats (PERCPU_ARRAY, u64 per CPU): [0] redirected, [1] passed
 * xsks_map (XSKMAP, 256 entries): queue id -> AF_XDP socket fd
 * </pre>
 * <b>Threading.</b> Setup-time object; {@link #redirectedPackets()} / {@link #passedPackets()} from any thread.
 */
public final class XdpProgramAttachment implements AutoCloseable
{
    /** Name of the program's XSKMAP. */
    public static final String XSKS_MAP = "xsks_map";
    /** Name of the program's configuration map. */
    public static final String CONFIG_MAP = "wirekv_config";
    /** Name of the program's per-CPU counters. */
    public static final String STATS_MAP = "wirekv_stats";
    /** Entries in {@value #XSKS_MAP}: the highest queue id is one less. */
    public static final int MAX_QUEUES = 256;

    static final int CONFIG_SIZE = 8;
    static final int CONFIG_PORT_OFFSET = 0;
    static final int CONFIG_IPV4_OFFSET = 4;
    static final int STAT_REDIRECTED = 0;
    static final int STAT_PASSED = 1;

    private final String interfaceName;
    private final int ifindex;
    private final MemorySegment program;
    private final XdpAttachMode mode;
    private final String fallbackReason;
    private final int xsksMapFd;
    private final int configMapFd;
    private final int statsMapFd;
    private final int possibleCpus;
    private final List<String> libraryNotes;
    private boolean closed;

    private XdpProgramAttachment(
        final String interfaceName, final int ifindex, final MemorySegment program, final XdpAttachMode mode,
        final String fallbackReason, final List<String> libraryNotes)
    {
        this.libraryNotes = libraryNotes;
        this.interfaceName = interfaceName;
        this.ifindex = ifindex;
        this.program = program;
        this.mode = mode;
        this.fallbackReason = fallbackReason;
        final MemorySegment object = LibXdp.xdp_program__bpf_obj(program);
        this.xsksMapFd = mapFd(object, XSKS_MAP);
        this.configMapFd = mapFd(object, CONFIG_MAP);
        this.statsMapFd = mapFd(object, STATS_MAP);
        this.possibleCpus = LibBpf.libbpf_num_possible_cpus();
    }

    /**
     * Loads wirekv's program and attaches it to an interface, then sets the service port.
     *
     * @param interfaceName e.g. {@code "eth0"}.
     * @param servicePort   UDP port whose datagrams go to the AF_XDP sockets, 1..65535.
     * @param ipv4          only datagrams to this address (host byte order, e.g. {@code 0x0A000001} for
     *                      10.0.0.1), or 0 for any.
     * @param requested     {@link XdpAttachMode#NATIVE}, {@link XdpAttachMode#SKB}, or {@link XdpAttachMode#AUTO}.
     * @return the attachment; close it to detach.
     * @throws NativeException when the program cannot be found, loaded or attached, with the reason and the fix.
     */
    public static XdpProgramAttachment attach(
        final String interfaceName, final int servicePort, final int ipv4, final XdpAttachMode requested)
    {
        if (servicePort < 1 || servicePort > 65535)
        {
            throw new IllegalArgumentException("service port must be 1..65535, was " + servicePort);
        }
        final int ifindex = Sockets.if_nametoindex(Errno.threadState(), interfaceName);
        if (ifindex < 0)
        {
            throw new NativeException("if_nametoindex(" + interfaceName + ")", -ifindex,
                "no such network interface: check the configured interface name (`ip link`)");
        }
        final Path objectFile = XdpObjectFile.locate();
        final long logMark = XdpLog.mark();

        XdpAttachMode mode = requested == XdpAttachMode.AUTO ? XdpAttachMode.NATIVE : requested;
        String fallbackReason = null;
        MemorySegment program = open(objectFile);
        int result = LibXdp.xdp_program__attach(program, ifindex, mode.libxdpMode(), 0);
        if (result < 0 && requested == XdpAttachMode.AUTO && isWorthGenericMode(-result))
        {
            fallbackReason = "native XDP refused on " + interfaceName + ": " + errorText(result);
            // A fresh program object: the failed attempt may have left this one loaded for the other mode.
            LibXdp.xdp_program__close(program);
            program = open(objectFile);
            mode = XdpAttachMode.SKB;
            result = LibXdp.xdp_program__attach(program, ifindex, mode.libxdpMode(), 0);
        }
        if (result < 0)
        {
            LibXdp.xdp_program__close(program);
            throw new NativeException(
                "xdp_program__attach(" + objectFile.getFileName() + ", " + interfaceName + ", " + mode.label() + ")",
                -result < 4000 ? -result : 0,
                errorText(result) + (fallbackReason != null ? " (after " + fallbackReason + ")" : "") + ". " +
                attachHint(-result, interfaceName));
        }
        final XdpProgramAttachment attachment;
        try
        {
            attachment = new XdpProgramAttachment(interfaceName, ifindex, program, mode, fallbackReason, notes(logMark));
            attachment.configure(servicePort, ipv4);
        }
        catch (final RuntimeException ex)
        {
            LibXdp.xdp_program__detach(program, ifindex, mode.libxdpMode(), 0);
            LibXdp.xdp_program__close(program);
            throw ex;
        }
        return attachment;
    }

    /**
     * @return false for failures generic mode would hit too (permissions, another program in place).
     */
    private static boolean isWorthGenericMode(final int errno)
    {
        return errno != Errno.EPERM && errno != Errno.EACCES && errno != Errno.EBUSY && errno != Errno.EEXIST;
    }

    /**
     * libxdp's own messages during the attach, minus libbpf's chatter about sections it does not know.
     */
    private static List<String> notes(final long logMark)
    {
        final List<String> notes = new ArrayList<>();
        for (final String message : XdpLog.since(logMark))
        {
            if (message.startsWith("libxdp: "))
            {
                notes.add(message.substring("libxdp: ".length()));
            }
        }
        return List.copyOf(notes);
    }

    private static MemorySegment open(final Path objectFile)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment program = LibXdp.xdp_program__open_file(
                arena.allocateFrom(objectFile.toString()), arena.allocateFrom("xdp"), MemorySegment.NULL);
            final long error = LibXdp.libxdp_get_error(program);
            if (error != 0)
            {
                throw new NativeException("xdp_program__open_file(" + objectFile + ")", (int)-error,
                    errorText((int)error) + ". The object file is damaged or was built for another libbpf: rebuild wirekv");
            }
            return program;
        }
    }

    private static String errorText(final int error)
    {
        return LibXdp.libxdp_strerror(error);
    }

    private static String attachHint(final int errno, final String interfaceName)
    {
        return switch (errno)
        {
            case Errno.EPERM, Errno.EACCES -> "loading XDP programs needs CAP_BPF and CAP_NET_ADMIN (run as root)";
            case Errno.EEXIST, Errno.EBUSY -> "another XDP program is attached to " + interfaceName +
                ": remove it (`xdp-loader unload " + interfaceName + " --all` or `ip link set dev " + interfaceName +
                " xdp off`) or stop the process that owns it";
            case Errno.EOPNOTSUPP -> "the driver does not support this XDP mode: use mode auto or skb";
            default -> "";
        };
    }

    private int mapFd(final MemorySegment object, final String name)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final int fd = LibBpf.bpf_object__find_map_fd_by_name(object, arena.allocateFrom(name));
            if (fd < 0)
            {
                throw new NativeException("bpf_object__find_map_fd_by_name(" + name + ")", -fd,
                    "the loaded XDP object lacks the map: it is not wirekv's program, or an old build; rebuild wirekv");
            }
            return fd;
        }
    }

    /**
     * Sets the port (and address) the program redirects; takes effect for the next packet.
     *
     * @param servicePort 1..65535, or 0 to pass everything to the kernel.
     * @param ipv4        destination address in host byte order, or 0 for any.
     */
    public void configure(final int servicePort, final int ipv4)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment key = arena.allocateFrom(JAVA_INT, 0);
            final MemorySegment value = arena.allocate(CONFIG_SIZE, 8);
            value.set(JAVA_SHORT.withOrder(java.nio.ByteOrder.BIG_ENDIAN), CONFIG_PORT_OFFSET, (short)servicePort);
            value.set(JAVA_INT.withOrder(java.nio.ByteOrder.BIG_ENDIAN), CONFIG_IPV4_OFFSET, ipv4);
            NativeException.check(LibBpf.bpf_map_update_elem(configMapFd, key, value, LibBpf.BPF_ANY),
                "bpf_map_update_elem(" + CONFIG_MAP + ")", "");
        }
    }

    /**
     * Steers the queue's matching datagrams to an AF_XDP socket (XSKMAP entry {@code queueId -> fd}).
     *
     * @param queueId the device queue the socket is bound to, 0..{@value #MAX_QUEUES}-1.
     * @param xskFd   the socket's descriptor ({@link XskSocket#fd()}).
     */
    public void registerSocket(final int queueId, final int xskFd)
    {
        if (queueId < 0 || queueId >= MAX_QUEUES)
        {
            throw new IllegalArgumentException("queue id must be 0.." + (MAX_QUEUES - 1) + ", was " + queueId);
        }
        try (Arena arena = Arena.ofConfined())
        {
            NativeException.check(
                LibBpf.bpf_map_update_elem(xsksMapFd, arena.allocateFrom(JAVA_INT, queueId), arena.allocateFrom(JAVA_INT, xskFd),
                    LibBpf.BPF_ANY),
                "bpf_map_update_elem(" + XSKS_MAP + ", queue " + queueId + ", fd " + xskFd + ")",
                "the descriptor must be a bound AF_XDP socket on " + interfaceName);
        }
    }

    /**
     * Stops steering the queue's datagrams (they then go to the kernel).
     *
     * @param queueId the device queue.
     */
    public void unregisterSocket(final int queueId)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final int result = LibBpf.bpf_map_delete_elem(xsksMapFd, arena.allocateFrom(JAVA_INT, queueId));
            if (result < 0 && result != -Errno.ENOENT)
            {
                throw new NativeException("bpf_map_delete_elem(" + XSKS_MAP + ", queue " + queueId + ")", -result, "");
            }
        }
    }

    /**
     * @return packets the program matched and handed to {@code bpf_redirect_map} (summed over CPUs); the socket
     * may still have dropped them (see {@link XskSocket#statistics()}).
     */
    public long redirectedPackets()
    {
        return stat(STAT_REDIRECTED);
    }

    /**
     * @return packets the program passed to the kernel (summed over CPUs).
     */
    public long passedPackets()
    {
        return stat(STAT_PASSED);
    }

    private long stat(final int index)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment values = arena.allocate(8L * possibleCpus, 8);
            final int result = LibBpf.bpf_map_lookup_elem(statsMapFd, arena.allocateFrom(JAVA_INT, index), values);
            if (result < 0)
            {
                throw new NativeException("bpf_map_lookup_elem(" + STATS_MAP + ")", -result, "");
            }
            long sum = 0;
            for (int cpu = 0; cpu < possibleCpus; cpu++)
            {
                sum += values.get(JAVA_LONG, cpu * 8L);
            }
            return sum;
        }
    }

    /**
     * @return the interface.
     */
    public String interfaceName()
    {
        return interfaceName;
    }

    /**
     * @return the interface's index.
     */
    public int ifindex()
    {
        return ifindex;
    }

    /**
     * @return the mode the program runs in: {@link XdpAttachMode#NATIVE} or {@link XdpAttachMode#SKB}.
     */
    public XdpAttachMode mode()
    {
        return mode;
    }

    /**
     * @return why native mode was not used when {@link XdpAttachMode#AUTO} fell back to generic, else {@code null}.
     */
    public String fallbackReason()
    {
        return fallbackReason;
    }

    /**
     * @return the XSKMAP's descriptor.
     */
    public int xsksMapFd()
    {
        return xsksMapFd;
    }

    /**
     * @return what libxdp reported while attaching (e.g. that it ran the program without its dispatcher
     * because no bpffs is mounted), for the start-up report.
     */
    public List<String> libraryNotes()
    {
        return libraryNotes;
    }

    /**
     * @return a line for the start-up report.
     */
    public String describe()
    {
        return "XDP program wirekv_xdp on " + interfaceName + " (ifindex " + ifindex + "), mode " + mode.label() +
            (fallbackReason != null ? " (fallback: " + fallbackReason + ")" : "") +
            (libraryNotes.isEmpty() ? "" : " [libxdp: " + String.join("; ", libraryNotes) + "]");
    }

    /**
     * Detaches the program from the interface and frees it; once. Sockets in the XSKMAP stop receiving.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        final int result = LibXdp.xdp_program__detach(program, ifindex, mode.libxdpMode(), 0);
        LibXdp.xdp_program__close(program);
        if (result < 0)
        {
            throw new NativeException("xdp_program__detach(" + interfaceName + ")", -result,
                "remove it by hand with `xdp-loader unload " + interfaceName + " --all`");
        }
    }

    @Override
    public String toString()
    {
        return describe();
    }
}
