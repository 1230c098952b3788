package io.wirekv.dataplane.port;

import io.wirekv.nativebindings.Errno;
import io.wirekv.nativebindings.NativeException;
import io.wirekv.nativebindings.libc.LibC;
import io.wirekv.nativebindings.libc.SockaddrInDescriptor;
import io.wirekv.nativebindings.libc.Sockets;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The {@code kernel} backend: an IPv4 UDP socket bound with {@code SO_REUSEPORT} (so every lcore
 * binds its own socket to the same address and the kernel spreads flows across them), driven with
 * non-blocking batched {@code recvmmsg}/{@code sendmmsg} straight on the {@link DatagramBatch}'s
 * native {@code struct mmsghdr} array.
 * <p>
 * <b>Send policy.</b> A partial {@code sendmmsg} is retried from the first unsent datagram. When the
 * kernel reports the send buffer full ({@code EAGAIN}/{@code ENOBUFS}) or an interrupt more than
 * {@link #MAX_SEND_STALLS} times in one {@link #send} call, the rest are dropped and counted
 * ({@code TX_DROPPED}). A datagram the kernel rejects outright (e.g. {@code EINVAL} for port 0,
 * {@code EMSGSIZE}) is dropped alone, counted in {@code TX_ERRORS} too, and the rest still go.
 * <p>
 * <b>Threading.</b> See {@link PacketPort}: one lcore thread calls receive/send.
 */
public final class KernelPort implements PacketPort
{
    /** Socket buffer size asked for by default: enough for a few bursts of full-size datagrams per lcore. */
    public static final int DEFAULT_SOCKET_BUFFER_BYTES = 8 << 20;
    /** Non-progressing {@code sendmmsg} attempts in one {@link #send} before the rest are dropped. */
    public static final int MAX_SEND_STALLS = 4;

    private final int fd;
    private final String listenAddress;
    private final int localPort;
    private final int receiveBufferBytes;
    private final int sendBufferBytes;
    private final Arena arena;
    private final MemorySegment errnoState;
    private final PortCounters counters;
    private boolean closed;

    /**
     * Opens a port with {@link #DEFAULT_SOCKET_BUFFER_BYTES} socket buffers.
     *
     * @param listenAddressIpv4 dotted IPv4 address to bind, e.g. {@code "127.0.0.1"} or {@code "0.0.0.0"}.
     * @param port              UDP port; 0 lets the kernel pick one (read it with {@link #localPort()}).
     * @throws NativeException when the socket cannot be created or bound.
     */
    public KernelPort(final String listenAddressIpv4, final int port)
    {
        this(listenAddressIpv4, port, DEFAULT_SOCKET_BUFFER_BYTES);
    }

    /**
     * @param listenAddressIpv4  dotted IPv4 address to bind, e.g. {@code "127.0.0.1"} or {@code "0.0.0.0"}.
     * @param port               UDP port; 0 lets the kernel pick one (read it with {@link #localPort()}).
     * @param socketBufferBytes  SO_RCVBUF and SO_SNDBUF to ask for (forced past rmem_max/wmem_max when
     *                           the process has CAP_NET_ADMIN, otherwise capped by the kernel).
     * @throws NativeException when the socket cannot be created or bound.
     */
    public KernelPort(final String listenAddressIpv4, final int port, final int socketBufferBytes)
    {
        this(listenAddressIpv4, port, socketBufferBytes, new PortCounters());
    }

    /**
     * As {@link #KernelPort(String, int, int)}, counting into {@code counters} (a CnC file's registry slots).
     */
    public KernelPort(
        final String listenAddressIpv4, final int port, final int socketBufferBytes, final PortCounters counters)
    {
        this.counters = counters;
        if (port < 0 || port > 65535)
        {
            throw new IllegalArgumentException("port must be 0..65535, was " + port);
        }
        final int address = parseIpv4(listenAddressIpv4);
        this.listenAddress = listenAddressIpv4;
        this.arena = Arena.ofShared();
        this.errnoState = Errno.allocateState(arena);
        final MemorySegment state = errnoState;
        final String where = listenAddressIpv4 + ":" + port;

        int socket = -1;
        try
        {
            socket = NativeException.check(
                Sockets.socket(state, Sockets.AF_INET, Sockets.SOCK_DGRAM | Sockets.SOCK_NONBLOCK | Sockets.SOCK_CLOEXEC,
                    Sockets.IPPROTO_UDP),
                "socket(AF_INET, SOCK_DGRAM)", "check the open file limit (ulimit -n)");
            NativeException.check(
                Sockets.setsockoptInt(state, socket, Sockets.SOL_SOCKET, Sockets.SO_REUSEPORT, 1),
                "setsockopt(SO_REUSEPORT)", "the kernel must support SO_REUSEPORT (Linux 3.9+)");
            this.receiveBufferBytes = sizeBuffer(state, socket, Sockets.SO_RCVBUFFORCE, Sockets.SO_RCVBUF, socketBufferBytes);
            this.sendBufferBytes = sizeBuffer(state, socket, Sockets.SO_SNDBUFFORCE, Sockets.SO_SNDBUF, socketBufferBytes);

            try (Arena temp = Arena.ofConfined())
            {
                final MemorySegment sockaddr = temp.allocate(SockaddrInDescriptor.LAYOUT);
                SockaddrInDescriptor.write(sockaddr, 0, address, port);
                NativeException.check(Sockets.bind(state, socket, sockaddr), "bind(" + where + ")",
                    "is the address configured on this host, and is the port free or bound by wirekv's own lcores only " +
                    "(SO_REUSEPORT)? Ports below 1024 need root or CAP_NET_BIND_SERVICE");
                sockaddr.fill((byte)0);
                NativeException.check(Sockets.getsockname(state, socket, sockaddr), "getsockname(" + where + ")", "");
                this.localPort = SockaddrInDescriptor.port(sockaddr, 0);
            }
            this.fd = socket;
        }
        catch (final RuntimeException ex)
        {
            if (socket >= 0)
            {
                LibC.close(state, socket);
            }
            arena.close();
            throw ex;
        }
    }

    /**
     * {@inheritDoc}
     * <p>
     * One non-blocking {@code recvmmsg}; {@code EAGAIN} and {@code EINTR} mean nothing to receive now.
     */
    @Override
    public int receive(final DatagramBatch rx)
    {
        rx.prepareReceive();
        final int received = Sockets.recvmmsg(fd, rx.headersFrom(0), rx.receiveLimit(), Sockets.MSG_DONTWAIT);
        if (received <= 0)
        {
            if (received == 0 || received == -Errno.EAGAIN || received == -Errno.EINTR)
            {
                return 0;
            }
            counters.add(PortCounters.RX_ERRORS, 1);
            counters.set(PortCounters.LAST_RX_ERRNO, -received);
            return received;
        }

        rx.received(received);
        long bytes = 0;
        int truncated = 0;
        for (int i = 0; i < received; i++)
        {
            bytes += rx.length(i);
            if (rx.truncated(i))
            {
                truncated++;
            }
        }
        counters.add(PortCounters.RX_PACKETS, received);
        counters.add(PortCounters.RX_BYTES, bytes);
        if (truncated != 0)
        {
            counters.add(PortCounters.RX_TRUNCATED, truncated);
        }
        return received;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int send(final DatagramBatch tx)
    {
        final int count = tx.count();
        int next = 0;
        int sent = 0;
        int stalls = 0;
        int rejected = 0;
        long bytes = 0;
        while (next < count)
        {
            final int result = Sockets.sendmmsg(fd, tx.headersFrom(next), count - next, Sockets.MSG_DONTWAIT);
            if (result > 0)
            {
                for (int i = next, end = next + result; i < end; i++)
                {
                    bytes += tx.bufferLength(i);
                }
                next += result;
                sent += result;
            }
            else if (result == 0 || result == -Errno.EAGAIN || result == -Errno.ENOBUFS || result == -Errno.EINTR)
            {
                if (++stalls > MAX_SEND_STALLS)
                {
                    break;
                }
            }
            else
            {
                // The first unsent datagram itself is bad: drop it alone and go on with the rest.
                counters.set(PortCounters.LAST_TX_ERRNO, -result);
                rejected++;
                next++;
            }
        }
        tx.count(0);

        counters.add(PortCounters.TX_PACKETS, sent);
        counters.add(PortCounters.TX_BYTES, bytes);
        final int dropped = count - sent;
        if (dropped != 0)
        {
            counters.add(PortCounters.TX_DROPPED, dropped);
            if (rejected != 0)
            {
                counters.add(PortCounters.TX_ERRORS, rejected);
            }
        }
        return sent;
    }

    @Override
    public int localPort()
    {
        return localPort;
    }

    @Override
    public PortCounters counters()
    {
        return counters;
    }

    /**
     * @return the socket's file descriptor.
     */
    public int fd()
    {
        return fd;
    }

    /**
     * @return the receive buffer the kernel granted (as reported by getsockopt, i.e. doubled for bookkeeping).
     */
    public int receiveBufferBytes()
    {
        return receiveBufferBytes;
    }

    /**
     * @return the send buffer the kernel granted (as reported by getsockopt).
     */
    public int sendBufferBytes()
    {
        return sendBufferBytes;
    }

    @Override
    public String describe()
    {
        return "kernel udp " + listenAddress + ":" + localPort + " fd=" + fd + " rcvbuf=" + receiveBufferBytes +
            " sndbuf=" + sendBufferBytes + " (SO_REUSEPORT, recvmmsg/sendmmsg)";
    }

    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            LibC.close(errnoState, fd);
            arena.close();
        }
    }

    @Override
    public String toString()
    {
        return describe();
    }

    private static int sizeBuffer(
        final MemorySegment state, final int socket, final int forceOption, final int option, final int bytes)
    {
        // SO_*BUFFORCE passes rmem_max/wmem_max but needs CAP_NET_ADMIN; fall back to the capped option.
        if (Sockets.setsockoptInt(state, socket, Sockets.SOL_SOCKET, forceOption, bytes) < 0)
        {
            NativeException.check(Sockets.setsockoptInt(state, socket, Sockets.SOL_SOCKET, option, bytes),
                "setsockopt(" + (option == Sockets.SO_RCVBUF ? "SO_RCVBUF" : "SO_SNDBUF") + ", " + bytes + ")", "");
        }
        return NativeException.check(Sockets.getsockoptInt(state, socket, Sockets.SOL_SOCKET, option),
            "getsockopt(" + option + ")", "");
    }

    /**
     * @param dotted e.g. {@code "127.0.0.1"}.
     * @return the address in host order.
     */
    static int parseIpv4(final String dotted)
    {
        final String[] parts = dotted.split("\\.", -1);
        if (parts.length != 4)
        {
            throw new IllegalArgumentException("not a dotted IPv4 address: '" + dotted + "'");
        }
        int address = 0;
        for (final String part : parts)
        {
            final int value;
            try
            {
                value = Integer.parseInt(part);
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("not a dotted IPv4 address: '" + dotted + "'", ex);
            }
            if (value < 0 || value > 255 || part.isEmpty() || part.length() > 3)
            {
                throw new IllegalArgumentException("not a dotted IPv4 address: '" + dotted + "'");
            }
            address = (address << 8) | value;
        }
        return address;
    }
}
