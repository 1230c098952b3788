package io.wirekv.e2e;

import io.wirekv.dataplane.testnet.TestNetwork;
import io.wirekv.nativebindings.xdp.XdpLibraries;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The binary protocol on the {@code xdp} backend: the UDP cases of {@link BinaryDifferentialTest} sent from a
 * network namespace across a veth into wirekv's XDP program and AF_XDP socket; TCP through the kernel as always.
 */
final class XdpBinaryDifferentialTest extends BinaryDifferentialTest
{
    @Override
    Target startTarget()
    {
        assumeTrue("wirekv".equals(Targets.kind()), "runs against wirekv only");
        assumeTrue(TestNetwork.skipReason() == null, TestNetwork.skipReason());
        assumeTrue(XdpLibraries.isAvailable(), XdpLibraries.unavailableReason());
        return XdpWirekvTarget.startOnVeth();
    }
}
