package io.wirekv.dataplane.proto;

import java.lang.foreign.MemorySegment;

/**
 * How a reader thread hands one write command (its raw bytes: command line plus data block)
 * to the writer of the key's partition. Implemented over SPSC rings by the dataplane; the
 * writer runs {@link WriteExecutor} and sends the reply bytes back tagged with {@code ticket}.
 */
public interface WriteForwarder
{
    /**
     * Copies the command into the writer's ring. The bytes are valid only during this call: they are
     * usually in the session's input, but gat/gats are forwarded one key at a time from the processor's
     * own scratch memory, and a too-large {@code set} is forwarded as its command line only (the reader
     * swallows the data block; the writer only unlinks the key and replies).
     *
     * @return false when the ring is full: nothing was consumed, try again after draining replies.
     */
    boolean forward(int partition, MemorySegment command, long offset, int length, long ticket);
}
