package io.wirekv.dataplane.cnc;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.nio.charset.StandardCharsets;

/**
 * The key of each counter record in the CnC file (Agrona gives every counter a 112-byte key next to its
 * label); it makes the file self-describing, so readers need no table of counter types.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |              Kind (int: 1 = counter, 2 = gauge)               |  0
 *  +---------------------------------------------------------------+
 *  |                  lcore (int; -1 = not per lcore)              |  4
 *  +---------------------------------------------------------------+
 *  |                  port (int; -1 = not per port)                |  8
 *  +---------------------------------------------------------------+
 *  |                    Name length (int)                          | 12
 *  +---------------------------------------------------------------+
 *  |            Name, US-ASCII, e.g. rx_packets (<= 96)           ... 16
 *  +---------------------------------------------------------------+
 * </pre>
 * The record's type id is the metric's frozen id; its label is the name with its labels, e.g.
 * {@code rx_packets{lcore="0",port="0"}}.
 */
public final class CncCounterKey
{
    public static final int KIND_COUNTER = 1;
    public static final int KIND_GAUGE = 2;
    public static final int NONE = -1;

    public static final int KIND_OFFSET = 0;
    public static final int LCORE_OFFSET = KIND_OFFSET + Integer.BYTES;
    public static final int PORT_OFFSET = LCORE_OFFSET + Integer.BYTES;
    public static final int NAME_LENGTH_OFFSET = PORT_OFFSET + Integer.BYTES;
    public static final int NAME_OFFSET = NAME_LENGTH_OFFSET + Integer.BYTES;
    public static final int MAX_NAME_LENGTH = CountersReader.MAX_KEY_LENGTH - NAME_OFFSET;

    private CncCounterKey()
    {
    }

    /** Writes a key; the name must be at most {@link #MAX_NAME_LENGTH} ASCII bytes. */
    public static void write(
        final MutableDirectBuffer key, final int kind, final int lcore, final int port, final String name)
    {
        final byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length > MAX_NAME_LENGTH)
        {
            throw new IllegalArgumentException("counter name longer than " + MAX_NAME_LENGTH + ": " + name);
        }
        key.putInt(KIND_OFFSET, kind);
        key.putInt(LCORE_OFFSET, lcore);
        key.putInt(PORT_OFFSET, port);
        key.putInt(NAME_LENGTH_OFFSET, bytes.length);
        key.putBytes(NAME_OFFSET, bytes);
    }

    public static int kind(final DirectBuffer key, final int keyOffset)
    {
        return key.getInt(keyOffset + KIND_OFFSET);
    }

    public static int lcore(final DirectBuffer key, final int keyOffset)
    {
        return key.getInt(keyOffset + LCORE_OFFSET);
    }

    public static int port(final DirectBuffer key, final int keyOffset)
    {
        return key.getInt(keyOffset + PORT_OFFSET);
    }

    public static String name(final DirectBuffer key, final int keyOffset)
    {
        final int length = Math.min(Math.max(0, key.getInt(keyOffset + NAME_LENGTH_OFFSET)), MAX_NAME_LENGTH);
        return key.getStringWithoutLengthAscii(keyOffset + NAME_OFFSET, length);
    }
}
