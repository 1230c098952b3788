package io.wirekv.dataplane.port;

import io.wirekv.nativebindings.HotMemory;
import io.wirekv.nativebindings.dpdk.DpdkEthPort;
import io.wirekv.nativebindings.dpdk.Eal;
import io.wirekv.nativebindings.dpdk.EthStats;
import io.wirekv.nativebindings.dpdk.MbufDescriptor;
import org.agrona.UnsafeApi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * One RX/TX queue pair of a DPDK ethdev as a {@link FrameQueue}: frames are mbufs (the handle is the
 * mbuf's address, the offset the absolute address of its data), so {@link #memory()} is the whole
 * address space.
 * <p>
 * Per packet it makes no downcall: bursts go through the shim once per burst, allocation is served
 * from a small stash refilled with one bulk allocation, and frees are gathered and returned with one
 * bulk free (at the end of {@link #transmit}, or when the gather array fills).
 * <p>
 * Frames are single-segment (2 KiB mbufs, standard MTU): a chained mbuf is reported with its first
 * segment's length, which the L2/L3 stack then finds inconsistent with the IP length and drops.
 */
public final class DpdkFrameQueue implements FrameQueue
{
    @SuppressWarnings("restricted")
    private static final MemorySegment ALL_MEMORY = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    private static final int STASH = 32;

    private final DpdkEthPort port;
    private final int queue;
    private final int burstSize;
    private final int frameCapacity;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment rxMbufs;
    private final MemorySegment txMbufs;
    private final long rxMbufsAddress;
    private final long txMbufsAddress;
    private final MemorySegment freeMbufs;
    private final MemorySegment stash;
    private final EthStats stats = new EthStats(arena);
    private int freeCount;
    private int stashCount;

    /**
     * @param port      a started port.
     * @param queue     the RX and TX queue this lcore owns.
     * @param burstSize most frames per receive.
     */
    public DpdkFrameQueue(final DpdkEthPort port, final int queue, final int burstSize)
    {
        this.port = port;
        this.queue = queue;
        this.burstSize = burstSize;
        this.frameCapacity = port.config().dataRoomSize() - MbufDescriptor.HEADROOM;
        // unchecked views: no arena check per access, and no session acquire and release (two atomic updates)
        // around each burst downcall that is passed one; close() runs after the lcore stopped
        this.rxMbufs = mbufArray(burstSize);
        this.txMbufs = mbufArray(Math.max(burstSize, STASH));
        this.rxMbufsAddress = rxMbufs.address();
        this.txMbufsAddress = txMbufs.address();
        this.freeMbufs = mbufArray(STASH);
        this.stash = mbufArray(STASH);
    }

    /**
     * Registers the lcore thread with DPDK (an lcore id, so the pool's per-lcore cache serves it).
     */
    @Override
    public void attachThread()
    {
        Eal.registerThread();
    }

    @Override
    public void detachThread()
    {
        Eal.unregisterThread();
    }

    @Override
    public MemorySegment memory()
    {
        return ALL_MEMORY;
    }

    @Override
    public int frameCapacity()
    {
        return frameCapacity;
    }

    @Override
    public int receive(final FrameBurst rx)
    {
        final int received = port.rxBurst(queue, rxMbufs, Math.min(burstSize, rx.capacity()));
        for (int i = 0; i < received; i++)
        {
            final long mbuf = UnsafeApi.getLong(rxMbufsAddress + ((long)i << 3)); // raw, as MbufDescriptor's
            rx.set(i, mbuf, MbufDescriptor.dataAddress(mbuf), MbufDescriptor.dataLength(mbuf));
        }
        rx.count(received);
        return received;
    }

    @Override
    public int transmit(final FrameBurst tx)
    {
        final int count = tx.count();
        final int capacity = (int)(txMbufs.byteSize() / ADDRESS.byteSize());
        int sent = 0;
        for (int from = 0; from < count; from += capacity)
        {
            final int n = Math.min(count - from, capacity);
            for (int i = 0; i < n; i++)
            {
                final long mbuf = tx.handle(from + i);
                MbufDescriptor.setLength(mbuf, tx.length(from + i));
                UnsafeApi.putLong(txMbufsAddress + ((long)i << 3), mbuf);
            }
            sent += port.txBurstOrFree(queue, txMbufs, n); // frees what the driver refused
        }
        tx.clear();
        flushFrees();
        return sent;
    }

    @Override
    public long allocate()
    {
        if (stashCount == 0)
        {
            if (!port.allocMbufs(stash, STASH))
            {
                final long one = port.allocMbuf();
                return one == 0 ? NO_FRAME : one;
            }
            stashCount = STASH;
        }
        return stash.getAtIndex(JAVA_LONG_UNALIGNED, --stashCount);
    }

    @Override
    public long dataOffset(final long frame)
    {
        return MbufDescriptor.dataAddress(frame);
    }

    @Override
    public void free(final long frame)
    {
        freeMbufs.setAtIndex(JAVA_LONG_UNALIGNED, freeCount++, frame);
        if (freeCount == STASH)
        {
            flushFrees();
        }
    }

    @Override
    public Map<String, Long> deviceStats()
    {
        final Map<String, Long> values = new LinkedHashMap<>();
        if (port.readStats(stats) == 0)
        {
            values.put("ipackets", stats.ipackets());
            values.put("opackets", stats.opackets());
            values.put("ibytes", stats.ibytes());
            values.put("obytes", stats.obytes());
            values.put("imissed", stats.imissed());
            values.put("ierrors", stats.ierrors());
            values.put("oerrors", stats.oerrors());
            values.put("rx_nombuf", stats.rxNoMbuf());
        }
        return values;
    }

    @Override
    public String describe()
    {
        return "dpdk " + port.name() + " (port " + port.portId() + ", " + port.deviceInfo().driverName() + ") queue " + queue +
            ", mac " + DpdkEthPort.formatMac(port.macAddress());
    }

    /**
     * Returns the stashed and gathered mbufs to the pool; the port itself is closed by its owner after
     * every queue.
     */
    @Override
    public void close()
    {
        flushFrees();
        if (stashCount > 0)
        {
            port.freeMbufs(stash, stashCount);
            stashCount = 0;
        }
        arena.close();
    }

    private MemorySegment mbufArray(final int mbufs)
    {
        return HotMemory.allocate(arena, ADDRESS.byteSize() * mbufs, ADDRESS.byteAlignment());
    }

    private void flushFrees()
    {
        if (freeCount > 0)
        {
            port.freeMbufs(freeMbufs, freeCount);
            freeCount = 0;
        }
    }
}
