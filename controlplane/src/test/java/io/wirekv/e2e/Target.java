package io.wirekv.e2e;

/**
 * A memcached-protocol server under test, reachable on 127.0.0.1: either a real memcached process
 * ({@link MemcachedProcess}) or an in-process wirekv ({@link WirekvTarget}). Closing it stops it.
 */
public interface Target extends AutoCloseable
{
    /** Names the server in failure messages. */
    String name();

    String host();

    int tcpPort();

    int udpPort();

    /** A TCP connection to the server, made where a client of this target sits. */
    default TcpWire openTcpWire()
    {
        return new TcpWire(host(), tcpPort());
    }

    /** A UDP link to the server, made where a client of this target sits (a socket, or frames on a device). */
    default UdpWire openUdpWire()
    {
        return new UdpWire(host(), udpPort());
    }

    /** Stops the server; never throws. */
    @Override
    void close();
}
