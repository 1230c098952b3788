package io.wirekv.controlplane.client;

/**
 * Carries memcached requests to one server and brings the replies back, over TCP
 * ({@link TcpTransport}) or memcached's UDP framing ({@link UdpTransport}). Not thread-safe: one
 * transport per thread.
 */
public sealed interface McTransport extends AutoCloseable permits TcpTransport, UdpTransport
{
    /**
     * Sends {@code request} (one or more complete commands, CRLF-terminated) and returns the raw
     * bytes of the reply. Over TCP that is exactly {@code replies} replies; over UDP it is the whole
     * reassembled reply message, however many replies it holds.
     *
     * @throws McClientException naming the server and what went wrong.
     */
    byte[] exchange(byte[] request, int replies);

    /**
     * Sends arbitrary request bytes and returns every reply they produce, however many that is
     * (requests with {@code noreply} produce none). Over TCP a meta no-op ({@code mn}) is sent
     * after the request and replies are read up to its {@code MN}; over UDP it is the reassembled
     * reply message up to the MN of an appended mn, as over TCP.
     */
    byte[] exchangeAll(byte[] request);

    /** E.g. {@code 127.0.0.1:11211 over TCP}. */
    String describe();

    @Override
    void close();

    /** Opens a TCP connection or a UDP socket to {@code address}. */
    static McTransport open(final ServerAddress address, final boolean udp, final int timeoutMs, final int retries)
    {
        return udp ? new UdpTransport(address, timeoutMs, retries) : new TcpTransport(address, timeoutMs);
    }
}
