package io.wirekv.dataplane.housekeeping;

import io.wirekv.dataplane.cnc.AdminProtocol;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Executes admin get/set/delete/flush by speaking memcached's text protocol to this appliance's own TCP
 * listener over loopback. Why this way: the request takes exactly the path every client request takes
 * (parser, writer rings, CAS, eviction, flush, stats), so there is no second, subtly different code path
 * into the table, and nothing on the housekeeping thread has to register as a table reader. The cost (a
 * loopback connection per admin command) does not matter at admin rates. It needs TCP enabled
 * ({@code tcp.threads > 0}); without it the command fails with that reason.
 * <p>
 * Runs on the housekeeping thread; blocking, with a timeout on connect and read.
 */
final class LoopbackAdmin
{
    private static final int TIMEOUT_MS = 2000;
    private static final int MAX_KEY_LENGTH = 250;

    private final String host;
    private final int tcpPort;

    /**
     * @param listenAddress the server's listen address (0.0.0.0 is reached at 127.0.0.1).
     * @param tcpPort       the bound TCP port, or -1 when TCP is disabled.
     */
    LoopbackAdmin(final String listenAddress, final int tcpPort)
    {
        this.host = "0.0.0.0".equals(listenAddress) ? "127.0.0.1" : listenAddress;
        this.tcpPort = tcpPort;
    }

    /** A response to one command. */
    record Result(int status, int flags, byte[] payload)
    {
        static Result error(final String message)
        {
            return new Result(AdminProtocol.STATUS_ERROR, 0, message.getBytes(StandardCharsets.UTF_8));
        }

        static Result ok(final String message)
        {
            return new Result(AdminProtocol.STATUS_OK, 0, message.getBytes(StandardCharsets.UTF_8));
        }
    }

    Result execute(final int command, final byte[] key, final byte[] value, final int flags, final int exptime)
    {
        if (tcpPort < 0)
        {
            return Result.error("the admin channel reaches the table over TCP, and TCP is disabled (tcp.threads = 0)");
        }
        if (command != AdminProtocol.FLUSH)
        {
            final String problem = keyProblem(key);
            if (problem != null)
            {
                return Result.error(problem);
            }
        }
        final String k = new String(key, StandardCharsets.US_ASCII);
        try
        {
            return switch (command)
            {
                case AdminProtocol.GET -> get(k);
                case AdminProtocol.SET -> line(("set " + k + " " + Integer.toUnsignedString(flags) + " " + exptime + " " +
                    value.length + "\r\n").getBytes(StandardCharsets.US_ASCII), value, "STORED");
                case AdminProtocol.DELETE -> line(("delete " + k + "\r\n").getBytes(StandardCharsets.US_ASCII), null, "DELETED");
                case AdminProtocol.FLUSH -> line("flush_all\r\n".getBytes(StandardCharsets.US_ASCII), null, "OK");
                default -> Result.error("unknown admin command " + command);
            };
        }
        catch (final IOException ex)
        {
            return Result.error("cannot reach the table through " + host + ":" + tcpPort + ": " + ex.getMessage());
        }
    }

    /** A key memcached accepts: 1..250 bytes, no spaces or control characters. */
    static String keyProblem(final byte[] key)
    {
        if (key.length == 0 || key.length > MAX_KEY_LENGTH)
        {
            return "a key is 1 to " + MAX_KEY_LENGTH + " bytes long, not " + key.length;
        }
        for (final byte b : key)
        {
            if (b <= ' ' || b == 127)
            {
                return "a key may not contain spaces or control characters";
            }
        }
        return null;
    }

    private Result line(final byte[] command, final byte[] value, final String success) throws IOException
    {
        try (Socket socket = connect())
        {
            final OutputStream out = socket.getOutputStream();
            out.write(command);
            if (value != null)
            {
                out.write(value);
                out.write('\r');
                out.write('\n');
            }
            out.flush();
            final String reply = readLine(socket.getInputStream());
            if (reply.equals(success))
            {
                return Result.ok(reply);
            }
            if (reply.equals("NOT_FOUND"))
            {
                return new Result(AdminProtocol.STATUS_NOT_FOUND, 0, reply.getBytes(StandardCharsets.US_ASCII));
            }
            return Result.error(reply);
        }
    }

    private Result get(final String key) throws IOException
    {
        try (Socket socket = connect())
        {
            socket.getOutputStream().write(("get " + key + "\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            final InputStream in = socket.getInputStream();
            final String header = readLine(in);
            if (header.equals("END"))
            {
                return new Result(AdminProtocol.STATUS_NOT_FOUND, 0, "NOT_FOUND".getBytes(StandardCharsets.US_ASCII));
            }
            final String[] parts = header.split(" ");
            if (parts.length < 4 || !parts[0].equals("VALUE"))
            {
                return Result.error(header);
            }
            final int flags = Integer.parseUnsignedInt(parts[2]);
            final int length = Integer.parseInt(parts[3]);
            final byte[] value = in.readNBytes(length);
            in.readNBytes(2); // CRLF after the data block
            final String end = readLine(in);
            if (value.length != length || !end.equals("END"))
            {
                return Result.error("short or malformed reply to get: " + header + " ... " + end);
            }
            return new Result(AdminProtocol.STATUS_OK, flags, value);
        }
    }

    private Socket connect() throws IOException
    {
        final Socket socket = new Socket();
        try
        {
            socket.connect(new InetSocketAddress(host, tcpPort), TIMEOUT_MS);
            socket.setSoTimeout(TIMEOUT_MS);
            socket.setTcpNoDelay(true);
            return socket;
        }
        catch (final IOException ex)
        {
            socket.close();
            throw ex;
        }
    }

    private static String readLine(final InputStream in) throws IOException
    {
        final ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1)
        {
            if (b == '\n')
            {
                break;
            }
            if (b != '\r')
            {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.UTF_8);
    }
}
