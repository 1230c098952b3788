package io.wirekv.dataplane.cnc;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * Messages of the admin channel in the CnC file. A client claims a correlation id from the command
 * ring ({@code nextCorrelationId}), writes a command into the ring with the command's type id, and
 * waits on the response broadcast for the {@link #RESPONSE} carrying the same correlation id.
 * <p>Command body:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                    Correlation id (long)                      |  0
 *  +---------------------------------------------------------------+
 *  |                     Flags (int, memcached)                    |  8
 *  +---------------------------------------------------------------+
 *  |               Exptime (int, memcached seconds)                | 12
 *  +---------------------------------------------------------------+
 *  |                      Key length (int)                         | 16
 *  +---------------------------------------------------------------+
 *  |                      Value length (int)                       | 20
 *  +---------------------------------------------------------------+
 *  |              Key bytes, then value bytes                     ... 24
 *  +---------------------------------------------------------------+
 * </pre>
 * Response body:
 * <pre>
 *  +---------------------------------------------------------------+
 *  |                    Correlation id (long)                      |  0
 *  +---------------------------------------------------------------+
 *  |             Status (int: 0 ok, 1 not found, 2 error)          |  8
 *  +---------------------------------------------------------------+
 *  |                     Flags (int, for get)                      | 12
 *  +---------------------------------------------------------------+
 *  |                      Payload length (int)                     | 16
 *  +---------------------------------------------------------------+
 *  |   Payload: the value (get) or a one-line message             ... 20
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class AdminProtocol
{
    public static final int GET = 1;
    public static final int SET = 2;
    public static final int DELETE = 3;
    public static final int FLUSH = 4;
    public static final int SHUTDOWN = 5;
    /** Snapshot every partition (persistence async/sync); the answer, once durable, has a line per partition. */
    public static final int SNAPSHOT = 6;
    /**
     * Digest of the live items, per partition: the flags field carries the partition, -1 for all; the answer has a
     * line per partition ({@code io.wirekv.dataplane.digest.PartitionDigest#wireLine}).
     */
    public static final int DIGEST = 7;
    /** Replication: make this backup the primary (epoch + 1); the key is the peer to push to (host:port) or empty. */
    public static final int PROMOTE = 8;
    /** Replication: make this primary (fenced or not) a backup; the key is the new primary (host:port) or empty. */
    public static final int DEMOTE = 9;
    /** Replication: role, epoch, peer, connection, per-partition lag, as text. */
    public static final int REPLICATION_STATUS = 10;
    public static final int RESPONSE = 100;

    public static final int STATUS_OK = 0;
    public static final int STATUS_NOT_FOUND = 1;
    public static final int STATUS_ERROR = 2;

    public static final int CORRELATION_ID_OFFSET = 0;
    public static final int FLAGS_OFFSET = CORRELATION_ID_OFFSET + Long.BYTES;
    public static final int EXPTIME_OFFSET = FLAGS_OFFSET + Integer.BYTES;
    public static final int KEY_LENGTH_OFFSET = EXPTIME_OFFSET + Integer.BYTES;
    public static final int VALUE_LENGTH_OFFSET = KEY_LENGTH_OFFSET + Integer.BYTES;
    public static final int KEY_OFFSET = VALUE_LENGTH_OFFSET + Integer.BYTES;

    public static final int STATUS_OFFSET = CORRELATION_ID_OFFSET + Long.BYTES;
    public static final int RESPONSE_FLAGS_OFFSET = STATUS_OFFSET + Integer.BYTES;
    public static final int PAYLOAD_LENGTH_OFFSET = RESPONSE_FLAGS_OFFSET + Integer.BYTES;
    public static final int PAYLOAD_OFFSET = PAYLOAD_LENGTH_OFFSET + Integer.BYTES;

    private AdminProtocol()
    {
    }

    /** Encodes a command body into {@code buffer} at 0; returns its length. */
    public static int encodeCommand(
        final MutableDirectBuffer buffer, final long correlationId, final int flags, final int exptime, final byte[] key,
        final byte[] value)
    {
        buffer.putLong(CORRELATION_ID_OFFSET, correlationId);
        buffer.putInt(FLAGS_OFFSET, flags);
        buffer.putInt(EXPTIME_OFFSET, exptime);
        buffer.putInt(KEY_LENGTH_OFFSET, key.length);
        buffer.putInt(VALUE_LENGTH_OFFSET, value.length);
        buffer.putBytes(KEY_OFFSET, key);
        buffer.putBytes(KEY_OFFSET + key.length, value);
        return KEY_OFFSET + key.length + value.length;
    }

    /** Encodes a response body into {@code buffer} at 0; returns its length. */
    public static int encodeResponse(
        final MutableDirectBuffer buffer, final long correlationId, final int status, final int flags, final byte[] payload)
    {
        buffer.putLong(CORRELATION_ID_OFFSET, correlationId);
        buffer.putInt(STATUS_OFFSET, status);
        buffer.putInt(RESPONSE_FLAGS_OFFSET, flags);
        buffer.putInt(PAYLOAD_LENGTH_OFFSET, payload.length);
        buffer.putBytes(PAYLOAD_OFFSET, payload);
        return PAYLOAD_OFFSET + payload.length;
    }

    public static byte[] key(final DirectBuffer buffer, final int offset)
    {
        final byte[] key = new byte[buffer.getInt(offset + KEY_LENGTH_OFFSET)];
        buffer.getBytes(offset + KEY_OFFSET, key);
        return key;
    }

    public static byte[] value(final DirectBuffer buffer, final int offset)
    {
        final int keyLength = buffer.getInt(offset + KEY_LENGTH_OFFSET);
        final byte[] value = new byte[buffer.getInt(offset + VALUE_LENGTH_OFFSET)];
        buffer.getBytes(offset + KEY_OFFSET + keyLength, value);
        return value;
    }

    public static byte[] payload(final DirectBuffer buffer, final int offset)
    {
        final byte[] payload = new byte[buffer.getInt(offset + PAYLOAD_LENGTH_OFFSET)];
        buffer.getBytes(offset + PAYLOAD_OFFSET, payload);
        return payload;
    }

    public static String text(final byte[] bytes)
    {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
