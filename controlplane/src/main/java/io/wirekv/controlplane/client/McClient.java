package io.wirekv.controlplane.client;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The text-protocol commands behind {@code wirekv get/set/delete}, over any {@link McTransport}.
 * Keys are checked the way memcached checks them (1..250 bytes, no spaces or control
 * characters) before anything is sent.
 */
public final class McClient implements AutoCloseable
{
    /** memcached's KEY_MAX_LENGTH. */
    public static final int MAX_KEY_BYTES = 250;

    /** A value as stored: its client flags and bytes. */
    public record Value(long flags, byte[] data)
    {
    }

    private final McTransport transport;

    public McClient(final McTransport transport)
    {
        this.transport = transport;
    }

    /** @return the value, or null on a miss. */
    public Value get(final String key)
    {
        final byte[] k = checkKey(key);
        final byte[] reply = transport.exchange(concat(ascii("get "), k, ascii("\r\n")), 1);
        final String first = firstLine(reply);
        if (first.equals("END"))
        {
            return null;
        }
        if (!first.startsWith("VALUE "))
        {
            throw unexpected("get", first);
        }
        final String[] tokens = first.split(" ");
        final long flags = Long.parseLong(tokens[2]);
        final int size = Integer.parseInt(tokens[3]);
        final int start = first.length() + 2;
        if (reply.length < start + size)
        {
            throw new McClientException("truncated reply to get from " + transport.describe() + ": expected " + size +
                " value bytes, got " + (reply.length - start));
        }
        return new Value(flags, Arrays.copyOfRange(reply, start, start + size));
    }

    /** @return the server's reply line, e.g. {@code STORED}. */
    public String set(final String key, final long flags, final long ttlSeconds, final byte[] value)
    {
        final byte[] k = checkKey(key);
        if (flags < 0 || flags > 0xFFFF_FFFFL)
        {
            throw new McClientException("flags " + flags + " out of range: must be from 0 to 4294967295");
        }
        final byte[] header = ascii(" " + flags + " " + ttlSeconds + " " + value.length + "\r\n");
        final byte[] request = concat(ascii("set "), k, header, value, ascii("\r\n"));
        return firstLine(transport.exchange(request, 1));
    }

    /** @return the server's reply line: {@code DELETED} or {@code NOT_FOUND}. */
    public String delete(final String key)
    {
        final byte[] k = checkKey(key);
        return firstLine(transport.exchange(concat(ascii("delete "), k, ascii("\r\n")), 1));
    }

    /** Sends raw request bytes and returns every reply, see {@link McTransport#exchangeAll}. */
    public byte[] raw(final byte[] request)
    {
        return transport.exchangeAll(request);
    }

    public String describe()
    {
        return transport.describe();
    }

    @Override
    public void close()
    {
        transport.close();
    }

    /** @throws McClientException saying what is wrong with the key. */
    public static byte[] checkKey(final String key)
    {
        final byte[] k = key.getBytes(StandardCharsets.UTF_8);
        if (k.length == 0 || k.length > MAX_KEY_BYTES)
        {
            throw new McClientException("key must be 1 to " + MAX_KEY_BYTES + " bytes, got " + k.length);
        }
        for (final byte b : k)
        {
            if ((b & 0xFF) <= ' ' || b == 0x7F)
            {
                throw new McClientException("key '" + key + "' contains a space or control character; memcached keys cannot");
            }
        }
        return k;
    }

    private McClientException unexpected(final String command, final String line)
    {
        return new McClientException("unexpected reply to " + command + " from " + transport.describe() + ": " + line);
    }

    static String firstLine(final byte[] reply)
    {
        for (int i = 0; i + 1 < reply.length; i++)
        {
            if (reply[i] == '\r' && reply[i + 1] == '\n')
            {
                return new String(reply, 0, i, StandardCharsets.ISO_8859_1);
            }
        }
        return new String(reply, StandardCharsets.ISO_8859_1).trim();
    }

    static byte[] ascii(final String s)
    {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] concat(final byte[]... parts)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] p : parts)
        {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
