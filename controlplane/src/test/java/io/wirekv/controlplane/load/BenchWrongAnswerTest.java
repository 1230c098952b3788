package io.wirekv.controlplane.load;

import io.wirekv.e2e.MemcachedProcess;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sampled value checks catch a server that returns the wrong bytes, and only then. */
class BenchWrongAnswerTest
{
    @Test
    void shouldDetectWrongAnswersWhenRepliesAreCorruptedAndNoneAgainstMemcached() throws Exception
    {
        try (MemcachedProcess memcached = new MemcachedProcess();
            CorruptingUdpProxy proxy = new CorruptingUdpProxy(memcached.address()))
        {
            for (final int[] sizes : new int[][] {{20, 40}, {2000, 5000}})
            for (final BenchSpec.Protocol protocol : BenchSpec.Protocol.values())
            {
                final BenchSpec direct = spec(memcached.address(), protocol, sizes);
                BenchWarmUp.storeKeys(direct, null);

                final BenchTrial clean = Bench.run(direct, BenchPlan.single(false), null).trials().get(0);
                final BenchTrial corrupted = Bench.run(spec(proxy.address(), protocol, sizes), BenchPlan.single(false), null)
                    .trials().get(0);

                assertTrue(clean.verified() > 0 && clean.hits() > 0, protocol + " " + clean);
                assertEquals(0, clean.wrongAnswers(), protocol + ": memcached returns what was stored");
                assertTrue(proxy.corrupted() > 0, "the proxy corrupted some replies");
                assertTrue(corrupted.verified() > 0, protocol + " " + corrupted);
                assertTrue(corrupted.wrongAnswers() > 0, protocol + ": corrupted values are caught: " + corrupted);
                assertEquals(corrupted.verified(), corrupted.wrongAnswers(),
                    protocol + ": every checked value was corrupted, so every check fails");
            }
        }
    }

    /** Values of sizes[0]..sizes[1] bytes: the larger ones come back in several datagrams and are reassembled. */
    private static BenchSpec spec(final io.wirekv.controlplane.client.ServerAddress target,
        final BenchSpec.Protocol protocol, final int[] sizes)
    {
        return new BenchSpec(target, BenchSpec.Transport.UDP, protocol, 500, 16, sizes[0], sizes[1], 0, 1.0, 1, 1, null, 0,
            4, Duration.ofMillis(300), 1_000_000, 1_000_000_000L, 0.5, 5);
    }
}
