package io.wirekv.dataplane.proto;

/**
 * What the protocol engine needs to know about the server.
 *
 * @param itemSizeMaxBytes   memcached's -I: largest item (1 MiB default).
 * @param udpMaxPayloadBytes largest UDP datagram payload including the 8-byte frame header (1400, as memcached).
 * @param version            reported by {@code version} and {@code stats}.
 */
public record ProtocolSettings(int itemSizeMaxBytes, int udpMaxPayloadBytes, String version)
{
}
