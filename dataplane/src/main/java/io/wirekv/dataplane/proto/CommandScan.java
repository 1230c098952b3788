package io.wirekv.dataplane.proto;

import java.lang.foreign.MemorySegment;

import static io.wirekv.dataplane.proto.AsciiCodec.BYTE;

/** Small stateless scans over a command line used by {@link RequestProcessor}: key iteration, prefixes, modes. */
final class CommandScan
{
    private CommandScan()
    {
    }

    /** memcached keeps reading an over-long line only if it is a get/gets (after at most 100 spaces). */
    static boolean isGetPrefix(final MemorySegment in, final long start, final long end)
    {
        long p = start;
        while (p < end && in.get(BYTE, p) == ' ')
        {
            p++;
        }
        return p - start <= 100 && end - p >= 5 && getArguments(in, p, end) >= 0;
    }

    /** Where the keys of a {@code get} or {@code gets} at {@code p} start (after its space), or -1 if it is neither. */
    static long getArguments(final MemorySegment in, final long p, final long end)
    {
        if (end - p < 4 || in.get(BYTE, p) != 'g' || in.get(BYTE, p + 1) != 'e' || in.get(BYTE, p + 2) != 't')
        {
            return -1;
        }
        final byte c = in.get(BYTE, p + 3);
        if (c == ' ')
        {
            return p + 4;
        }
        return c == 's' && end - p >= 5 && in.get(BYTE, p + 4) == ' ' ? p + 5 : -1;
    }

    static boolean isHttp(final AsciiCodec c)
    {
        final int t = c.ntokens - 2;
        return c.tokenLength[t] >= 5 && c.tokenByte(t, 0) == 'H' && c.tokenByte(t, 1) == 'T' &&
            c.tokenByte(t, 2) == 'T' && c.tokenByte(t, 3) == 'P' && c.tokenByte(t, 4) == '/';
    }

    static long nextKey(final MemorySegment in, final long from, final long end)
    {
        long p = from;
        while (p < end && in.get(BYTE, p) == ' ')
        {
            p++;
        }
        return p < end ? p : -1;
    }

    static long keyEnd(final MemorySegment in, final long from, final long end)
    {
        long p = from;
        while (p < end && in.get(BYTE, p) != ' ')
        {
            p++;
        }
        return p;
    }

    /** {@link #keyEnd} in a line not cut at its end yet: a key also ends at CR or LF. */
    static long keyEndInLine(final MemorySegment in, final long from, final long end)
    {
        long p = from;
        while (p < end)
        {
            final byte b = in.get(BYTE, p);
            if (b == ' ' || b == '\r' || b == '\n')
            {
                break;
            }
            p++;
        }
        return p;
    }

    static int putDecimal(final MemorySegment dst, final int at, final long value)
    {
        int n = at;
        long v = value;
        if (v < 0)
        {
            dst.set(BYTE, n++, (byte)'-');
            v = -v;
        }
        long div = 1;
        while (div <= v / 10)
        {
            div *= 10;
        }
        while (div > 0)
        {
            dst.set(BYTE, n++, (byte)('0' + (v / div) % 10));
            div /= 10;
        }
        return n;
    }

    static boolean validArithmeticMode(final byte mode)
    {
        return mode == 'I' || mode == 'i' || mode == '+' || mode == 'D' || mode == 'd' || mode == '-';
    }

    static boolean validSetMode(final byte mode)
    {
        switch (mode)
        {
            case 'E': case 'e': case 'A': case 'a': case 'P': case 'p': case 'R': case 'r': case 'S': case 's':
                return true;
            default:
                return false;
        }
    }
}
