package io.wirekv.dataplane.port;

import io.wirekv.nativebindings.libc.MmsghdrDescriptor;
import io.wirekv.nativebindings.libc.SockaddrInDescriptor;
import io.wirekv.nativebindings.libc.Sockets;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

import static io.wirekv.nativebindings.libc.MmsghdrDescriptor.IOVEC_SIZE;
import static io.wirekv.nativebindings.libc.MmsghdrDescriptor.IOV_BASE_OFFSET;
import static io.wirekv.nativebindings.libc.MmsghdrDescriptor.IOV_LEN_OFFSET;
import static io.wirekv.nativebindings.libc.MmsghdrDescriptor.MMSGHDR_SIZE;
import static io.wirekv.nativebindings.libc.MmsghdrDescriptor.MSG_FLAGS_OFFSET;
import static io.wirekv.nativebindings.libc.MmsghdrDescriptor.MSG_LEN_OFFSET;
import static io.wirekv.nativebindings.libc.MmsghdrDescriptor.MSG_NAMELEN_OFFSET;

/**
 * A burst of up to {@link #capacity()} datagrams: for each slot a buffer (caller-owned memory: a
 * segment, an offset into it and a length), the received length and the peer's IPv4 address and port.
 * One batch is used for receiving ({@link PacketPort#receive}) and another for sending
 * ({@link PacketPort#send}); both are re-used for the life of the lcore and allocate nothing.
 * <p>
 * <b>Receive side.</b> Before the first receive, give every slot (up to {@link #receiveLimit()}) a buffer with
 * {@link #setBuffer(int, MemorySegment, long, int)} (the length is the slot's capacity). Slots keep
 * their buffer until set again, so an lcore that keeps a datagram (e.g. while its write is in flight)
 * points that slot at a fresh buffer before the next receive. After {@code n = port.receive(rx)},
 * slots {@code [0, n)} hold datagrams: {@link #segment(int)}/{@link #offset(int)} say where,
 * {@link #length(int)} how long, {@link #truncated(int)} whether it was cut to the buffer, and
 * {@link #peerAddress(int)}/{@link #peerPort(int)} who sent it.
 * <p>
 * <b>Send side.</b> Append replies with {@link #add(MemorySegment, long, int, DatagramBatch, int)}
 * (peer copied from a received slot) or {@link #add(MemorySegment, long, int, int, int)}, then call
 * {@code port.send(tx)}; send consumes every added datagram (sent or counted as dropped) and empties
 * the batch. A reply that spans datagrams is several slots with the same peer. Buffers may be the
 * received buffers themselves (reply in place).
 * <p>
 * <b>Storage.</b> For the kernel backend the slots are the native {@code struct mmsghdr} array that
 * {@code recvmmsg}/{@code sendmmsg} use directly, each with one {@code iovec} and one
 * {@code sockaddr_in} (see {@link MmsghdrDescriptor}); other backends fill the same fields from their
 * own descriptors.
 * <p>
 * <b>Threading.</b> Confined to one thread (the lcore) after construction; not thread-safe.
 */
public final class DatagramBatch implements AutoCloseable
{
    private final int capacity;
    private final Arena arena;
    private final MemorySegment headers;
    private final MemorySegment iovecs;
    private final MemorySegment names;
    /** headersFrom[i] is the mmsghdr array starting at slot i, so partial sends need no slicing. */
    private final MemorySegment[] headersFrom;
    private final MemorySegment[] segments;
    private final long[] offsets;
    /** Per slot, the peer's link address on the bypass backends (see {@link #peerLink(int)}). */
    private final long[] peerLinks;
    private int count;
    private int receiveLimit;
    /** Slots whose msg_namelen the last receive may have changed. */
    private int dirtyNames;

