package io.wirekv.dataplane.table;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * memcached's incr/decr number handling; one instance per writer (holds the last parsed value).
 * Parsing follows memcached's {@code safe_strtoull} over the item data (which memcached terminates with
 * CRLF): leading white space, an optional sign, decimal digits (at least one, no overflow past 2^64-1),
 * then white space, a NUL or the end of the value; a result that is negative as a signed number is refused
 * when a '-' was present. Verified against memcached 1.6.18: "ab", "-5", 21 digits and "" are
 * non-numeric; " 12", "12 34", "+5", "-0", "1\\0" + "2" (1) are numeric.
 */
public final class Arithmetic
{
    private long value;

    static boolean isSpace(final int b)
    {
        return b == ' ' || b == '\t' || b == '\n' || b == 0x0B || b == '\f' || b == '\r';
    }

    /** The value of the last successful {@link #parse}. */
    public long value()
    {
        return value;
    }

    /** True if the range holds a number by memcached's rules; its value is then {@link #value()}. */
    public boolean parse(final MemorySegment segment, final long offset, final int length)
    {
        int i = 0;
        while (i < length && isSpace(segment.get(ValueLayout.JAVA_BYTE, offset + i)))
        {
            i++;
        }
        boolean negative = false;
        if (i < length)
        {
            final byte sign = segment.get(ValueLayout.JAVA_BYTE, offset + i);
            if (sign == '-' || sign == '+')
            {
                negative = sign == '-';
                i++;
            }
        }
        final int firstDigit = i;
        long result = 0;
        while (i < length)
        {
            final int b = segment.get(ValueLayout.JAVA_BYTE, offset + i);
            if (b < '0' || b > '9')
            {
                break;
            }
            final long digit = b - '0';
            // overflow of unsigned 64-bit: result * 10 + digit > 2^64 - 1
            if (Long.compareUnsigned(result, Long.divideUnsigned(-1L - digit, 10)) > 0)
            {
                return false; // ERANGE
            }
            result = result * 10 + digit;
            i++;
        }
        if (i == firstDigit)
        {
            return false; // no conversion
        }
        // safe_strtoull accepts the number if strtoull stopped at white space or at a NUL (C's string end):
        // "1\0 2" is 1
        if (i < length && !isSpace(segment.get(ValueLayout.JAVA_BYTE, offset + i)) &&
            segment.get(ValueLayout.JAVA_BYTE, offset + i) != 0)
        {
            return false;
        }
        if (negative)
        {
            result = -result;
            if (result < 0)
            {
                return false;
            }
        }
        value = result;
        return true;
    }

    /** Writes the unsigned decimal form of {@code v} into {@code out}; returns its length. */
    public static int format(final long v, final byte[] out)
    {
        if (v == 0)
        {
            out[0] = '0';
            return 1;
        }
        int length = 0;
        long rest = v;
        while (rest != 0)
        {
            out[length++] = (byte)('0' + Long.remainderUnsigned(rest, 10));
            rest = Long.divideUnsigned(rest, 10);
        }
        for (int l = 0, r = length - 1; l < r; l++, r--)
        {
            final byte t = out[l];
            out[l] = out[r];
            out[r] = t;
        }
        return length;
    }
}
