package io.wirekv.controlplane.load;

import io.wirekv.controlplane.client.ServerAddress;

import java.time.Duration;

/** Bench specs for tests: small key space, short runs, loopback targets only. */
final class BenchSpecs
{
    private BenchSpecs()
    {
    }

    static BenchSpec closed(final ServerAddress target, final BenchSpec.Transport transport,
        final BenchSpec.Protocol protocol, final int multiget, final Duration duration, final double verifyFraction)
    {
        return new BenchSpec(target, transport, protocol, 2000, 16, 16, 200, 0.99, 0.9, multiget, 1, null, 0, 8,
            duration, 5_000_000, 1_000_000_000L, verifyFraction, 7);
    }

    static BenchSpec open(final ServerAddress target, final long rate, final Duration duration)
    {
        return new BenchSpec(target, BenchSpec.Transport.UDP, BenchSpec.Protocol.TEXT, 2000, 16, 32, 32, 0, 0.9, 1, 1,
            null, rate, 8, duration, 5_000_000, 1_000_000_000L, 0.01, 7);
    }
}