    /**
     * @param capacity the burst size: most datagrams received or sent at once, at least 1.
     */
    public DatagramBatch(final int capacity)
    {
        if (capacity < 1 || capacity > 1024)
        {
            throw new IllegalArgumentException("burst size must be 1..1024 (UIO_MAXIOV), was " + capacity);
        }
        this.capacity = capacity;
        this.arena = Arena.ofShared();
        this.headers = arena.allocate((long)MMSGHDR_SIZE * capacity, 64);
        this.iovecs = arena.allocate((long)IOVEC_SIZE * capacity, 16);
        this.names = arena.allocate((long)SockaddrInDescriptor.SIZE * capacity, 16);
        this.headersFrom = new MemorySegment[capacity];
        this.segments = new MemorySegment[capacity];
        this.offsets = new long[capacity];
        this.peerLinks = new long[capacity];
        this.receiveLimit = capacity;
        for (int i = 0; i < capacity; i++)
        {
            final long header = (long)i * MMSGHDR_SIZE;
            headersFrom[i] = headers.asSlice(header);
            headers.set(ValueLayout.ADDRESS, header + MmsghdrDescriptor.MSG_NAME_OFFSET,
                names.asSlice((long)i * SockaddrInDescriptor.SIZE, SockaddrInDescriptor.SIZE));
            headers.set(ValueLayout.JAVA_INT, header + MSG_NAMELEN_OFFSET, SockaddrInDescriptor.SIZE);
            headers.set(ValueLayout.ADDRESS, header + MmsghdrDescriptor.MSG_IOV_OFFSET,
                iovecs.asSlice((long)i * IOVEC_SIZE, IOVEC_SIZE));
            headers.set(ValueLayout.JAVA_LONG, header + MmsghdrDescriptor.MSG_IOVLEN_OFFSET, 1L);
            segments[i] = MemorySegment.NULL;
        }
    }

    /**
     * @return the most datagrams this batch holds.
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * @return most datagrams the next receive takes (slots {@code [0, receiveLimit)} need buffers);
     * {@link #capacity()} unless lowered.
     */
    public int receiveLimit()
    {
        return receiveLimit;
    }

    /**
     * Limits how many datagrams a receive takes, e.g. when the lcore has fewer free buffers than
     * slots; the rest wait in the socket for the next receive.
     *
     * @param receiveLimit 1..capacity.
     */
    public void receiveLimit(final int receiveLimit)
    {
        if (receiveLimit < 1 || receiveLimit > capacity)
        {
            throw new IllegalArgumentException("receive limit " + receiveLimit + " outside 1.." + capacity);
        }
        this.receiveLimit = receiveLimit;
    }

    /**
     * @return datagrams in the batch: received by the last receive, or added for the next send.
     */
    public int count()
    {
        return count;
    }

    /**
     * Sets the number of valid slots, e.g. {@code 0} to discard, or after filling slots with
     * {@link #setBuffer} and {@link #setPeer} directly.
     *
     * @param count 0..capacity.
     */
    public void count(final int count)
    {
        if (count < 0 || count > capacity)
        {
            throw new IllegalArgumentException("count " + count + " outside 0.." + capacity);
        }
        this.count = count;
    }

    /**
     * Points a slot at caller-owned memory. The memory must stay valid (its arena open) while the
     * slot refers to it.
     *
     * @param slot        0..capacity-1.
     * @param segment     native memory holding the buffer.
     * @param offset      where the buffer starts in the segment.
     * @param lengthBytes for receiving, the buffer's capacity; for sending, the datagram's length.
     */
    public void setBuffer(final int slot, final MemorySegment segment, final long offset, final int lengthBytes)
    {
        final long iovec = (long)slot * IOVEC_SIZE;
        // A bad buffer is the caller's bug: fail here, not later inside the kernel.
        if (!segment.isNative())
        {
            throw new IllegalArgumentException("slot buffers must be native memory");
        }
        Objects.checkFromIndexSize(offset, lengthBytes, segment.byteSize());
        iovecs.set(ValueLayout.JAVA_LONG, iovec + IOV_BASE_OFFSET, segment.address() + offset);
        iovecs.set(ValueLayout.JAVA_LONG, iovec + IOV_LEN_OFFSET, lengthBytes);
        segments[slot] = segment;
        offsets[slot] = offset;
    }

