package io.wirekv.dataplane.replication;

/**
 * A replication failure for the error log ({@code wirekv errors}, de-duplicated there by its message): made without a
 * stack trace, since the message says what and where.
 */
public final class ReplicationException extends RuntimeException
{
    public ReplicationException(final String message)
    {
        super(message, null, false, false);
    }
}
