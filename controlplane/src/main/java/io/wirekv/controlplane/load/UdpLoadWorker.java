package io.wirekv.controlplane.load;

import io.wirekv.controlplane.client.UdpFrame;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;

/**
 * Closed-loop UDP load from one thread and one connected socket: keeps {@code udpInFlight}
 * requests outstanding, each a single datagram with its own request id (memcached's frame
 * header), matches replies to requests by that id, and sends the next request as each one
 * completes. A reply spread over several datagrams completes when all have arrived. A request
 * with no complete reply after {@code timeoutMs} is a timeout, and its id is retired (a late
 * reply to it is ignored). Buffers and packets are allocated once.
 *
 * <p>Threading: runs on its own thread; writes only to {@link LoadStats}'s thread-safe counters.
 */
final class UdpLoadWorker implements Runnable
{
    private static final int IDS = 1 << 16;
    private static final long NONE = -1;
    private static final int POLL_MS = 5;

    private final LoadSpec spec;
    private final LoadStats stats;
    private final long deadlineNs;
    private final long timeoutNs;
    private final byte[] sendBuffer;
    private final byte[] receiveBuffer = new byte[UdpFrame.MAX_DATAGRAM + 1];
    private final long[] sentAtNs = new long[IDS];
    private final boolean[] isGet = new boolean[IDS];
    private final int[] datagramsLeft = new int[IDS];
    private final int[] outcome = new int[IDS];
    private final int[] window;
    private final int[] windowSlotOfId = new int[IDS];
    private final OperationMix mix;
    private int nextId;
    private int outstanding;
    private volatile Throwable failure;

    UdpLoadWorker(final LoadSpec spec, final LoadStats stats, final long deadlineNs, final long seed)
    {
        this.spec = spec;
        this.stats = stats;
        this.deadlineNs = deadlineNs;
        this.timeoutNs = spec.timeoutMs() * 1_000_000L;
        this.sendBuffer = new byte[UdpFrame.HEADER_LENGTH + KeyValues.maxRequestBytes(spec.keySizeBytes(), spec.valueSizeBytes())];
        this.window = new int[spec.udpInFlight()];
        this.mix = new OperationMix(spec, seed);
        this.nextId = (int)(seed & 0xFFFF);
        java.util.Arrays.fill(sentAtNs, NONE);
        java.util.Arrays.fill(window, -1);
    }

    /** The exception that stopped this worker early, or null. */
    Throwable failure()
    {
        return failure;
    }

    @Override
    public void run()
    {
        try (DatagramSocket socket = new DatagramSocket())
        {
            socket.setReceiveBufferSize(4 * 1024 * 1024);
            socket.connect(spec.udpTarget().socketAddress());
            socket.setSoTimeout(POLL_MS);
            final DatagramPacket out = new DatagramPacket(sendBuffer, sendBuffer.length);
            final DatagramPacket in = new DatagramPacket(receiveBuffer, receiveBuffer.length);
            long now = System.nanoTime();
            while (now < deadlineNs)
            {
                for (int slot = 0; slot < window.length; slot++)
                {
                    if (window[slot] < 0)
                    {
                        send(socket, out, slot, now);
                    }
                }
                receive(socket, in);
                now = System.nanoTime();
                expire(now);
            }
            // drain: let outstanding requests finish or time out, so every request is accounted for
            final long drainUntilNs = System.nanoTime() + timeoutNs;
            while (outstanding > 0 && System.nanoTime() < drainUntilNs)
            {
                receive(socket, in);
                expire(System.nanoTime());
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            failure = ex;
        }
        finally
        {
            for (int slot = 0; slot < window.length; slot++)
            {
                if (window[slot] >= 0)
                {
                    retire(window[slot]);
                    stats.timeouts.increment();
                }
            }
        }
    }

    private void send(final DatagramSocket socket, final DatagramPacket out, final int slot, final long now)
        throws IOException
    {
        final int id = nextId;
        nextId = (nextId + 1) & 0xFFFF;
        if (sentAtNs[id] != NONE)
        {
            // the id is still owned by an old request (only if the window wrapped 65536 ids within a timeout)
            return;
        }
        final boolean get = mix.nextIsGet();
        final int key = mix.nextKey();
        UdpFrame.writeRequestHeader(sendBuffer, 0, id);
        final int end = KeyValues.putRequest(sendBuffer, UdpFrame.HEADER_LENGTH, get, key, spec.keySizeBytes(),
            spec.valueSizeBytes());
        out.setLength(end);
        isGet[id] = get;
        datagramsLeft[id] = -1;
        outcome[id] = Replies.ERROR;
        window[slot] = id;
        windowSlotOfId[id] = slot;
        sentAtNs[id] = now;
        outstanding++;
        stats.sent.increment();
        try
        {
            socket.send(out);
        }
        catch (final PortUnreachableException ex)
        {
            // ICMP from an earlier datagram; this one was still sent or is lost: the timeout accounts for it
        }
    }

    private void receive(final DatagramSocket socket, final DatagramPacket in) throws IOException
    {
        try
        {
            in.setLength(receiveBuffer.length);
            socket.receive(in);
        }
        catch (final SocketTimeoutException | PortUnreachableException ex)
        {
            return;
        }
        final long now = System.nanoTime();
        if (in.getLength() < UdpFrame.HEADER_LENGTH)
        {
            return;
        }
        final int id = UdpFrame.requestId(receiveBuffer, 0);
        if (sentAtNs[id] == NONE)
        {
            return; // late reply to a request already counted as a timeout
        }
        final int sequence = UdpFrame.sequence(receiveBuffer, 0);
        final int count = Math.max(1, UdpFrame.count(receiveBuffer, 0));
        if (datagramsLeft[id] < 0)
        {
            datagramsLeft[id] = count;
        }
        if (sequence == 0)
        {
            outcome[id] = Replies.classify(receiveBuffer, UdpFrame.HEADER_LENGTH, in.getLength() - UdpFrame.HEADER_LENGTH,
                isGet[id]);
        }
        if (--datagramsLeft[id] > 0)
        {
            return;
        }
        stats.recordLatency(now - sentAtNs[id]);
        Replies.count(stats, outcome[id]);
        window[windowSlotOfId[id]] = -1;
        retire(id);
    }

    private void expire(final long now)
    {
        for (int slot = 0; slot < window.length; slot++)
        {
            final int id = window[slot];
            if (id >= 0 && now - sentAtNs[id] > timeoutNs)
            {
                window[slot] = -1;
                retire(id);
                stats.timeouts.increment();
            }
        }
    }

    private void retire(final int id)
    {
        sentAtNs[id] = NONE;
        outstanding--;
    }
}
