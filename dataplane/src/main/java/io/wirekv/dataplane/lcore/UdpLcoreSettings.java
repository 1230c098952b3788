package io.wirekv.dataplane.lcore;

/**
 * What a {@link UdpLcoreAgent} needs from the server's configuration, so the lcore package does not
 * depend on the package that assembles the server.
 *
 * @param udpMaxPayloadBytes largest reply datagram payload, frame header included.
 * @param burstSize          datagrams per receive and send batch.
 * @param slots              datagrams the lcore can hold while their writes are in flight (at least
 *                           twice the burst is used whatever this says).
 * @param itemSizeMaxBytes   largest item: a slot's reply area holds one value of this size.
 */
public record UdpLcoreSettings(int udpMaxPayloadBytes, int burstSize, int slots, int itemSizeMaxBytes)
{
}
