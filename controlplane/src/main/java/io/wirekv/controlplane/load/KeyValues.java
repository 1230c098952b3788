package io.wirekv.controlplane.load;

/**
 * Writes the load's keys and values into request buffers without allocating: key i is 'k',
 * '0' padding, then i in decimal, {@code keySize} bytes in all.
 */
final class KeyValues
{
    private KeyValues()
    {
    }

    /** Writes key {@code index} at {@code offset}; returns the offset after it. */
    static int putKey(final byte[] buf, final int offset, final int keySize, final int index)
    {
        buf[offset] = 'k';
        int v = index;
        for (int i = offset + keySize - 1; i > offset; i--)
        {
            buf[i] = (byte)('0' + v % 10);
            v /= 10;
        }
        return offset + keySize;
    }

    /** Writes {@code value} in decimal ASCII at {@code offset}; returns the offset after it. */
    static int putInt(final byte[] buf, final int offset, final int value)
    {
        int digits = 1;
        for (int v = value; v >= 10; v /= 10)
        {
            digits++;
        }
        int v = value;
        for (int i = offset + digits - 1; i >= offset; i--)
        {
            buf[i] = (byte)('0' + v % 10);
            v /= 10;
        }
        return offset + digits;
    }

    static int putAscii(final byte[] buf, final int offset, final byte[] ascii)
    {
        System.arraycopy(ascii, 0, buf, offset, ascii.length);
        return offset + ascii.length;
    }

    /** "get KEY\r\n" or "set KEY 0 0 N\r\nVALUE\r\n" at {@code offset}; returns the offset after it. */
    static int putRequest(final byte[] buf, final int offset, final boolean get, final int keyIndex, final int keySize,
        final int valueSize)
    {
        int p = putAscii(buf, offset, get ? GET : SET);
        p = putKey(buf, p, keySize, keyIndex);
        if (get)
        {
            buf[p++] = '\r';
            buf[p++] = '\n';
            return p;
        }
        p = putAscii(buf, p, SET_FLAGS_TTL);
        p = putInt(buf, p, valueSize);
        buf[p++] = '\r';
        buf[p++] = '\n';
        java.util.Arrays.fill(buf, p, p + valueSize, (byte)'v');
        p += valueSize;
        buf[p++] = '\r';
        buf[p++] = '\n';
        return p;
    }

    /** Upper bound of {@link #putRequest}'s length. */
    static int maxRequestBytes(final int keySize, final int valueSize)
    {
        return SET.length + keySize + SET_FLAGS_TTL.length + 10 + 4 + valueSize;
    }

    static final byte[] GET = {'g', 'e', 't', ' '};
    static final byte[] SET = {'s', 'e', 't', ' '};
    static final byte[] SET_FLAGS_TTL = {' ', '0', ' ', '0', ' '};
}
