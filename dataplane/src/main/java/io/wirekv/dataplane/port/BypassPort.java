package io.wirekv.dataplane.port;

import io.wirekv.dataplane.net.Checksums;
import io.wirekv.dataplane.net.FrameWriter;
import io.wirekv.dataplane.net.NetCounters;
import io.wirekv.dataplane.net.NetStack;

import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * A {@link PacketPort} over a kernel-bypass {@link FrameQueue} (DPDK or AF_XDP): the lcore still sees
 * datagram batches, and this class is the small network stack in between.
 * <p>
 * <b>Receive.</b> A burst of raw frames goes through the {@link NetStack}: ARP requests for our
 * address and ICMP echo requests are answered in place (the frame itself becomes the reply and is
 * transmitted at the end of the burst); memcached datagrams have their UDP payload copied into the
 * lcore's slot buffers (requests are small; the copy lets a slot wait for its write without pinning a
 * NIC buffer); IPv4 fragments are copied into the stack's reassembly buffers and their frames freed, and a
 * datagram they complete is copied from there like any other; everything else is counted by reason and freed.
 * <p>
 * <b>Send.</b> Each reply datagram is written behind fresh Ethernet/IPv4/UDP headers, addressed to the
 * MAC and VLAN the request came from (so no ARP lookup), into a packet buffer: first the buffers of
 * this cycle's requests (a reply goes into a request's own buffer, FIFO, so a burst of GETs needs no
 * allocation), then new ones from the queue. Frames are transmitted in bursts; what is still queued
 * at the end of {@link #send} goes out then, so nothing waits longer than one duty cycle.
 * <p>
 * <b>Threading.</b> Like every port: the lcore thread only; counters readable from any thread.
 */
public final class BypassPort implements PacketPort
{
    private final FrameQueue queue;
    private final NetStack stack;
    private final FrameWriter frameWriter;
    private final NetCounters netCounters;
    private final PortCounters counters;
    private final MemorySegment frames;
    private final int frameCapacity;
    private final int udpPort;
    private final long localMac;
    private final String description;
    private final FrameBurst rxFrames;
    private final FrameBurst txFrames;
    /** Datagrams in txFrames not yet counted, and their payload bytes (tx_bytes counts payloads, as the kernel port). */
    private int uncountedDatagrams;
    private long uncountedPayloadBytes;
    /** Received request frames, kept for one duty cycle to carry replies (FIFO ring). */
    private final long[] spares;
    private int spareHead;
    private int spareCount;
    private volatile Map<String, Long> finalDeviceStats;

    /**
     * @param queue       the frame queue this lcore owns; closed with the port.
     * @param stack       the L2/L3 stack for this queue (our MAC and IPv4, the service port).
     * @param netCounters the stack's counters.
     * @param localMac    the appliance's MAC on this port (for reports).
     * @param udpPort     the service port (for {@link #localPort()}).
     * @param burstSize   frames per receive and per transmit.
     */
    public BypassPort(
        final FrameQueue queue, final NetStack stack, final NetCounters netCounters, final long localMac,
        final int udpPort, final int burstSize)
    {
        this(queue, stack, netCounters, new PortCounters(), localMac, udpPort, burstSize);
    }

    /**
     * As {@link #BypassPort(FrameQueue, NetStack, NetCounters, long, int, int)}, counting into
     * {@code counters} (a CnC file's registry slots).
     */
    public BypassPort(
        final FrameQueue queue, final NetStack stack, final NetCounters netCounters, final PortCounters counters,
        final long localMac, final int udpPort, final int burstSize)
    {
        this.counters = counters;
        this.localMac = localMac;
        this.queue = queue;
        this.stack = stack;
        this.frameWriter = stack.frameWriter();
        this.netCounters = netCounters;
        this.frames = queue.memory();
        this.frameCapacity = queue.frameCapacity();
        this.udpPort = udpPort;
        this.rxFrames = new FrameBurst(burstSize);
        this.txFrames = new FrameBurst(burstSize);
        this.spares = new long[burstSize];
        this.description = queue.describe();
    }

    @Override
    public void attachThread()
    {
        queue.attachThread();
    }

    @Override
    public void detachThread()
    {
        queue.detachThread();
    }

    @Override
    public int receive(final DatagramBatch rx)
    {
        releaseSpares();
        stack.expireFragments();
        final int frameCount = queue.receive(rxFrames);
        if (frameCount == 0)
        {
            counters.add(PortCounters.EMPTY_POLLS, 1);
            rx.count(0);
            return 0;
        }
        final int limit = rx.receiveLimit();
        int datagrams = 0;
        long bytes = 0;
        for (int i = 0; i < frameCount; i++)
        {
            final long frame = rxFrames.handle(i);
            switch (stack.onFrame(frames, rxFrames.offset(i), rxFrames.length(i)))
            {
                case NetStack.UDP_REQUEST ->
                {
                    final int length = stack.payloadLength();
                    if (datagrams == limit || length > rx.bufferLength(datagrams))
                    {
                        counters.add(PortCounters.RX_NO_BUFFER, 1);
                        queue.free(frame);
                        continue;
                    }
                    // payloadMemory: the frame's, or the reassembler's for a datagram that came in fragments
                    MemorySegment.copy(
                        stack.payloadMemory(), stack.payloadOffset(), rx.segment(datagrams), rx.offset(datagrams), length);
                    rx.setReceived(datagrams, length, stack.peerIpv4(), stack.peerPort(), stack.peerLink());
                    datagrams++;
                    bytes += length;
                    spares[(spareHead + spareCount++) % spares.length] = frame;
                }
                case NetStack.REPLY_IN_PLACE -> queueFrame(frame, rxFrames.offset(i), stack.replyLength());
                default -> queue.free(frame); // DROP (counted by the stack) or PASS (nothing to pass it to here)
            }
        }
        if (txFrames.count() > 0)
        {
            transmit();
        }
        counters.add(PortCounters.RX_PACKETS, datagrams);
        counters.add(PortCounters.RX_BYTES, bytes);
        rx.count(datagrams);
        return datagrams;
    }

    @Override
    public int send(final DatagramBatch tx)
    {
        final int count = tx.count();
        int sent = 0;
        for (int i = 0; i < count; i++)
        {
            final long frame = spareCount > 0 ? takeSpare() : queue.allocate();
            if (FrameQueue.NO_FRAME == frame)
            {
                counters.add(PortCounters.TX_NO_BUFFER, 1);
                counters.add(PortCounters.TX_DROPPED, 1);
                continue;
            }
            final long peerLink = tx.peerLink(i);
            final int payloadLength = tx.bufferLength(i);
            final long data = queue.dataOffset(frame);
            if (FrameWriter.headerLength(peerLink) + payloadLength > frameCapacity)
            {
                queue.free(frame); // udp.max.payload is validated against the frame size: a bug if it happens
                counters.add(PortCounters.TX_DROPPED, 1);
                continue;
            }
            final long payloadSum = Checksums.copyAndSum(
                tx.segment(i), tx.offset(i), frames, data + FrameWriter.headerLength(peerLink), payloadLength);
            final int frameLength = frameWriter.writeUdpHeaders(
                frames, data, peerLink, tx.peerAddress(i), tx.peerPort(i), payloadLength, payloadSum);
            if (frameLength < 0)
            {
                queue.free(frame); // no link address for the peer (a datagram that did not come from a request)
                counters.add(PortCounters.TX_DROPPED, 1);
                continue;
            }
            uncountedDatagrams++;
            uncountedPayloadBytes += payloadLength;
            queueFrame(frame, data, frameLength);
            sent++;
        }
        if (txFrames.count() > 0)
        {
            transmit();
        }
        releaseSpares();
        tx.count(0);
        return sent;
    }

    @Override
    public int localPort()
    {
        return udpPort;
    }

    @Override
    public PortCounters counters()
    {
        return counters;
    }

    /**
     * @return the appliance's MAC address on this port (48 bits, first byte on the wire highest).
     */
    public long localMac()
    {
        return localMac;
    }

    /**
     * @return the L2/L3 stack's counters (ARP, ICMP, drops by reason).
     */
    public NetCounters netCounters()
    {
        return netCounters;
    }

    /**
     * @return the device's own statistics (see {@link FrameQueue#deviceStats()}); any thread; after
     * {@link #close()}, the last values read before the queue closed.
     */
    public Map<String, Long> deviceStats()
    {
        final Map<String, Long> last = finalDeviceStats;
        return last != null ? last : queue.deviceStats();
    }

    /**
     * Sends a broadcast ARP request for {@code targetIpv4} (see {@link FrameWriter#writeArpRequest}); the
     * reply is learned into this port's neighbour table when a later {@link #receive} takes it. For a
     * sender that addresses datagrams itself (the load generator), at setup time, on the thread that
     * owns the port.
     *
     * @param targetIpv4 the address to resolve, host order.
     * @return true when the device took the frame.
     */
    public boolean sendArpRequest(final int targetIpv4)
    {
        final long frame = queue.allocate();
        if (FrameQueue.NO_FRAME == frame)
        {
            counters.add(PortCounters.TX_NO_BUFFER, 1);
            return false;
        }
        final long data = queue.dataOffset(frame);
        txFrames.add(frame, data, frameWriter.writeArpRequest(frames, data, targetIpv4));
        final int sent = queue.transmit(txFrames); // frees the frame if the device refuses it
        return sent == 1;
    }

    /**
     * @param ipv4 host order.
     * @return the link address (see {@link io.wirekv.dataplane.net.PeerLink}) this port's stack has
     * learned for the address, or -1; on the thread that owns the port.
     */
    public long neighbourLink(final int ipv4)
    {
        return stack.arpTable().lookup(ipv4);
    }

    @Override
    public String describe()
    {
        return description;
    }

    @Override
    public void close()
    {
        releaseSpares();
        finalDeviceStats = Map.copyOf(queue.deviceStats()); // the device's view of drops outlives the queue
        queue.close();
    }

    private void queueFrame(final long frame, final long offset, final int length)
    {
        txFrames.add(frame, offset, length);
        if (txFrames.isFull())
        {
            transmit();
        }
    }

    private void transmit()
    {
        final int queued = txFrames.count();
        if (uncountedDatagrams > 0)
        {
            // Counted before the device has them: by the time a reply can arrive, tx_packets includes it.
            counters.add(PortCounters.TX_PACKETS, uncountedDatagrams);
            counters.add(PortCounters.TX_BYTES, uncountedPayloadBytes);
            uncountedDatagrams = 0;
            uncountedPayloadBytes = 0;
        }
        final int sent = queue.transmit(txFrames); // frees what the device refuses
        if (sent < queued)
        {
            counters.add(PortCounters.TX_DROPPED, queued - sent);
        }
    }

    private long takeSpare()
    {
        final long frame = spares[spareHead];
        spareHead = (spareHead + 1) % spares.length;
        spareCount--;
        return frame;
    }

    private void releaseSpares()
    {
        while (spareCount > 0)
        {
            queue.free(takeSpare());
        }
        spareHead = 0;
    }
}
