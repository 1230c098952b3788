package io.wirekv.e2e;

import io.wirekv.dataplane.port.BypassPort;
import io.wirekv.dataplane.guard.ExposureSettings;
import io.wirekv.dataplane.port.BypassSettings;
import io.wirekv.dataplane.server.ServerConfig;
import io.wirekv.dataplane.server.WirekvServer;
import io.wirekv.dataplane.testnet.TestDpdk;
import io.wirekv.dataplane.testnet.TestFrameLink;
import io.wirekv.dataplane.testnet.TestFrames;
import io.wirekv.nativebindings.dpdk.RingPortPair;
import org.agrona.concurrent.SystemEpochClock;

import java.util.concurrent.TimeUnit;

/**
 * wirekv on the {@code dpdk} backend: its lcore serves side a of a ring-port pair in this process; UDP
 * clients are the test's frames on side b (whole Ethernet/IPv4/UDP frames from 10.11.1.2 to 10.11.1.1, a datagram
 * larger than a 1500-byte MTU as IPv4 fragments), TCP goes through the kernel on 127.0.0.1 as always.
 */
final class DpdkWirekvTarget extends WirekvTarget
{
    private static final int SERVER_IP = TestFrames.ipv4(10, 11, 1, 1);
    private static final int CLIENT_IP = TestFrames.ipv4(10, 11, 1, 2);
    private static final long CLIENT_MAC = 0x02_00_00_00_01_02L;

    private final TestFrameLink link;
    private final long serverMac;
    private static final int MTU = 1500;

    private int nextClientPort = 41_000;
    private int nextIpId = 1;

    private DpdkWirekvTarget(final WirekvServer server, final TestFrameLink link)
    {
        super(server, "127.0.0.1", "wirekv-dpdk");
        this.link = link;
        this.serverMac = ((BypassPort)server.udpPorts().getFirst()).localMac();
    }

    /** Starts it; {@link TestDpdk#skipReason()} says first whether DPDK can run here. */
    static DpdkWirekvTarget startOnRingPair()
    {
        final RingPortPair pair = TestDpdk.newPair(1);
        final ServerConfig config = WirekvTarget.testConfig().withBackend(ServerConfig.Backend.DPDK,
            new BypassSettings(TestDpdk.EAL_ARGS, pair.nameA(), "10.11.1.1", "", "auto", true, false))
            // large replies to a client that cannot validate over TCP (a frame link or a test's socket): no reply cap;
            // the default udp.allow (the serving /24) still applies
            .withExposure(ExposureSettings.defaults().withUnvalidatedReplyFactor(0));
        final WirekvServer server = WirekvServer.start(config, SystemEpochClock.INSTANCE, System.out);
        return new DpdkWirekvTarget(server, new TestFrameLink(pair.nameB()));
    }

    @Override
    public UdpWire openUdpWire()
    {
        final int clientPort = nextClientPort++;
        return new UdpWire(new UdpWire.DatagramLink()
        {
            @Override
            public void send(final byte[] datagram)
            {
                // what a client's kernel puts on a 1500-byte link: one frame, or IPv4 fragments of a larger datagram
                for (final byte[] frame : TestFrames.udpFragmented(serverMac, CLIENT_MAC, CLIENT_IP, SERVER_IP, clientPort,
                    udpPort(), datagram, MTU, nextIpId++ & 0xFFFF))
                {
                    link.send(frame);
                }
            }

            @Override
            public int receive(final byte[] buf, final int timeoutMs)
            {
                final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
                for (long left = timeoutMs; left > 0; left = deadline - System.nanoTime())
                {
                    final byte[] frame = link.poll(TimeUnit.MILLISECONDS.toNanos(timeoutMs));
                    if (frame == null)
                    {
                        return -1;
                    }
                    final TestFrames.UdpFrame udp = TestFrames.UdpFrame.parse(frame); // checks checksums
                    if (udp.dstPort() == clientPort)
                    {
                        System.arraycopy(udp.payload(), 0, buf, 0, udp.payload().length);
                        return udp.payload().length;
                    }
                }
                return -1;
            }

            @Override
            public void close()
            {
                // the link is the target's
            }
        });
    }

    @Override
    public void close()
    {
        super.close();
        link.close();
    }
}
