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
}
