package io.wirekv.e2e;

import java.util.List;

/**
 * The kernel-bypass backends take whole Ethernet frames and, like the DESIGN says, count and drop IPv4
 * fragments instead of reassembling them: a UDP request larger than one 1500-byte frame (a {@code set} of a
 * large value over UDP) is fragmented by the sender's kernel and never answered. memcached behind the
 * kernel reassembles it. That is the one deliberate difference of these backends, so their differential
 * runs leave out the sequences with such a request; everything else (replies of any size included, which
 * wirekv splits into datagrams of at most 1400 bytes) is compared as on the kernel backend.
 */
final class BypassSequences
{
    /** Ethernet MTU minus IPv4 and UDP headers. */
    static final int MAX_UNFRAGMENTED_UDP_PAYLOAD = 1500 - 20 - 8;

    private BypassSequences()
    {
    }

    static List<Sequence> fitOneFrame(final List<Sequence> sequences)
    {
        return sequences.stream().filter(BypassSequences::fitsOneFrame).toList();
    }

    private static boolean fitsOneFrame(final Sequence sequence)
    {
        if (!sequence.transports().contains(Sequence.Transport.UDP))
        {
            return true;
        }
        return sequence.phases().stream().flatMap(List::stream).allMatch(step ->
            UdpWire.HEADER_BYTES + Templates.resolve(step.template(), "u99999_", List.of()).length +
                TcpWire.SENTINEL.length <= MAX_UNFRAGMENTED_UDP_PAYLOAD);
    }
}
