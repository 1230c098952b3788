package io.wirekv.dataplane.cnc;

import org.agrona.BitUtil;

/**
 * Layout of the counters region (the CnC file's counter metadata and counter values sections, or an
 * arena where a server runs without a file). Modelled on Aeron's CountersManager: the values live in
 * one region, each long written by exactly one thread, and a metadata record says what each counter is
 * and where its value is. Unlike Aeron, a counter may be the sum of several slots (one per writing
 * thread, e.g. {@code cmd_get} over every reader and writer thread), and one thread's slots are packed
 * together into a block rather than padded one by one, so a thread's hot counters share its cache lines.
 * <p>Values section: blocks, each written by one thread only, each starting on a
 * {@value #BLOCK_ALIGNMENT}-byte boundary (two cache lines, so the adjacent-line prefetcher never pairs
 * two threads' lines):
 * <pre>
 *  +---------------------------------------------------------------+
 *  |  block of thread A: slot 0 (long), slot 1 (long), ...         |  0
 *  |                  pad to a multiple of 128                     |
 *  +---------------------------------------------------------------+
 *  |  block of thread B: slot 0 (long), slot 1 (long), ...         |  128 * k
 *  |                  pad to a multiple of 128                     |
 *  +---------------------------------------------------------------+
 *  |  ...                                                          |
 * </pre>
 * Metadata section: one {@value #RECORD_LENGTH}-byte record per counter, allocated in order from 0; a
 * reader stops at the first record whose state is not {@link #RECORD_READY}:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |     State (int: 0 unused, 1 ready; written last, release)     |  0
 *  +---------------------------------------------------------------+
 *  |                Type id (int, CncMetric's frozen id)           |  4
 *  +---------------------------------------------------------------+
 *  |              Kind (int: 1 = counter, 2 = gauge)               |  8
 *  +---------------------------------------------------------------+
 *  |                  lcore (int; -1 = not per lcore)              | 12
 *  +---------------------------------------------------------------+
 *  |                  port (int; -1 = not per port)                | 16
 *  +---------------------------------------------------------------+
 *  |          Value offset (int: slot 0 in the values section)     | 20
 *  +---------------------------------------------------------------+
 *  |      Slot count (int: the value is the sum of this many)      | 24
 *  +---------------------------------------------------------------+
 *  |          Slot stride (int: bytes from one slot to the next)   | 28
 *  +---------------------------------------------------------------+
 *  |                    Name length (int)                          | 32
 *  +---------------------------------------------------------------+
 *  |            Name, US-ASCII, e.g. rx_packets (<= 92)           ... 36
 *  +---------------------------------------------------------------+
 * </pre>
 * A slot's owner adds with a plain load and an opaque store (no atomic read-modify-write: one writer);
 * readers load opaque. Longs are 8-byte aligned, so no value tears. Counters ({@link #KIND_COUNTER})
 * only ever grow: nothing subtracts from them, not even {@code stats reset}.
 */
public final class CounterRegistryDescriptor
{
    public static final int KIND_COUNTER = 1;
    public static final int KIND_GAUGE = 2;
    /** The lcore or port of a counter that is not per lcore or per port. */
    public static final int NONE = -1;

    public static final int RECORD_UNUSED = 0;
    public static final int RECORD_READY = 1;

    public static final int STATE_OFFSET = 0;
    public static final int TYPE_ID_OFFSET = STATE_OFFSET + BitUtil.SIZE_OF_INT;
    public static final int KIND_OFFSET = TYPE_ID_OFFSET + BitUtil.SIZE_OF_INT;
    public static final int LCORE_OFFSET = KIND_OFFSET + BitUtil.SIZE_OF_INT;
    public static final int PORT_OFFSET = LCORE_OFFSET + BitUtil.SIZE_OF_INT;
    public static final int VALUE_OFFSET_OFFSET = PORT_OFFSET + BitUtil.SIZE_OF_INT;
    public static final int SLOT_COUNT_OFFSET = VALUE_OFFSET_OFFSET + BitUtil.SIZE_OF_INT;
    public static final int SLOT_STRIDE_OFFSET = SLOT_COUNT_OFFSET + BitUtil.SIZE_OF_INT;
    public static final int NAME_LENGTH_OFFSET = SLOT_STRIDE_OFFSET + BitUtil.SIZE_OF_INT;
    public static final int NAME_OFFSET = NAME_LENGTH_OFFSET + BitUtil.SIZE_OF_INT;
    public static final int RECORD_LENGTH = 128;
    public static final int MAX_NAME_LENGTH = RECORD_LENGTH - NAME_OFFSET;

    /** Every block starts on this boundary: two cache lines. */
    public static final int BLOCK_ALIGNMENT = 2 * BitUtil.CACHE_LINE_LENGTH;

    private CounterRegistryDescriptor()
    {
    }

    /** Bytes of one block of {@code slots} longs, padded to {@link #BLOCK_ALIGNMENT}. */
    public static int blockLength(final int slots)
    {
        return BitUtil.align(Math.max(1, slots) * BitUtil.SIZE_OF_LONG, BLOCK_ALIGNMENT);
    }

    /** Metadata bytes for {@code counters} records. */
    public static int metadataLength(final int counters)
    {
        return Math.max(1, counters) * RECORD_LENGTH;
    }

    /** Offset of record {@code counterId} in the metadata section. */
    public static int recordOffset(final int counterId)
    {
        return counterId * RECORD_LENGTH;
    }
}
