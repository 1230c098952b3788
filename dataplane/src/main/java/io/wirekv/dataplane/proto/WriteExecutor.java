package io.wirekv.dataplane.proto;

import io.wirekv.dataplane.table.PartitionWriter;

import java.lang.foreign.MemorySegment;

/**
 * Runs on a partition's writer thread: parses one forwarded write command and applies it,
 * writing memcached's reply (possibly empty, for noreply/quiet) into {@code reply}.
 */
public final class WriteExecutor
{
    public WriteExecutor(final io.wirekv.dataplane.table.Table table, final ProtocolSettings settings)
    {
        throw new UnsupportedOperationException("proto: not yet implemented");
    }

    /** @return the reply length in bytes. */
    public int execute(PartitionWriter writer, MemorySegment command, long offset, int length, ReplyBuffer reply)
    {
        throw new UnsupportedOperationException("proto: not yet implemented");
    }
}
