package io.wirekv.dataplane.testnet;

import io.wirekv.nativebindings.dpdk.DpdkEthPort;
import io.wirekv.nativebindings.dpdk.MbufDescriptor;
import io.wirekv.nativebindings.dpdk.RteMbuf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The test's end of a ring-port pair: sends whole frames given as bytes and collects what comes back.
 * One thread only (the test's).
 */
public final class TestFrameLink implements AutoCloseable
{
    private static final long WAIT_NS = 5_000_000_000L;
    private static final long QUIET_NS = 200_000_000L;

    private final DpdkEthPort port;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment mbufs = arena.allocate(ADDRESS, 32);
    private final java.util.ArrayDeque<byte[]> pending = new java.util.ArrayDeque<>();

    /**
     * @param deviceName the test's side of the pair.
     */
    public TestFrameLink(final String deviceName)
    {
        this(deviceName, 1);
    }

    /**
     * @param deviceName the test's side of the pair.
     * @param queues     queues to open (the pair's count); {@link #send(byte[], int)} picks one.
     */
    public TestFrameLink(final String deviceName, final int queues)
    {
        this.port = DpdkEthPort.open(deviceName, new DpdkEthPort.Config(queues, queues, 1024, 1024, 2047, 64,
            RteMbuf.RTE_MBUF_DEFAULT_BUF_SIZE));
    }

    /**
     * @param frame a whole Ethernet frame.
     */
    public void send(final byte[] frame)
    {
        send(frame, 0);
    }

    /**
     * @param frame a whole Ethernet frame.
     * @param queue the TX queue (arrives on the same queue of the other side).
     */
    public void send(final byte[] frame, final int queue)
    {
        final long mbuf = port.allocMbuf();
        if (mbuf == 0)
        {
            throw new IllegalStateException("test pool empty");
        }
        if (frame.length > MbufDescriptor.bufferLength(mbuf) - MbufDescriptor.dataOffset(mbuf))
        {
            port.freeMbuf(mbuf);
            throw new IllegalArgumentException("a " + frame.length + "-byte frame does not fit one mbuf (MTU 1500)");
        }
        MbufDescriptor.copyIn(frame, 0, mbuf, 0, frame.length);
        MbufDescriptor.setLength(mbuf, frame.length);
        mbufs.setAtIndex(JAVA_LONG, 0, mbuf);
        if (port.txBurstOrFree(queue, mbufs, 1) != 1)
        {
            throw new IllegalStateException("ring full");
        }
    }

    /**
     * Sends {@code frame}, waiting (up to 5 s) while the pair's ring is full, for replays that send faster
     * than the other side polls.
     */
    public void sendWaiting(final byte[] frame)
    {
        final long mbuf = port.allocMbuf();
        if (mbuf == 0)
        {
            throw new IllegalStateException("test pool empty");
        }
        MbufDescriptor.copyIn(frame, 0, mbuf, 0, frame.length);
        MbufDescriptor.setLength(mbuf, frame.length);
        mbufs.setAtIndex(JAVA_LONG, 0, mbuf);
        final long deadline = System.nanoTime() + WAIT_NS;
        while (port.txBurst(0, mbufs, 1) != 1)
        {
            if (System.nanoTime() > deadline)
            {
                port.freeMbuf(mbuf);
                throw new IllegalStateException("ring full for 5 s: the other side stopped polling");
            }
            Thread.onSpinWait();
        }
    }

    /** @return mbufs of this side's pool that are out of it (in flight, or held by the other side). */
    public int mbufsInUse()
    {
        return port.inUseMbufs();
    }

    /**
     * @param timeoutNs how long to wait.
     * @return the next frame that arrives within the timeout, or null.
     */
    public byte[] poll(final long timeoutNs)
    {
        if (!pending.isEmpty())
        {
            return pending.removeFirst();
        }
        final long deadline = System.nanoTime() + timeoutNs;
        do
        {
            final int n = port.rxBurst(0, mbufs, 32);
            for (int i = 0; i < n; i++)
            {
                pending.addLast(copyAndFree(mbufs.getAtIndex(JAVA_LONG, i)));
            }
            if (!pending.isEmpty())
            {
                return pending.removeFirst();
            }
            Thread.onSpinWait();
        }
        while (System.nanoTime() < deadline);
        return null;
    }

    /**
     * @param expected frames to wait for (up to 5 s); 0 waits 200 ms for anything that should not come.
     * @return the frames that arrived, in order (more than expected if more came at once).
     */
    public List<byte[]> receive(final int expected)
    {
        return receive(expected, 0);
    }

    /**
     * @param expected frames to wait for on {@code queue} (up to 5 s); 0 waits 200 ms.
     * @param queue    the RX queue.
     * @return the frames that arrived there.
     */
    public List<byte[]> receive(final int expected, final int queue)
    {
        final List<byte[]> frames = new ArrayList<>(pending);
        pending.clear();
        final long deadline = System.nanoTime() + (expected == 0 ? QUIET_NS : WAIT_NS);
        while ((expected == 0 || frames.size() < expected) && System.nanoTime() < deadline)
        {
            final int n = port.rxBurst(queue, mbufs, 32);
            for (int i = 0; i < n; i++)
            {
                frames.add(copyAndFree(mbufs.getAtIndex(JAVA_LONG, i)));
            }
            if (n == 0)
            {
                Thread.onSpinWait();
            }
        }
        if (frames.size() < expected)
        {
            throw new AssertionError("expected " + expected + " frame(s) within 5 s, got " + frames.size());
        }
        return frames;
    }

    private byte[] copyAndFree(final long mbuf)
    {
        final byte[] frame = new byte[MbufDescriptor.dataLength(mbuf)];
        MbufDescriptor.copyOut(mbuf, 0, frame, 0, frame.length);
        port.freeMbuf(mbuf);
        return frame;
    }

    @Override
    public void close()
    {
        for (int q = 0; q < port.config().rxQueues(); q++)
        {
            for (int n = port.rxBurst(q, mbufs, 32); n > 0; n = port.rxBurst(q, mbufs, 32))
            {
                port.freeMbufs(mbufs, n); // return what is still queued before the pool goes
            }
        }
        port.close();
        arena.close();
    }
}
