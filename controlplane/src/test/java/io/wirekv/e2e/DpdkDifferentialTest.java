package io.wirekv.e2e;

import io.wirekv.dataplane.testnet.TestDpdk;

import java.util.List;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The differential sequences on the {@code dpdk} backend: UDP requests travel as Ethernet frames through
 * a ring-port pair into the appliance's DPDK lcore, and the replies must still match memcached's byte for
 * byte. See {@link BypassSequences} for the one class of sequence left out.
 */
final class DpdkDifferentialTest extends DifferentialTest
{
    @Override
    Target startTarget()
    {
        assumeTrue("wirekv".equals(Targets.kind()), "runs against wirekv only");
        assumeTrue(TestDpdk.skipReason() == null, TestDpdk.skipReason());
        return DpdkWirekvTarget.startOnRingPair();
    }

    @Override
    List<Sequence> sequences()
    {
        return BypassSequences.fitOneFrame(allSequences());
    }
}
