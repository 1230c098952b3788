package io.wirekv.dataplane.proto;

import java.lang.foreign.MemorySegment;

/**
 * How a reader thread hands one write command (its raw bytes: command line plus data block)
 * to the writer of the key's partition. Implemented over SPSC rings by the dataplane; the
 * writer runs {@link WriteExecutor} and sends the reply bytes back tagged with {@code ticket}.
 */
public interface WriteForwarder
{
    /** @return false when the ring is full: nothing was consumed, try again after draining replies. */
    boolean forward(int partition, MemorySegment command, long offset, int length, long ticket);
}
