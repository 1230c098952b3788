package io.wirekv.controlplane.load;

/**
 * Writes {@code wirekv bench}'s requests into a byte array without allocating.
 * <pre>
 * text GET  : get K1 K2 ... Kn\r\n
 * text SET  : set K 0 0 LEN\r\nDATA\r\n
 * meta GET 1: mg K v k O&lt;opaque&gt;\r\n                      (reply VA ... or EN)
 * meta GET n: mg K1 v k q O&lt;opaque&gt;\r\n ... mn\r\n       (hits only, then MN)
 * meta SET  : ms K LEN T0 O&lt;opaque&gt;\r\nDATA\r\n            (reply HD)
 * --noreply : set K 0 0 LEN noreply\r\nDATA\r\n / ms K LEN T0 q\r\nDATA\r\n (no reply but errors),
 *             then now and then a sync point: mn\r\n (reply MN once all before it are done)
 * </pre>
 */
final class BenchRequests
{
    private static final byte[] GET = {'g', 'e', 't'};
    private static final byte[] SET = {'s', 'e', 't', ' '};
    private static final byte[] SET_FLAGS = {' ', '0', ' ', '0', ' '};
    private static final byte[] MG = {'m', 'g', ' '};
    private static final byte[] MG_FLAGS = {' ', 'v', ' ', 'k', ' ', 'O'};
    private static final byte[] MG_QUIET_FLAGS = {' ', 'v', ' ', 'k', ' ', 'q', ' ', 'O'};
    private static final byte[] MN = {'m', 'n', '\r', '\n'};
    private static final byte[] MS = {'m', 's', ' '};
    private static final byte[] MS_FLAGS = {' ', 'T', '0', ' ', 'O'};
    private static final byte[] MS_QUIET_FLAGS = {' ', 'T', '0', ' ', 'q'};
    private static final byte[] NOREPLY = {' ', 'n', 'o', 'r', 'e', 'p', 'l', 'y'};
    /** Bytes of {@link #putSync}. */
    static final int SYNC_BYTES = MN.length;

    private BenchRequests()
    {
    }

    /** A GET of {@code count} keys from {@code keys}; returns the offset after it. */
    static int putGet(final byte[] buf, final int offset, final boolean meta, final int[] keys, final int count,
        final int keySize, final int opaque)
    {
        int p = offset;
        if (!meta)
        {
            p = KeyValues.putAscii(buf, p, GET);
            for (int i = 0; i < count; i++)
            {
                buf[p++] = ' ';
                p = KeyValues.putKey(buf, p, keySize, keys[i]);
            }
            return crlf(buf, p);
        }
        for (int i = 0; i < count; i++)
        {
            p = KeyValues.putAscii(buf, p, MG);
            p = KeyValues.putKey(buf, p, keySize, keys[i]);
            p = KeyValues.putAscii(buf, p, count == 1 ? MG_FLAGS : MG_QUIET_FLAGS);
            p = KeyValues.putInt(buf, p, opaque);
            p = crlf(buf, p);
        }
        return count == 1 ? p : KeyValues.putAscii(buf, p, MN);
    }

    /** A SET of {@code key} with its value that asks for a reply; returns the offset after it. */
    static int putSet(final byte[] buf, final int offset, final boolean meta, final int key, final int keySize,
        final BenchValues values, final int opaque)
    {
        return putSet(buf, offset, meta, key, keySize, values, opaque, false);
    }

    /**
     * A SET of {@code key} with its value; returns the offset after it.
     *
     * @param noreply ask for no reply ({@code noreply}; meta {@code q}, which still answers errors); no opaque then.
     */
    static int putSet(final byte[] buf, final int offset, final boolean meta, final int key, final int keySize,
        final BenchValues values, final int opaque, final boolean noreply)
    {
        int p = KeyValues.putAscii(buf, offset, meta ? MS : SET);
        p = KeyValues.putKey(buf, p, keySize, key);
        final int size = values.size(key);
        if (meta)
        {
            buf[p++] = ' ';
            p = KeyValues.putInt(buf, p, size);
            if (noreply)
            {
                p = KeyValues.putAscii(buf, p, MS_QUIET_FLAGS);
            }
            else
            {
                p = KeyValues.putAscii(buf, p, MS_FLAGS);
                p = KeyValues.putInt(buf, p, opaque);
            }
        }
        else
        {
            p = KeyValues.putAscii(buf, p, SET_FLAGS);
            p = KeyValues.putInt(buf, p, size);
            if (noreply)
            {
                p = KeyValues.putAscii(buf, p, NOREPLY);
            }
        }
        p = crlf(buf, p);
        p = values.put(buf, p, key);
        return crlf(buf, p);
    }

    /** The meta no-op {@code mn}, a sync point for SETs without replies; returns the offset after it. */
    static int putSync(final byte[] buf, final int offset)
    {
        return KeyValues.putAscii(buf, offset, MN);
    }

    private static int crlf(final byte[] buf, final int p)
    {
        buf[p] = '\r';
        buf[p + 1] = '\n';
        return p + 2;
    }
}
