package io.wirekv.dataplane.proto;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Byte-level pieces of memcached's text protocol, used only by the reader threads
 * ({@link RequestProcessor} and its command families): the tokenizer (memcached's {@code tokenize_command}, at most 24
 * tokens, split on single spaces, empty tokens skipped), number parsers with the exact acceptance
 * rules of memcached's {@code safe_strtol}/{@code safe_strtoull}/{@code safe_strtoflags}, exptime
 * conversion, and base64 for meta keys. One instance per thread; results are left in fields so
 * nothing is allocated.
 */
final class AsciiCodec
{
    /** memcached's MAX_TOKENS, including the terminal (empty or rest-of-line) token. */
    static final int MAX_TOKENS = 24;
    static final int KEY_MAX_LENGTH = 250;
    /** memcached's REALTIME_MAXDELTA: larger exptimes are absolute unix times. */
    static final long REALTIME_MAXDELTA = 60L * 60 * 24 * 30;
    /** sizeof(item) + CAS on a 64-bit memcached 1.6: the per-item overhead in its size limit. */
    static final int ITEM_HEADER_BYTES = 48 + 8;

    static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;

    final long[] tokenStart = new long[MAX_TOKENS];
    final int[] tokenLength = new int[MAX_TOKENS];
    /** memcached's ntokens: real tokens plus the terminal one. */
    int ntokens;
    MemorySegment line;

    long number;

    /** Tokenizes {@code [start, end)} (the line without CR LF) like memcached's tokenize_command. */
    void tokenize(final MemorySegment segment, final long start, final long end)
    {
        line = segment;
        int n = 0;
        long s = start;
        long e = start;
        boolean truncated = false;
        while (e < end)
        {
            if (segment.get(BYTE, e) == ' ')
            {
                if (s != e)
                {
                    tokenStart[n] = s;
                    tokenLength[n] = (int)(e - s);
                    n++;
                    if (n == MAX_TOKENS - 1)
                    {
                        e++;
                        s = e;
                        truncated = true;
                        break;
                    }
                }
                s = e + 1;
            }
            e++;
        }
        if (!truncated && s != e)
        {
            tokenStart[n] = s;
            tokenLength[n] = (int)(e - s);
            n++;
        }
        // terminal token: the unprocessed rest of the line (memcached keeps a pointer to it)
        tokenStart[n] = e;
        tokenLength[n] = (int)(end - e);
        ntokens = n + 1;
    }

    /**
     * The tokenized line moved: it is now {@code delta} bytes further on in {@code segment} (a TCP receive
     * buffer compacted while the command was parked). Token positions follow it.
     */
    void rebase(final MemorySegment segment, final long delta)
    {
        line = segment;
        for (int i = 0; i < ntokens; i++)
        {
            tokenStart[i] += delta;
        }
    }

    boolean tokenEquals(final int index, final byte[] expected)
    {
        if (tokenLength[index] != expected.length)
        {
            return false;
        }
        final long at = tokenStart[index];
        for (int i = 0; i < expected.length; i++)
        {
            if (line.get(BYTE, at + i) != expected[i])
            {
                return false;
            }
        }
        return true;
    }

    byte tokenByte(final int index, final int at)
    {
        return line.get(BYTE, tokenStart[index] + at);
    }

    /** memcached's set_noreply_maybe: the last real token is "noreply". */
    boolean lastTokenIsNoreply()
    {
        return ntokens >= 2 && tokenEquals(ntokens - 2, NOREPLY);
    }

    static final byte[] NOREPLY = "noreply".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** strtoull over one whole token with memcached's sign rules; value in {@link #number}. */
    boolean parseUnsigned64(final MemorySegment segment, final long start, final int length)
    {
        number = 0;
        int i = 0;
        boolean negative = false;
        if (length > 0)
        {
            final byte first = segment.get(BYTE, start);
            if (first == '-' || first == '+')
            {
                negative = first == '-';
                i = 1;
            }
        }
        if (i >= length)
        {
            return false;
        }
        long value = 0;
        for (; i < length; i++)
        {
            final int d = segment.get(BYTE, start + i) - '0';
            if (d < 0 || d > 9)
            {
                return false;
            }
            // overflow check for unsigned multiply-add: value * 10 + d <= 2^64 - 1
            if (Long.compareUnsigned(value, 0x1999999999999999L) > 0 ||
                (value == 0x1999999999999999L && d > 5))
            {
                return false; // ERANGE
            }
            value = value * 10 + d;
        }
        if (negative)
        {
            value = -value;
            if (value < 0)
            {
                return false; // memcached: a '-' that produced a huge unsigned value is refused
            }
        }
        number = value;
        return true;
    }

