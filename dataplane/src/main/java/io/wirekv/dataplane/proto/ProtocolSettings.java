package io.wirekv.dataplane.proto;

/**
 * What the protocol engine needs to know about the server.
 *
 * @param itemSizeMaxBytes   memcached's -I: largest item (1 MiB default).
 * @param udpMaxPayloadBytes largest UDP datagram payload including the 8-byte frame header (1400, as memcached).
 * @param version            reported by {@code version} and {@code stats}.
 * @param server             what {@code stats settings} and {@code stats conns} report about the server.
 * @param shutdown           run once by the protocol's {@code shutdown} command (memcached's -A); null when the
 *                           command is refused ({@code ERROR: shutdown not enabled}). Called on a reader thread:
 *                           it must only start the shutdown (on another thread), never wait for it.
 * @param sasl               memcached's -S: binary connections must authenticate (SASL PLAIN) before anything
 *                           but VERSION and the SASL commands, and the text protocol is refused; null when off.
 */
public record ProtocolSettings(
    int itemSizeMaxBytes, int udpMaxPayloadBytes, String version, ServerFacts server, Runnable shutdown,
    SaslPlainAuthenticator sasl)
{
    /** Settings without SASL. */
    public ProtocolSettings(
        final int itemSizeMaxBytes, final int udpMaxPayloadBytes, final String version, final ServerFacts server,
        final Runnable shutdown)
    {
        this(itemSizeMaxBytes, udpMaxPayloadBytes, version, server, shutdown, null);
    }

    /** Settings without server facts (unit tests): {@code stats settings} reports zeros, {@code shutdown} is refused. */
    public ProtocolSettings(final int itemSizeMaxBytes, final int udpMaxPayloadBytes, final String version)
    {
        this(itemSizeMaxBytes, udpMaxPayloadBytes, version, ServerFacts.NONE, null, null);
    }

    /**
     * The server's configuration as memcached's {@code stats settings} and {@code stats conns} name it.
     *
     * @param memoryBytes   table memory (maxbytes).
     * @param tcpPort       TCP port, -1 when TCP is off (tcpport reports 0, as memcached with -p 0).
     * @param udpPort       UDP port (udpport).
     * @param listenAddress the listen address (inter).
     * @param threads       reader and writer threads (num_threads).
     * @param evictions     cache mode evicts; store mode refuses (evictions on/off).
     * @param maxConnections the TCP connection limit, {@code max.connections} (maxconns).
     */
    public record ServerFacts(
        long memoryBytes, int tcpPort, int udpPort, String listenAddress, int threads, boolean evictions, int maxConnections)
    {
        public static final ServerFacts NONE = new ServerFacts(0, -1, 0, "NULL", 0, true, 1024);
    }
}
