package io.wirekv.e2e;

import io.wirekv.dataplane.testnet.TestNetwork;
import io.wirekv.nativebindings.xdp.XdpLibraries;
import org.junit.jupiter.api.DynamicTest;

import java.util.List;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The differential sequences on the {@code xdp} backend: clients in a network namespace, wirekv behind
 * its XDP program and an AF_XDP socket on the other end of the veth; replies must match memcached's
 * byte for byte. Every sequence runs, those with UDP requests larger than the veth's 1500-byte MTU included:
 * the client's kernel sends them as IPv4 fragments, which the lcore reassembles.
 */
final class XdpDifferentialTest extends DifferentialTest
{
    @Override
    Target startTarget()
    {
        assumeTrue("wirekv".equals(Targets.kind()), "runs against wirekv only");
        assumeTrue(TestNetwork.skipReason() == null, TestNetwork.skipReason());
        assumeTrue(XdpLibraries.isAvailable(), XdpLibraries.unavailableReason());
        return XdpWirekvTarget.startOnVeth();
    }

    @Override
    List<DynamicTest> targetChecks(final Target target)
    {
        return List.of(WirekvTarget.reassembledSomething(target));
    }
}
