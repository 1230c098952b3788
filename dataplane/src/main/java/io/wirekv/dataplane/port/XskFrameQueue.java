package io.wirekv.dataplane.port;

import io.wirekv.hugepages.FramePool;
import io.wirekv.nativebindings.Errno;
import io.wirekv.nativebindings.NativeException;
import io.wirekv.nativebindings.xdp.XskConsumerRing;
import io.wirekv.nativebindings.xdp.XskDescriptor;
import io.wirekv.nativebindings.xdp.XskProducerRing;
import io.wirekv.nativebindings.xdp.XskSocket;
import io.wirekv.nativebindings.xdp.XskUmem;

import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A {@link FrameQueue} over one AF_XDP socket on (interface, queue id), with its own UMEM in hugepages
 * (ordinary pages as a reported fallback).
 * <p>
 * <b>Frames.</b> The UMEM is {@code frameCount} frames of {@code frameSize} bytes (aligned mode). A
 * frame's handle is its UMEM address (frame index times frame size); its data starts
 * {@link XskDescriptor#XDP_PACKET_HEADROOM} bytes in ({@link #dataOffset(long)}), where the kernel puts
 * received frames, so a received frame and an allocated one look the same. Free frames sit in a LIFO
 * stack ({@link FramePool}); the fill ring is topped up from it at every {@link #receive}, the completion
 * ring drained back into it at every {@link #receive} and at an {@link #allocate} that finds the stack
 * empty (a transmit-only lcore never receives). With the fill ring half the frame count (the default),
 * half the frames are always outside the kernel's fill ring for the lcore's received, replied and
 * allocated frames.
 * <pre>
 *   free stack --refill--> fill ring --kernel--> RX ring --receive--> lcore --transmit--> TX ring
 *       ^                                                              |                     |
 *       +--------------------------free()------------------------------+      kernel sends   |
 *       +----------------------------------drain---------------- completion ring <-----------+
 * </pre>
 * <b>Wakeups.</b> With need-wakeup on (the default) the kernel is woken ({@code sendto} for TX,
 * {@code recvfrom} for fill) only when the ring's {@code XDP_RING_NEED_WAKEUP} flag asks for it; with it
 * off, every transmit kicks and (with busy-poll) an empty receive does too.
 * <p>
 * <b>Set-up.</b> The settings are an {@link XskFrameQueueConfig}; mapping the UMEM, binding the socket,
 * registering it in the XSKMAP, the start-up report and the tear-down are {@link XskSocketBinding}'s job.
 * This class is the part the lcore's duty cycle drives.
 * <p>
 * <b>Threading.</b> As {@link FrameQueue}: the per-packet methods belong to the owning lcore and allocate,
 * lock, log and throw nothing; {@link #deviceStats()}, {@link #queueStats()}, {@link #describe()} and
 * {@link #counters()} from any thread (counters are opaque stores read with opaque loads).
 */
public final class XskFrameQueue implements FrameQueue
{
    /** Extra counter: {@code free} of a handle that was not held (double free or garbage); ignored. */
    static final int BAD_FREES = 0;
    /** Extra counter: {@code recvfrom} wakeups for the fill ring. */
    static final int RX_WAKEUPS = 1;
    /** Extra counter: {@code sendto} wakeups for the TX ring. */
    static final int TX_WAKEUPS = 2;
    /** Extra counter: wakeups that failed with an error other than EAGAIN/EBUSY/ENOBUFS/ENETDOWN. */
    static final int WAKEUP_ERRORS = 3;
    /** Extra counter: frames put in the fill ring. */
    static final int FILLED = 4;
    /** Extra counter: frames the kernel reported sent (completion ring). */
    static final int COMPLETED = 5;
    /** Extra counter: TX frames refused before the ring (bad offset or length for their frame). */
    static final int TX_INVALID = 6;
    private static final String[] EXTRA_NAMES = {
        "bad_frees", "rx_wakeups", "tx_wakeups", "wakeup_errors", "filled", "completed", "tx_invalid"};

    private static final int ENETDOWN = 100;

    private final XskSocketBinding binding;
    private final MemorySegment memory;
    private final XskSocket socket;
    private final XskProducerRing fill;
    private final XskConsumerRing completion;
    private final XskConsumerRing rxRing;
    private final XskProducerRing txRing;
    private final FramePool pool;
    private final int frameShift;
    private final long frameMask;
    private final int frameSize;
    private final int headroom;
    private final boolean needWakeup;
    private final boolean busyPoll;
    private final boolean zeroCopy;
    private final PortCounters counters = new PortCounters();
    private final AtomicLongArray extra = new AtomicLongArray(EXTRA_NAMES.length);
    private int txOutstanding;
    private boolean closed;

    private XskFrameQueue(final XskFrameQueueConfig config, final XskSocketBinding binding)
    {
        final XskUmem umem = binding.umem();
        this.binding = binding;
        this.memory = binding.memory();
        this.socket = binding.socket();
        this.fill = umem.fill();
        this.completion = umem.completion();
        this.rxRing = socket.rx();
        this.txRing = socket.tx();
        this.pool = new FramePool(memory, config.frameSize());
        this.frameSize = config.frameSize();
        this.frameShift = Integer.numberOfTrailingZeros(config.frameSize());
        this.frameMask = config.frameSize() - 1;
        this.headroom = umem.rxHeadroom();
        this.needWakeup = config.needWakeup();
        this.busyPoll = config.busyPoll();
        this.zeroCopy = socket.isZeroCopy();
        refill();
    }

    /**
     * Validates the settings, then sets up the native side ({@link XskSocketBinding#open}: UMEM, socket bound
     * zero-copy first when the mode allows, then copy, XSKMAP entry) and primes the fill ring.
     *
     * @param config the queue's settings.
     * @return the queue; close it after its lcore stopped.
     * @throws IllegalArgumentException naming the setting to fix.
     * @throws NativeException when the socket cannot be created in any allowed mode, with the reasons.
     */
    public static XskFrameQueue open(final XskFrameQueueConfig config)
    {
        config.validate();
        final XskSocketBinding binding = XskSocketBinding.open(config);
        try
        {
            return new XskFrameQueue(config, binding);
        }
        catch (final RuntimeException ex)
        {
            binding.close();
            throw ex;
        }
    }

    @Override
    public MemorySegment memory()
    {
        return memory;
    }

    @Override
    public int frameCapacity()
    {
        return frameSize - headroom;
    }

    @Override
    public int receive(final FrameBurst rx)
    {
        drainCompletions();
        refill();
        final int received = rxRing.peek(rx.capacity());
        if (received == 0)
        {
            rx.count(0);
            if (needWakeup ? fill.needsWakeup() : busyPoll)
            {
                wakeup(socket.kickRx(), RX_WAKEUPS);
            }
            return 0;
        }
        final int first = rxRing.index();
        long bytes = 0;
        for (int i = 0; i < received; i++)
        {
            final long address = rxRing.descriptorAddress(first + i);
            final int length = rxRing.descriptorLength(first + i);
            rx.set(i, address & ~frameMask, address, length);
            bytes += length;
        }
        rxRing.release(received);
        rx.count(received);
        counters.add(PortCounters.RX_PACKETS, received);
        counters.add(PortCounters.RX_BYTES, bytes);
        return received;
    }

    @Override
    public int transmit(final FrameBurst tx)
    {
        final int count = tx.count();
        if (count == 0)
        {
            return 0;
        }
        int slots = Math.min(count, txRing.free(count));
        if (slots < count)
        {
            // The kernel may be waiting for a kick to take what the ring holds: one kick and one more look, no loop.
            kickTxIfNeeded();
            slots = Math.min(count, txRing.free(count));
        }
        if (slots > 0 && txRing.reserve(slots) != slots)
        {
            slots = 0;
        }
        int queued = 0;
        long bytes = 0;
        if (slots > 0)
        {
            final int first = txRing.index();
            for (int i = 0; i < slots; i++)
            {
                final long handle = tx.handle(i);
                final long offset = tx.offset(i);
                final int length = tx.length(i);
                if (isValidTx(handle, offset, length))
                {
                    txRing.setDescriptor(first + queued, offset, length);
                    queued++;
                    bytes += length;
                }
                else
                {
                    dropFrame(handle);
                    extraAdd(TX_INVALID, 1);
                }
            }
            if (queued < slots)
            {
                txRing.cancel(slots - queued);
            }
            if (queued > 0)
            {
                txRing.submit(queued);
                txOutstanding += queued;
            }
        }
        for (int i = Math.max(slots, 0); i < count; i++)
        {
            dropFrame(tx.handle(i));
        }
        tx.clear();
        if (queued > 0)
        {
            counters.add(PortCounters.TX_PACKETS, queued);
            counters.add(PortCounters.TX_BYTES, bytes);
            kickTxIfNeeded();
        }
        return queued;
    }

    @Override
    public long allocate()
    {
        int frame = pool.acquire();
        if (frame == FramePool.NO_FRAME)
        {
            // A transmit-only lcore never calls receive, where completions are normally drained.
            drainCompletions();
            frame = pool.acquire();
        }
        return frame == FramePool.NO_FRAME ? NO_FRAME : (long)frame << frameShift;
    }

    @Override
    public long dataOffset(final long frame)
    {
        return frame + headroom;
    }

    @Override
    public void free(final long frame)
    {
        if (frame < 0 || !pool.release((int)(frame >>> frameShift)))
        {
            extraAdd(BAD_FREES, 1);
        }
    }

    private boolean isValidTx(final long handle, final long offset, final int length)
    {
        // The kernel skips (and never completes) a descriptor that leaves its chunk, which would leak the frame.
        return length > 0 && offset >= 0 && (offset >>> frameShift) == (handle >>> frameShift) &&
            (offset & frameMask) + length <= frameSize && (handle >>> frameShift) < pool.frameCount();
    }

    private void dropFrame(final long handle)
    {
        free(handle);
        counters.add(PortCounters.TX_DROPPED, 1);
    }

    private void kickTxIfNeeded()
    {
        if (!needWakeup || txRing.needsWakeup())
        {
            wakeup(socket.kickTx(), TX_WAKEUPS);
        }
    }

    private void wakeup(final int result, final int counter)
    {
        extraAdd(counter, 1);
        if (result < 0 && result != -Errno.EAGAIN && result != -Errno.EBUSY && result != -Errno.ENOBUFS && result != -ENETDOWN)
        {
            extraAdd(WAKEUP_ERRORS, 1);
            counters.set(counter == TX_WAKEUPS ? PortCounters.LAST_TX_ERRNO : PortCounters.LAST_RX_ERRNO, -result);
        }
    }

    private void drainCompletions()
    {
        if (txOutstanding == 0)
        {
            return;
        }
        final int completed = completion.peek(txOutstanding);
        if (completed > 0)
        {
            final int first = completion.index();
            for (int i = 0; i < completed; i++)
            {
                pool.release((int)(completion.address(first + i) >>> frameShift));
            }
            completion.release(completed);
            txOutstanding -= completed;
            extraAdd(COMPLETED, completed);
        }
        if (txOutstanding > 0 && txRing.outstanding() > 0)
        {
            // Descriptors the kernel has not taken yet: copy mode sends at most a batch per syscall, the rest
            // waits for the next kick.
            kickTxIfNeeded();
        }
    }

    private void refill()
    {
        final int available = pool.available();
        if (available == 0)
        {
            return;
        }
        final int slots = Math.min(available, fill.free(available));
        if (slots <= 0 || fill.reserve(slots) == 0)
        {
            return;
        }
        final int first = fill.index();
        for (int i = 0; i < slots; i++)
        {
            fill.setAddress(first + i, (long)pool.acquire() << frameShift);
        }
        fill.submit(slots);
        extraAdd(FILLED, slots);
    }

    private void extraAdd(final int id, final long delta)
    {
        // Owner thread only: opaque store of a plainly read value; pairs with the opaque loads in queueStats().
        extra.setOpaque(id, extra.getPlain(id) + delta);
    }

    /**
     * @return the queue's packet counters (rx/tx packets and bytes, tx_dropped, last errno values).
     */
    public PortCounters counters()
    {
        return counters;
    }

    /**
     * @return wirekv's own counters for this queue (bad frees, wakeups, frames filled and completed); any thread;
     * allocates.
     */
    public Map<String, Long> queueStats()
    {
        final Map<String, Long> stats = new LinkedHashMap<>();
        for (int i = 0; i < PortCounters.count(); i++)
        {
            stats.put(PortCounters.name(i), counters.get(i));
        }
        for (int i = 0; i < EXTRA_NAMES.length; i++)
        {
            stats.put(EXTRA_NAMES[i], extra.getOpaque(i));
        }
        return stats;
    }

    /**
     * @return frames in the free stack now (owner thread; tests and diagnostics).
     */
    public int freeFrames()
    {
        return pool.available();
    }

    /**
     * @return true when the socket is bound in zero-copy mode.
     */
    public boolean isZeroCopy()
    {
        return zeroCopy;
    }

    /**
     * @return the AF_XDP socket's descriptor.
     */
    public int socketFd()
    {
        return socket.fd();
    }

    /**
     * @return the kernel's {@code XDP_STATISTICS} for the socket: rx_dropped, rx_invalid_descs,
     * tx_invalid_descs, rx_ring_full, rx_fill_ring_empty_descs, tx_ring_empty_descs.
     */
    @Override
    public Map<String, Long> deviceStats()
    {
        return socket.statistics();
    }

    @Override
    public String describe()
    {
        return binding.describe();
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        binding.close();
    }

    @Override
    public String toString()
    {
        return describe();
    }
}