    boolean tokenUnsigned64(final int index)
    {
        return parseUnsigned64(line, tokenStart[index], tokenLength[index]);
    }

    /** safe_strtoflags: strtoul (64-bit) truncated to the 32-bit client flags. */
    boolean tokenFlags(final int index)
    {
        if (!tokenUnsigned64(index))
        {
            return false;
        }
        number = number & 0xFFFFFFFFL;
        return true;
    }

    /**
     * memcached 1.6's safe_strtol over a whole token: strtol (64-bit long: optional sign, decimal digits,
     * ERANGE beyond the long range) and then a plain truncation to int32, exactly as memcached stores it.
     */
    boolean parseSigned32(final MemorySegment segment, final long start, final int length)
    {
        number = 0;
        int i = 0;
        boolean negative = false;
        if (length > 0)
        {
            final byte first = segment.get(BYTE, start);
            if (first == '-' || first == '+')
            {
                negative = first == '-';
                i = 1;
            }
        }
        if (i >= length)
        {
            return false;
        }
        long magnitude = 0;
        for (; i < length; i++)
        {
            final int d = segment.get(BYTE, start + i) - '0';
            if (d < 0 || d > 9)
            {
                return false;
            }
            if (magnitude > (Long.MAX_VALUE - d) / 10 + (negative ? 1 : 0))
            {
                return false; // ERANGE
            }
            magnitude = magnitude * 10 + d;
            if (magnitude < 0 && !(negative && magnitude == Long.MIN_VALUE))
            {
                return false;
            }
        }
        number = (int)(negative ? -magnitude : magnitude);
        return true;
    }

    boolean tokenSigned32(final int index)
    {
        return parseSigned32(line, tokenStart[index], tokenLength[index]);
    }

    /**
     * memcached's realtime(EXPTIME_TO_POSITIVE_TIME(exptime)) as absolute unix seconds for the table:
     * 0 never, negative already expired, up to 30 days relative, beyond that absolute.
     */
    static long absoluteExpiry(final long exptime, final long nowSeconds)
    {
        if (exptime == 0)
        {
            return 0;
        }
        if (exptime < 0)
        {
            return 1;
        }
        if (exptime > REALTIME_MAXDELTA)
        {
            return exptime;
        }
        return nowSeconds + exptime;
    }

    /** memcached's item_size_ok for a text/meta store of {@code valueLength} data bytes. */
    static boolean itemTooLarge(final int keyLength, final long clientFlags, final long valueLength, final int itemSizeMax)
    {
        final long total = ITEM_HEADER_BYTES + keyLength + 1 + (clientFlags != 0 ? 4 : 0) + valueLength + 2;
        return total > itemSizeMax;
    }

