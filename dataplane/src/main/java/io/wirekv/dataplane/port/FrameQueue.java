package io.wirekv.dataplane.port;

import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * One receive/transmit queue pair of a kernel-bypass device (a DPDK ethdev queue, an AF_XDP socket),
 * driven by one lcore: raw Ethernet frames in packet buffers the device owns (mbufs, UMEM frames).
 * <p>
 * <b>Frames.</b> A frame is named by a {@code long} handle (an mbuf pointer, a UMEM address) and its
 * bytes start at an offset in {@link #memory()} (for DPDK the whole address space, so the offset is
 * the absolute address; for AF_XDP the UMEM, so it is the UMEM address). Every frame the lcore holds
 * (received, or allocated for a reply) goes back exactly once: in a {@link #transmit} or through
 * {@link #free}.
 * <p>
 * <b>Threading.</b> Confined to the owning lcore, except {@link #deviceStats()} and
 * {@link #describe()}, which any thread may call, and {@link #close()}, called once the lcore has
 * stopped. Nothing here allocates, locks or throws on the per-packet path.
 */
public interface FrameQueue extends AutoCloseable
{
    /** Returned by {@link #allocate()} when no buffer is free. */
    long NO_FRAME = -1;

    /**
     * @return the memory every frame offset refers to.
     */
    MemorySegment memory();

    /**
     * @return bytes a frame buffer can hold from its data offset (the largest frame that can be sent).
     */
    int frameCapacity();

    /**
     * Receives up to {@code rx.capacity()} frames into {@code rx} (replacing what it held).
     *
     * @param rx the burst to fill.
     * @return frames received; {@code 0} when none was waiting.
     */
    int receive(FrameBurst rx);

    /**
     * Transmits the burst's frames, with the lengths the burst holds, and empties it. Frames the device
     * would not take are freed (the caller counts {@code count - result} as dropped); the call never
     * retries without bound.
     *
     * @param tx frames to send.
     * @return frames handed to the device.
     */
    int transmit(FrameBurst tx);

    /**
     * @return a free frame buffer's handle (its data offset from {@link #dataOffset(long)}), or
     * {@link #NO_FRAME} when none is free.
     */
    long allocate();

    /**
     * @param frame a handle.
     * @return where the frame's data starts in {@link #memory()}; for a received frame the same value
     * the receive burst reported.
     */
    long dataOffset(long frame);

    /**
     * Returns a frame the lcore will not transmit.
     *
     * @param frame a handle from a receive or {@link #allocate()}.
     */
    void free(long frame);

    /**
     * @return the device's own statistics by name (DPDK {@code imissed}, {@code rx_nombuf}; AF_XDP
     * {@code XDP_STATISTICS}), for reports; may allocate.
     */
    Map<String, Long> deviceStats();

    /**
     * @return a one-line description for the start-up report.
     */
    String describe();

    /**
     * Called on the lcore thread before its first receive (DPDK registers the thread, so the mempool
     * cache works for it).
     */
    default void attachThread()
    {
    }

    /**
     * Called on the lcore thread after its last transmit.
     */
    default void detachThread()
    {
    }

    /**
     * Releases the queue's resources (frames still held are reclaimed with the device).
     */
    @Override
    void close();
}
