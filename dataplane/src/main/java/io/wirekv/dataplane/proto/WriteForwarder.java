package io.wirekv.dataplane.proto;

import java.lang.foreign.MemorySegment;

/**
 * How a reader thread hands one {@link io.wirekv.dataplane.record.WriteRecordDescriptor write record} to the
 * writer of its partition: claim room, encode the record in place, commit. Implemented over SPSC rings by the
 * dataplane; the writer answers with a {@link io.wirekv.dataplane.record.WriteReplyDescriptor binary reply}
 * carrying the record's ticket.
 */
public interface WriteForwarder
{
    /**
     * Claims {@code length} bytes on the way to {@code partition}'s writer.
     * @return the offset of the room in {@link #memory()}, or negative when the ring is full (nothing claimed:
     * try again after draining replies).
     */
    int claim(int partition, int length);

    /** The memory the last successful claim is in. */
    MemorySegment memory();

    /** Hands the claimed record at {@code offset} to the writer. */
    void commit(int offset);

    /** A forwarder whose ring is always full: for engines that only read (benchmarks of the read path). */
    static WriteForwarder readOnly()
    {
        return new WriteForwarder()
        {
            @Override
            public int claim(final int partition, final int length)
            {
                return -1;
            }

            @Override
            public MemorySegment memory()
            {
                throw new IllegalStateException("nothing was claimed");
            }

            @Override
            public void commit(final int offset)
            {
                throw new IllegalStateException("nothing was claimed");
            }
        };
    }
}