    /**
     * Sets a slot's buffer length without moving it, e.g. after writing a reply in place.
     *
     * @param slot        0..capacity-1.
     * @param lengthBytes new length; must fit in the slot's segment.
     */
    public void setBufferLength(final int slot, final int lengthBytes)
    {
        if (offsets[slot] + lengthBytes > segments[slot].byteSize() || lengthBytes < 0)
        {
            throw new IndexOutOfBoundsException("length " + lengthBytes + " does not fit slot " + slot + "'s segment");
        }
        iovecs.set(ValueLayout.JAVA_LONG, (long)slot * IOVEC_SIZE + IOV_LEN_OFFSET, lengthBytes);
    }

    /**
     * @param slot 0..capacity-1.
     * @return the segment of the slot's buffer (as given to {@link #setBuffer}).
     */
    public MemorySegment segment(final int slot)
    {
        return segments[slot];
    }

    /**
     * @param slot 0..capacity-1.
     * @return the buffer's offset in {@link #segment(int)}.
     */
    public long offset(final int slot)
    {
        return offsets[slot];
    }

    /**
     * @param slot 0..capacity-1.
     * @return the buffer's length: receive capacity, or the length to send.
     */
    public int bufferLength(final int slot)
    {
        return (int)iovecs.get(ValueLayout.JAVA_LONG, (long)slot * IOVEC_SIZE + IOV_LEN_OFFSET);
    }

    /**
     * @param slot 0..count-1 after a receive.
     * @return bytes received into the slot's buffer.
     */
    public int length(final int slot)
    {
        return headers.get(ValueLayout.JAVA_INT, (long)slot * MMSGHDR_SIZE + MSG_LEN_OFFSET);
    }

    /**
     * @param slot 0..count-1 after a receive.
     * @return true when the datagram was longer than the buffer and was cut to it.
     */
    public boolean truncated(final int slot)
    {
        return (headers.get(ValueLayout.JAVA_INT, (long)slot * MMSGHDR_SIZE + MSG_FLAGS_OFFSET) & Sockets.MSG_TRUNC) != 0;
    }

    /**
     * @param slot 0..capacity-1.
     * @return the peer's IPv4 address in host order (127.0.0.1 is {@code 0x7f000001}).
     */
    public int peerAddress(final int slot)
    {
        return SockaddrInDescriptor.address(names, (long)slot * SockaddrInDescriptor.SIZE);
    }

    /**
     * @param slot 0..capacity-1.
     * @return the peer's UDP port.
     */
    public int peerPort(final int slot)
    {
        return SockaddrInDescriptor.port(names, (long)slot * SockaddrInDescriptor.SIZE);
    }

    /**
     * Records a datagram a bypass port received into the slot's buffer (the kernel port fills the same
     * fields through {@code recvmmsg}).
     *
     * @param slot          0..capacity-1.
     * @param lengthBytes   bytes written into the slot's buffer.
     * @param ipv4HostOrder the sender's address.
     * @param port          the sender's port.
     * @param peerLink      the sender's link address (see {@link #peerLink(int)}).
     */
    public void setReceived(final int slot, final int lengthBytes, final int ipv4HostOrder, final int port, final long peerLink)
    {
        final long header = (long)slot * MMSGHDR_SIZE;
        headers.set(ValueLayout.JAVA_INT, header + MSG_LEN_OFFSET, lengthBytes);
        headers.set(ValueLayout.JAVA_INT, header + MSG_FLAGS_OFFSET, 0);
        setPeer(slot, ipv4HostOrder, port);
        peerLinks[slot] = peerLink;
    }

    /**
     * @param slot 0..capacity-1.
     * @return the peer's link-layer address as a bypass port packs it (MAC and VLAN, see
     * {@code io.wirekv.dataplane.net.NetStack#peerLink()}), so a reply needs no ARP lookup; {@code 0} on
     * the kernel backend, where the kernel resolves neighbours.
     */
    public long peerLink(final int slot)
    {
        return peerLinks[slot];
    }

    /**
     * @param slot          0..capacity-1.
     * @param ipv4HostOrder the peer's address, e.g. {@code 0x7f000001}.
     * @param port          the peer's port.
     */
    public void setPeer(final int slot, final int ipv4HostOrder, final int port)
    {
        SockaddrInDescriptor.write(names, (long)slot * SockaddrInDescriptor.SIZE, ipv4HostOrder, port);
    }

