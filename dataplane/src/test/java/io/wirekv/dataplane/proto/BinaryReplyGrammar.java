package io.wirekv.dataplane.proto;

import java.nio.ByteBuffer;

/**
 * Checks that bytes are a sequence of whole memcached binary responses (magic 0x81, extras + key within the
 * body, a status memcached sends), optionally followed by the harness's close marker; the fuzz targets' oracle
 * for streams that negotiated the binary protocol.
 */
final class BinaryReplyGrammar
{
    private BinaryReplyGrammar()
    {
    }

    /** null when well formed, else what is wrong. */
    static String check(final byte[] replies, final String closeMarker)
    {
        int end = replies.length;
        if (closeMarker != null && ProtoHarness.str(replies).endsWith(closeMarker))
        {
            end -= closeMarker.length();
        }
        final ByteBuffer b = ByteBuffer.wrap(replies, 0, end);
        while (b.position() < end)
        {
            final int at = b.position();
            if (end - at < 24)
            {
                return "a partial header at " + at;
            }
            if (b.get(at) != (byte)0x81)
            {
                return "magic " + b.get(at) + " at " + at;
            }
            final int keyLength = b.getShort(at + 2) & 0xFFFF;
            final int extras = b.get(at + 4) & 0xFF;
            final int status = b.getShort(at + 6) & 0xFFFF;
            final long body = b.getInt(at + 8) & 0xFFFF_FFFFL;
            if (keyLength + extras > body || at + 24 + body > end)
            {
                return "body " + body + " (key " + keyLength + ", extras " + extras + ") at " + at;
            }
            if (status > 6 && status != 0x20 && status != 0x81 && status != 0x82)
            {
                return "status " + status + " at " + at;
            }
            b.position((int)(at + 24 + body));
        }
        return null;
    }

    /** The responses without STAT's (their values are clocks), for comparing two runs. */
    static String withoutStats(final String replies)
    {
        final byte[] r = ProtoHarness.bytes(replies);
        final StringBuilder sb = new StringBuilder();
        int at = 0;
        while (at + 24 <= r.length && r[at] == (byte)0x81)
        {
            final int length = 24 + ByteBuffer.wrap(r, at + 8, 4).getInt();
            if (length < 24 || at + length > r.length)
            {
                break;
            }
            if (r[at + 1] != 0x10)
            {
                sb.append(replies, at, at + length);
            }
            at += length;
        }
        return sb.append(replies, at, replies.length()).toString();
    }
}
