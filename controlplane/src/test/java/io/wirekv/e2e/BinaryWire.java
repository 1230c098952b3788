package io.wirekv.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * memcached's binary protocol for the differential tests: builds requests, and reads a TCP connection's responses
 * up to a NOOP sentinel (opaque {@link #SENTINEL_OPAQUE}) or the server closing it. Responses are rendered one per
 * line ({@link #render}), with every non-zero CAS replaced by its order of first appearance, so two servers whose
 * CAS counters differ still agree on which responses share a CAS.
 */
final class BinaryWire implements AutoCloseable
{
    static final int SENTINEL_OPAQUE = 0x5E47_1E11;
    static final int HEADER = 24;
    private static final int TIMEOUT_MS = 3_000;

    private final Socket socket;
    private final InputStream in;

    BinaryWire(final String host, final int port)
    {
        try
        {
            socket = new Socket();
            socket.connect(new InetSocketAddress(host, port), TIMEOUT_MS);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(TIMEOUT_MS);
            in = socket.getInputStream();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot connect to " + host + ":" + port, ex);
        }
    }

    /** One request: header fields, then extras, key and value. */
    static byte[] request(
        final int opcode, final byte[] extras, final byte[] key, final byte[] value, final int opaque, final long cas)
    {
        final ByteBuffer b = ByteBuffer.allocate(HEADER + extras.length + key.length + value.length);
        b.put((byte)0x80).put((byte)opcode).putShort((short)key.length).put((byte)extras.length).put((byte)0)
            .putShort((short)0).putInt(extras.length + key.length + value.length).putInt(opaque).putLong(cas);
        b.put(extras).put(key).put(value);
        return b.array();
    }

    static byte[] noop(final int opaque)
    {
        return request(0x0a, new byte[0], new byte[0], new byte[0], opaque, 0);
    }

    /** The responses to {@code requests} (a NOOP sentinel is appended), and whether the server closed. */
    List<byte[]> exchange(final byte[] requests)
    {
        try
        {
            final ByteArrayOutputStream all = new ByteArrayOutputStream();
            all.write(requests);
            all.write(noop(SENTINEL_OPAQUE));
            socket.getOutputStream().write(all.toByteArray());
            socket.getOutputStream().flush();
            final List<byte[]> responses = new ArrayList<>();
            while (true)
            {
                final byte[] header = in.readNBytes(HEADER);
                if (header.length < HEADER)
                {
                    responses.add("EOF".getBytes());
                    return responses;
                }
                final int body = ByteBuffer.wrap(header, 8, 4).getInt();
                final byte[] response = new byte[HEADER + body];
                System.arraycopy(header, 0, response, 0, HEADER);
                final byte[] rest = in.readNBytes(body);
                System.arraycopy(rest, 0, response, HEADER, rest.length);
                if (response[1] == 0x0a && ByteBuffer.wrap(response, 12, 4).getInt() == SENTINEL_OPAQUE &&
                    response[6] == 0 && response[7] == 0)
                {
                    return responses;
                }
                responses.add(response);
            }
        }
        catch (final SocketTimeoutException ex)
        {
            throw new IllegalStateException("no NOOP sentinel within " + TIMEOUT_MS + " ms", ex);
        }
        catch (final IOException ex)
        {
            final List<byte[]> closed = new ArrayList<>();
            closed.add(("EOF " + ex.getMessage()).getBytes());
            return closed;
        }
    }

    /**
     * The responses as text, one per line: header fields in hex, then the body; the CAS as its order of first
     * appearance in {@code casOrder} (shared by a whole case).
     */
    static String render(final List<byte[]> responses, final Map<Long, Integer> casOrder)
    {
        final StringBuilder sb = new StringBuilder();
        for (final byte[] r : responses)
        {
            if (r.length < HEADER || (r[0] & 0xFF) != 0x81)
            {
                sb.append(new String(r, java.nio.charset.StandardCharsets.ISO_8859_1)).append('\n');
                continue;
            }
            final ByteBuffer b = ByteBuffer.wrap(r);
            final long cas = b.getLong(16);
            final String casText = cas == 0 ? "0" : "#" + casOrder.computeIfAbsent(cas, c -> casOrder.size() + 1);
            sb.append(HexFormat.of().formatHex(r, 0, 16)).append(" cas=").append(casText).append(" body=")
                .append(HexFormat.of().formatHex(r, HEADER, r.length)).append('\n');
        }
        return sb.toString();
    }

    static Map<Long, Integer> newCasOrder()
    {
        return new LinkedHashMap<>();
    }

    /** The CAS of the last response that has one (0 if none). */
    static long lastCas(final List<byte[]> responses)
    {
        long cas = 0;
        for (final byte[] r : responses)
        {
            if (r.length >= HEADER && ByteBuffer.wrap(r).getLong(16) != 0)
            {
                cas = ByteBuffer.wrap(r).getLong(16);
            }
        }
        return cas;
    }

    @Override
    public void close()
    {
        try
        {
            socket.close();
        }
        catch (final IOException ignored)
        {
            // closing a test socket: nothing to do
        }
    }
}
