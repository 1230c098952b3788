package io.wirekv.e2e;

import io.wirekv.dataplane.testnet.TestDpdk;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The binary protocol on the {@code dpdk} backend: the UDP cases of {@link BinaryDifferentialTest} travel as
 * Ethernet frames through a ring-port pair into the appliance's DPDK lcore (the reader path is the kernel
 * backend's, so this proves the frames reach it intact), TCP as on the kernel backend.
 */
final class DpdkBinaryDifferentialTest extends BinaryDifferentialTest
{
    @Override
    Target startTarget()
    {
        assumeTrue("wirekv".equals(Targets.kind()), "runs against wirekv only");
        assumeTrue(TestDpdk.skipReason() == null, TestDpdk.skipReason());
        return DpdkWirekvTarget.startOnRingPair();
    }
}