    /** Eight bytes at a time, little-endian, so the lowest match byte is the first match in memory. */
    private static final ValueLayout.OfLong LONG_LE =
        ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    /**
     * The first position of {@code b} in {@code [from, to)} of {@code segment}, or -1. SWAR: each 8-byte word is
     * XORed with {@code b} in every byte, and {@code (x - 0x01..) & ~x & 0x80..} marks the zero bytes; the lowest
     * marked byte is always a true zero (a borrow only makes false marks above a true one), so with a little-endian
     * load its trailing-zero count is the first match. The tail shorter than a word goes byte by byte.
     */
    static long indexOf(final MemorySegment segment, final long from, final long to, final byte b)
    {
        final long pattern = (b & 0xFFL) * ONES;
        long i = from;
        for (; i + Long.BYTES <= to; i += Long.BYTES)
        {
            final long x = segment.get(LONG_LE, i) ^ pattern;
            final long zeros = (x - ONES) & ~x & HIGHS;
            if (zeros != 0)
            {
                return i + (Long.numberOfTrailingZeros(zeros) >>> 3);
            }
        }
        for (; i < to; i++)
        {
            if (segment.get(BYTE, i) == b)
            {
                return i;
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------- base64 (RFC 4648, with padding)

    private static final byte[] ENCODE =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".getBytes(
            java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] DECODE = new byte[256];

    static
    {
        java.util.Arrays.fill(DECODE, (byte)-1);
        for (int i = 0; i < ENCODE.length; i++)
        {
            DECODE[ENCODE[i]] = (byte)i;
        }
    }

    /**
     * Decodes base64 {@code [start, start+length)} into {@code dst} at 0; returns the decoded length or
     * -1 if invalid (bad character, bad length, or larger than {@code dstCapacity}).
     */
    static int base64Decode(
        final MemorySegment src, final long start, final int length, final MemorySegment dst, final int dstCapacity)
    {
        if (length == 0 || (length & 3) != 0)
        {
            return -1;
        }
        int out = 0;
        for (int i = 0; i < length; i += 4)
        {
            final int c0 = DECODE[src.get(BYTE, start + i) & 0xFF];
            final int c1 = DECODE[src.get(BYTE, start + i + 1) & 0xFF];
            final byte b2 = src.get(BYTE, start + i + 2);
            final byte b3 = src.get(BYTE, start + i + 3);
            if (c0 < 0 || c1 < 0)
            {
                return -1;
            }
            final boolean last = i + 4 == length;
            final int pad = (b3 == '=' ? 1 : 0) + (b2 == '=' ? 1 : 0);
            if (pad > 0 && !last || b2 == '=' && b3 != '=')
            {
                return -1;
            }
            final int c2 = b2 == '=' ? 0 : DECODE[b2 & 0xFF];
            final int c3 = b3 == '=' ? 0 : DECODE[b3 & 0xFF];
            if (c2 < 0 || c3 < 0)
            {
                return -1;
            }
            final int bits = c0 << 18 | c1 << 12 | c2 << 6 | c3;
            final int n = 3 - pad;
            if (out + n > dstCapacity)
            {
                return -1;
            }
            dst.set(BYTE, out++, (byte)(bits >>> 16));
            if (n > 1)
            {
                dst.set(BYTE, out++, (byte)(bits >>> 8));
            }
            if (n > 2)
            {
                dst.set(BYTE, out++, (byte)bits);
            }
        }
        return out;
    }

    /** Base64 length of {@code n} bytes (with padding). */
    static int base64Length(final int n)
    {
        return (n + 2) / 3 * 4;
    }

    /** Encodes {@code [start, start+length)} into {@code dst}; returns bytes written. */
    static int base64Encode(final MemorySegment src, final long start, final int length, final byte[] dst)
    {
        int out = 0;
        int i = 0;
        while (i + 3 <= length)
        {
            final int bits = (src.get(BYTE, start + i) & 0xFF) << 16 | (src.get(BYTE, start + i + 1) & 0xFF) << 8 |
                (src.get(BYTE, start + i + 2) & 0xFF);
            dst[out++] = ENCODE[bits >>> 18 & 63];
            dst[out++] = ENCODE[bits >>> 12 & 63];
            dst[out++] = ENCODE[bits >>> 6 & 63];
            dst[out++] = ENCODE[bits & 63];
            i += 3;
        }
        final int rest = length - i;
        if (rest > 0)
        {
            int bits = (src.get(BYTE, start + i) & 0xFF) << 16;
            if (rest == 2)
            {
                bits |= (src.get(BYTE, start + i + 1) & 0xFF) << 8;
            }
            dst[out++] = ENCODE[bits >>> 18 & 63];
            dst[out++] = ENCODE[bits >>> 12 & 63];
            dst[out++] = rest == 2 ? ENCODE[bits >>> 6 & 63] : (byte)'=';
            dst[out++] = '=';
        }
        return out;
    }
}
