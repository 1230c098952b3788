package io.wirekv.dataplane.snapshot;

import java.io.IOException;
import java.nio.file.Path;

/** A snapshot file that is not a complete, valid snapshot of the expected partition; names the file and offset. */
public final class SnapshotFormatException extends IOException
{
    private final transient Path file;
    private final long offset;
    private final String reason;

    public SnapshotFormatException(final Path file, final long offset, final String reason)
    {
        super("snapshot " + file + ": " + reason + " (at offset " + offset + ")");
        this.file = file;
        this.offset = offset;
        this.reason = reason;
    }

    public Path file()
    {
        return file;
    }

    /** Byte offset in the file where the problem was found. */
    public long offset()
    {
        return offset;
    }

    /** What is wrong, without the file name: "truncated: ...", "frame CRC mismatch", "wrong partition: ...". */
    public String reason()
    {
        return reason;
    }
}
