package io.wirekv.controlplane.load;

import io.wirekv.controlplane.client.ServerAddress;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;

/**
 * A UDP stub on loopback between a client and a memcached: forwards requests, and in every reply
 * that carries a value ({@code VALUE ...} or {@code VA ...}) flips one bit of the value's first
 * data byte, as a faulty server would. One client at a time; stopped by {@link #close()}.
 */
final class CorruptingUdpProxy implements AutoCloseable
{
    private final DatagramSocket socket;
    private final SocketAddress server;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long corrupted;

    CorruptingUdpProxy(final ServerAddress server) throws IOException
    {
        this.server = server.socketAddress();
        this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.socket.setSoTimeout(50);
        this.thread = Thread.ofPlatform().name("corrupting-udp-proxy").daemon().start(this::run);
    }

    ServerAddress address()
    {
        return new ServerAddress("127.0.0.1", socket.getLocalPort());
    }

    long corrupted()
    {
        return corrupted;
    }

    private void run()
    {
        final byte[] buf = new byte[65536];
        final DatagramPacket p = new DatagramPacket(buf, buf.length);
        SocketAddress client = null;
        while (running)
        {
            try
            {
                p.setLength(buf.length);
                socket.receive(p);
                if (p.getSocketAddress().equals(server))
                {
                    if (client != null)
                    {
                        corrupt(buf, p.getLength());
                        socket.send(new DatagramPacket(buf, p.getLength(), client));
                    }
                }
                else
                {
                    client = p.getSocketAddress();
                    socket.send(new DatagramPacket(buf, p.getLength(), server));
                }
            }
            catch (final SocketTimeoutException idle)
            {
                // check running
            }
            catch (final IOException ex)
            {
                if (running)
                {
                    throw new IllegalStateException(ex);
                }
            }
        }
    }

    private void corrupt(final byte[] b, final int length)
    {
        final int payload = 8;
        final boolean value = length > payload + 3 && b[payload] == 'V' && b[payload + 1] == 'A' &&
            (b[payload + 2] == ' ' || b[payload + 2] == 'L');
        if (!value)
        {
            return;
        }
        for (int i = payload; i + 2 < length; i++)
        {
            if (b[i] == '\r' && b[i + 1] == '\n')
            {
                b[i + 2] ^= 0x01;
                corrupted++;
                return;
            }
        }
    }

    @Override
    public void close() throws InterruptedException
    {
        running = false;
        thread.join(2000);
        socket.close();
    }
}
