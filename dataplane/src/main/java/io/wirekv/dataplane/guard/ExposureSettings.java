package io.wirekv.dataplane.guard;

import java.util.List;

/**
 * What the appliance exposes and to whom: the UDP allow-list, the reply budget of unvalidated
 * sources, and the TCP connection limit (validated by the control plane before start-up).
 *
 * @param udpAllow              CIDR blocks ({@code 10.0.0.0/8}, {@code 192.0.2.7}) whose datagrams are
 *                              served; empty = the default: loopback plus the subnet of the interface that
 *                              holds the serving address (resolved at start-up).
 * @param unvalidatedReplyFactor an unvalidated source gets at most this many times its request's bytes
 *                              back (QUIC's anti-amplification limit is 3); 0 = unlimited.
 * @param validatedSources      capacity of the table of validated source addresses, a power of two.
 * @param maxConnections        most TCP connections open at once over every TCP thread (memcached's
 *                              {@code -c}); the next is answered {@code ERROR Too many open connections}
 *                              and closed, as memcached does.
 * @param unvalidatedReplyRate  reply bytes per second one unvalidated source may get from one lcore (a token
 *                              bucket, {@link SourceReplyRate}); 0 = no rate limit, only the per-request factor.
 */
public record ExposureSettings(
    List<String> udpAllow, int unvalidatedReplyFactor, int validatedSources, int maxConnections, long unvalidatedReplyRate)
{
    /** QUIC's anti-amplification factor (RFC 9000, section 8). */
    public static final int DEFAULT_REPLY_FACTOR = 3;
    public static final int DEFAULT_VALIDATED_SOURCES = 4096;
    /** memcached's default {@code -c}. */
    public static final int DEFAULT_MAX_CONNECTIONS = 1024;

    public ExposureSettings
    {
        udpAllow = List.copyOf(udpAllow);
    }

    /** Settings without a reply rate limit. */
    public ExposureSettings(
        final List<String> udpAllow, final int unvalidatedReplyFactor, final int validatedSources, final int maxConnections)
    {
        this(udpAllow, unvalidatedReplyFactor, validatedSources, maxConnections, 0);
    }

    /** The embedded defaults: guard on, allow-list resolved at start-up, memcached's connection limit. */
    public static ExposureSettings defaults()
    {
        return new ExposureSettings(List.of(), DEFAULT_REPLY_FACTOR, DEFAULT_VALIDATED_SOURCES, DEFAULT_MAX_CONNECTIONS);
    }

    /** Everything open: every source, no reply cap (what the guard's absence looked like). */
    public static ExposureSettings open()
    {
        return new ExposureSettings(List.of("0.0.0.0/0"), 0, DEFAULT_VALIDATED_SOURCES, DEFAULT_MAX_CONNECTIONS);
    }

    /** These settings with another reply factor (0 = no cap), e.g. for a client that cannot validate over TCP. */
    public ExposureSettings withUnvalidatedReplyFactor(final int unvalidatedReplyFactor)
    {
        return new ExposureSettings(udpAllow, unvalidatedReplyFactor, validatedSources, maxConnections, unvalidatedReplyRate);
    }

    /** These settings with another connection limit. */
    public ExposureSettings withMaxConnections(final int maxConnections)
    {
        return new ExposureSettings(udpAllow, unvalidatedReplyFactor, validatedSources, maxConnections, unvalidatedReplyRate);
    }

    /** These settings with another reply rate per unvalidated source (bytes per second; 0 = none). */
    public ExposureSettings withUnvalidatedReplyRate(final long unvalidatedReplyRate)
    {
        return new ExposureSettings(udpAllow, unvalidatedReplyFactor, validatedSources, maxConnections, unvalidatedReplyRate);
    }
}