    /**
     * Copies a peer address from another batch's slot (a reply goes where its request came from).
     *
     * @param slot     this batch's slot.
     * @param from     the batch holding the request.
     * @param fromSlot the request's slot.
     */
    public void copyPeer(final int slot, final DatagramBatch from, final int fromSlot)
    {
        MemorySegment.copy(
            from.names, (long)fromSlot * SockaddrInDescriptor.SIZE,
            names, (long)slot * SockaddrInDescriptor.SIZE, SockaddrInDescriptor.SIZE);
        peerLinks[slot] = from.peerLinks[fromSlot];
    }

    /**
     * Appends a datagram to send back to the peer of a received slot.
     *
     * @param segment     memory holding the datagram.
     * @param offset      where it starts.
     * @param lengthBytes its length.
     * @param peerFrom    the batch holding the request.
     * @param peerSlot    the request's slot.
     * @return the slot used, or -1 when the batch is full (send it first).
     */
    public int add(
        final MemorySegment segment, final long offset, final int lengthBytes, final DatagramBatch peerFrom, final int peerSlot)
    {
        final int slot = count;
        if (slot >= capacity)
        {
            return -1;
        }
        setBuffer(slot, segment, offset, lengthBytes);
        copyPeer(slot, peerFrom, peerSlot);
        count = slot + 1;
        return slot;
    }

    /**
     * Appends a datagram to send to an explicit peer.
     *
     * @param segment       memory holding the datagram.
     * @param offset        where it starts.
     * @param lengthBytes   its length.
     * @param ipv4HostOrder the peer's address.
     * @param port          the peer's port.
     * @return the slot used, or -1 when the batch is full (send it first).
     */
    public int add(
        final MemorySegment segment, final long offset, final int lengthBytes, final int ipv4HostOrder, final int port)
    {
        return add(segment, offset, lengthBytes, ipv4HostOrder, port, 0);
    }

    /**
     * Appends a datagram to send to an explicit peer reached through a known link address.
     *
     * @param segment       memory holding the datagram.
     * @param offset        where it starts.
     * @param lengthBytes   its length.
     * @param ipv4HostOrder the peer's address.
     * @param port          the peer's port.
     * @param peerLink      the peer's link address from the request ({@link #peerLink(int)}).
     * @return the slot used, or -1 when the batch is full (send it first).
     */
    public int add(
        final MemorySegment segment, final long offset, final int lengthBytes, final int ipv4HostOrder, final int port,
        final long peerLink)
    {
        final int slot = count;
        if (slot >= capacity)
        {
            return -1;
        }
        setBuffer(slot, segment, offset, lengthBytes);
        setPeer(slot, ipv4HostOrder, port);
        peerLinks[slot] = peerLink;
        count = slot + 1;
        return slot;
    }

    /**
     * @return true when no more datagrams can be added.
     */
    public boolean isFull()
    {
        return count == capacity;
    }

    /**
     * Frees the native arrays. The caller's buffers are not touched.
     */
    @Override
    public void close()
    {
        if (arena.scope().isAlive())
        {
            arena.close();
        }
    }

    /**
     * Resets what the last receive changed and empties the batch; the kernel port calls it before
     * {@code recvmmsg} ({@code msg_namelen} is in/out).
     */
    void prepareReceive()
    {
        for (int i = 0; i < dirtyNames; i++)
        {
            headers.set(ValueLayout.JAVA_INT, (long)i * MMSGHDR_SIZE + MSG_NAMELEN_OFFSET, SockaddrInDescriptor.SIZE);
        }
        dirtyNames = 0;
        count = 0;
    }

    void received(final int count)
    {
        this.count = count;
        this.dirtyNames = count;
    }

    /**
     * @param slot first slot.
     * @return the native {@code struct mmsghdr} array from that slot on.
     */
    MemorySegment headersFrom(final int slot)
    {
        return headersFrom[slot];
    }
}
