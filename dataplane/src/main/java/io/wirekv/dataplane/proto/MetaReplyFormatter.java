package io.wirekv.dataplane.proto;

import io.wirekv.dataplane.table.ItemView;

import java.lang.foreign.MemorySegment;

/**
 * Writes the return flags of meta replies in the order the request gave them, as memcached 1.6.18
 * does ({@code k} of a base64 key is followed by {@code " b"}; {@code t} reports the TTL as it is at
 * that point of the flag list, so {@code t T30} shows the old TTL). One instance per thread.
 */
final class MetaReplyFormatter
{
    static final int KIND_MG = 0;
    static final int KIND_MS = 1;
    static final int KIND_MD = 2;
    static final int KIND_MA = 3;

    /**
     * Protocol-owned bit in the item's meta byte (the table uses 1, 2 and 4): the item was stored through
     * a base64 key ({@code ms ... b}), so memcached returns its key base64-encoded with {@code k}.
     */
    static final int META_KEY_BINARY = 8;

    private final byte[] keyScratch = new byte[AsciiCodec.base64Length(AsciiCodec.KEY_MAX_LENGTH) + 4];

    /** Upper bound of a meta reply's status line (code, return flags, W/Z/X, CRLF) for the request in {@code codec}. */
    static int lineBound(final AsciiCodec codec)
    {
        int length = ReplySizes.META_CODE_BOUND + ReplySizes.META_MARKS_BOUND + ReplySizes.CRLF_BYTES;
        for (int i = 2; i < codec.ntokens - 1; i++)
        {
            final byte o = codec.tokenByte(i, 0);
            if (o == 'O')
            {
                length += 1 + codec.tokenLength[i]; // " " and the token, echoed as given
            }
            else if (o == 'k')
            {
                length += ReplySizes.META_KEY_FLAG_OVERHEAD + AsciiCodec.base64Length(AsciiCodec.KEY_MAX_LENGTH);
            }
            else
            {
                length += ReplySizes.META_NUMERIC_FLAG_BOUND;
            }
        }
        return length;
    }

    /** True if an {@code O} token is longer than memcached accepts. */
    static boolean opaqueTooLong(final AsciiCodec codec, final int first)
    {
        for (int i = first; i < codec.ntokens - 1; i++)
        {
            if (codec.tokenByte(i, 0) == 'O' && codec.tokenLength[i] > MetaFlags.MAX_OPAQUE_TOKEN_LENGTH)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Appends " flag..." for every return flag. {@code item} is null on a miss (only O and k echo).
     * @return the expiry after any {@code T} in the list (for callers that continue).
     */
    long appendFlags(
        final ReplyBuffer rb, final AsciiCodec codec, final MetaFlags meta, final int first, final int kind,
        final ItemFacts item, final long expiresAt, final long nowSeconds)
    {
        long expiry = expiresAt;
        for (int i = first; i < codec.ntokens - 1; i++)
        {
            final byte o = codec.tokenByte(i, 0);
            switch (o)
            {
                case 'O':
                    rb.putByteUnchecked((byte)' ');
                    rb.put(codec.line, codec.tokenStart[i], codec.tokenLength[i]);
                    break;
                case 'k':
                    rb.putByteUnchecked((byte)' ');
                    rb.putByteUnchecked((byte)'k');
                    if (meta.binaryKey || (item != null && (item.metaBits & META_KEY_BINARY) != 0))
                    {
                        final int n = AsciiCodec.base64Encode(meta.key, meta.keyOffset, meta.keyLength, keyScratch);
                        rb.put(keyScratch, 0, n);
                        rb.putByteUnchecked((byte)' ');
                        rb.putByteUnchecked((byte)'b');
                    }
                    else
                    {
                        rb.put(meta.key, meta.keyOffset, meta.keyLength);
                    }
                    break;
                case 'c':
                    if (item != null && kind != KIND_MD)
                    {
                        putFlag(rb, 'c');
                        rb.putUnsigned(item.cas);
                    }
                    break;
                case 'f':
                    if (item != null && kind == KIND_MG)
                    {
                        putFlag(rb, 'f');
                        rb.putUnsigned(item.clientFlags & 0xFFFFFFFFL);
                    }
                    break;
                case 's':
                    if (item != null && kind == KIND_MG)
                    {
                        putFlag(rb, 's');
                        rb.putUnsigned(item.valueLength);
                    }
                    break;
                case 't':
                    if (item != null && (kind == KIND_MG || kind == KIND_MA))
                    {
                        putFlag(rb, 't');
                        rb.putSigned(expiry == 0 ? -1 : Math.max(-1, expiry - nowSeconds));
                    }
                    break;
                case 'T':
                    if (item != null && kind == KIND_MG)
                    {
                        expiry = meta.ttlExptime;
                    }
                    break;
                case 'h':
                    if (item != null && kind == KIND_MG)
                    {
                        putFlag(rb, 'h');
                        rb.putByteUnchecked((item.metaBits & ItemView.META_FETCHED) != 0 ? (byte)'1' : (byte)'0');
                    }
                    break;
                case 'l':
                    if (item != null && kind == KIND_MG)
                    {
                        putFlag(rb, 'l');
                        rb.putUnsigned(Math.max(0, nowSeconds - item.storedAt));
                    }
                    break;
                default:
                    break;
            }
        }
        return expiry;
    }

    private static void putFlag(final ReplyBuffer rb, final char flag)
    {
        rb.putByteUnchecked((byte)' ');
        rb.putByteUnchecked((byte)flag);
    }

    /**
     * The hit reply of mg, read from the table or after the writer's mg: status line with flags in request order
     * ({@code t} from {@code expiryForFlags}, the expiry before any T), the win/stale marks, then the value if asked.
     * A read wins nothing and reports a token handed out before (the item's WIN_SENT bit) as Z.
     */
    void writeMetaGetHit(
        final ReplyBuffer rb, final AsciiCodec c, final MetaFlags meta, final ItemFacts item, final MemorySegment value,
        final long valueOffset, final long expiryForFlags, final boolean won, final boolean wonByStale,
        final boolean tokenSentBefore, final long now)
    {
        if (meta.value)
        {
            rb.put(Replies.VA);
            rb.putUnsigned(item.valueLength);
        }
        else
        {
            rb.put(Replies.HD);
        }
        appendFlags(rb, c, meta, 2, MetaReplyFormatter.KIND_MG, item, expiryForFlags, now);
        if (won && !wonByStale)
        {
            rb.put(W);
        }
        else if (tokenSentBefore)
        {
            rb.put(Z);
        }
        if ((item.metaBits & ItemView.META_STALE) != 0)
        {
            rb.put(X);
            if (wonByStale)
            {
                rb.put(W);
            }
        }
        rb.put(Replies.CRLF);
        if (meta.value)
        {
            rb.put(value, valueOffset, item.valueLength);
            rb.put(Replies.CRLF);
        }
    }

    static final byte[] W = Replies.b(" W");
    static final byte[] Z = Replies.b(" Z");
    static final byte[] X = Replies.b(" X");
}
