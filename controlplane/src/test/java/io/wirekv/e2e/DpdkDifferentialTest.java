package io.wirekv.e2e;

import io.wirekv.dataplane.testnet.TestDpdk;
import org.junit.jupiter.api.DynamicTest;

import java.util.List;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The differential sequences on the {@code dpdk} backend: UDP requests travel as Ethernet frames through
 * a ring-port pair into the appliance's DPDK lcore, and the replies must still match memcached's byte for
 * byte. Every sequence runs: a UDP request larger than one 1500-byte frame is sent as the IPv4 fragments a
 * client's kernel would send (see {@link DpdkWirekvTarget}), which the lcore reassembles.
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
    List<DynamicTest> targetChecks(final Target target)
    {
        return List.of(WirekvTarget.reassembledSomething(target));
    }
}
