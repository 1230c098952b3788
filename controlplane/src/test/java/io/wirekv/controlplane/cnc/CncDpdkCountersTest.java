package io.wirekv.controlplane.cnc;

import io.wirekv.dataplane.cnc.CncFileDescriptor;
import io.wirekv.dataplane.cnc.CncMetric;
import io.wirekv.dataplane.guard.ExposureSettings;
import io.wirekv.dataplane.port.BypassSettings;
import io.wirekv.dataplane.server.ServerConfig;
import io.wirekv.dataplane.server.WirekvServer;
import io.wirekv.dataplane.table.MemoryMode;
import io.wirekv.dataplane.testnet.TestDpdk;
import io.wirekv.dataplane.testnet.TestFrameLink;
import io.wirekv.dataplane.testnet.TestFrames;
import io.wirekv.nativebindings.dpdk.RingPortPair;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * On the dpdk backend (a ring-PMD pair, the test playing the network) the CnC file also carries the
 * L2/L3 stack's counters per lcore, so Prometheus sees every {@link CncMetric}.
 */
class CncDpdkCountersTest
{
    private static final int SERVER_IP = TestFrames.ipv4(10, 12, 0, 1);
    private static final int CLIENT_IP = TestFrames.ipv4(10, 12, 0, 2);
    private static final long CLIENT_MAC = 0x02_00_00_00_00_12L;

    @Test
    void shouldPublishTheStackCountersOfEveryBypassLcore() throws Exception
    {
        final String skip = TestDpdk.skipReason();
        assumeTrue(null == skip, skip);
        final String instance = CncTestSupport.uniqueInstance("dpdk");
        final RingPortPair pair = TestDpdk.newPair(1);
        final ServerConfig config = new ServerConfig(
            instance, "127.0.0.1", 0, ServerConfig.Backend.DPDK, 1, List.of(), 1, 1, 16,
            32L * 1024 * 1024, MemoryMode.CACHE, 1024 * 1024, 1400, 32, 64, ServerConfig.IdleMode.BACKOFF, false)
            .withBackend(ServerConfig.Backend.DPDK,
                new BypassSettings(TestDpdk.EAL_ARGS, pair.nameA(), "10.12.0.1", "", "auto", true, false))
                // large replies to a client that cannot validate over TCP (a frame link or a test's socket): no reply cap;
                // the default udp.allow (the serving /24) still applies
                .withExposure(ExposureSettings.defaults().withUnvalidatedReplyFactor(0));
        try (WirekvServer server = WirekvServer.start(config, SystemEpochClock.INSTANCE,
            new PrintStream(new ByteArrayOutputStream(), true));
            TestFrameLink link = new TestFrameLink(pair.nameB());
            CncReader cnc = CncReader.open(CncFileDescriptor.baseDirectory(), instance, false))
        {
            link.send(TestFrames.arpRequest(CLIENT_MAC, CLIENT_IP, SERVER_IP));
            assertTrue(link.poll(TimeUnit.SECONDS.toNanos(5)) != null, "ARP reply");

            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            Map<String, PrometheusTextParser.Family> families;
            do
            {
                Thread.sleep(50);
                final long now = System.currentTimeMillis();
                families = PrometheusTextParser.parse(
                    PrometheusText.render(CounterSnapshot.take(cnc, now), now - cnc.heartbeatMs()));
            }
            while (arpAnswered(families).value() < 1 && System.nanoTime() < deadline);

            for (final CncMetric m : CncMetric.values())
            {
                final PrometheusNames.Mapping p = PrometheusNames.of(m.metricName(), m.kind() == CncMetric.Kind.GAUGE, m.help());
                assertTrue(families.containsKey(p.family()) && families.get(p.family()).samples.stream()
                    .anyMatch(s -> s.labels().entrySet().containsAll(p.labels().entrySet())), p.family() + p.labels());
            }
            final PrometheusTextParser.Sample arp = arpAnswered(families);
            assertEquals(Map.of("protocol", "arp", "lcore", "0"), arp.labels());
            assertEquals(1.0, arp.value());
            assertTrue(families.get("wirekv_net_received_frames_total").samples.getFirst().value() >= 1);
            assertTrue(families.get("wirekv_net_dropped_frames_total").samples.stream()
                .anyMatch(s -> s.labels().equals(Map.of("reason", "fragment", "lcore", "0"))));
        }
    }

    private static PrometheusTextParser.Sample arpAnswered(final Map<String, PrometheusTextParser.Family> families)
    {
        return families.get("wirekv_net_answered_total").samples.stream()
            .filter(s -> "arp".equals(s.labels().get("protocol"))).findFirst().orElseThrow();
    }
}
