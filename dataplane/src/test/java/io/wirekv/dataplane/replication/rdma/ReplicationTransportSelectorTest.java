package io.wirekv.dataplane.replication.rdma;

import io.wirekv.nativebindings.verbs.RdmaDiscovery;
import io.wirekv.nativebindings.verbs.VerbsLayouts;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * The three {@code replication.transport} settings, with this host's real discovery where the outcome is known (no
 * {@code /sys/class/infiniband}: no device), and with discovery results as plain values for the device cases this
 * host cannot produce (the selector's decision only; nothing here imitates a device's behaviour).
 */
class ReplicationTransportSelectorTest
{
    private static final RdmaDiscovery.RdmaDevice ACTIVE_DEVICE = new RdmaDiscovery.RdmaDevice("mlx5_0",
        List.of(new RdmaDiscovery.Port(1, VerbsLayouts.IBV_PORT_DOWN, 0, VerbsLayouts.IBV_LINK_LAYER_ETHERNET),
            new RdmaDiscovery.Port(2, VerbsLayouts.IBV_PORT_ACTIVE, 0, VerbsLayouts.IBV_LINK_LAYER_ETHERNET)), null);
    private static final RdmaDiscovery.RdmaDevice DOWN_DEVICE = new RdmaDiscovery.RdmaDevice("mlx5_1",
        List.of(new RdmaDiscovery.Port(1, VerbsLayouts.IBV_PORT_DOWN, 0, VerbsLayouts.IBV_LINK_LAYER_ETHERNET)), null);

    @Test
    void shouldChooseTcpForTcpWithoutRunningDiscovery()
    {
        final TransportChoice choice = ReplicationTransportSelector.select(ReplicationTransport.TCP,
            () -> fail("tcp must not touch libibverbs"));

        assertEquals(TransportChoice.Kind.TCP, choice.kind());
        assertEquals("replication transport: tcp (tcp: as configured)", choice.reportLine());
        assertNull(choice.device());
    }

    @Test
    void shouldFallBackToTcpWithTheReasonForAutoOnAHostWithoutRdma()
    {
        assumeFalse(Files.isDirectory(Path.of("/sys/class/infiniband")), "this host has RDMA devices");

        final TransportChoice choice = ReplicationTransportSelector.select(ReplicationTransport.AUTO);

        assertEquals(TransportChoice.Kind.TCP, choice.kind());
        assertTrue(choice.reportLine().startsWith("replication transport: tcp (auto: no RDMA device: "), choice.reportLine());
        assertFalse(choice.reportLine().contains("\n"), "one line");
    }

    @Test
    void shouldStopStartUpNamingTheKeyAndTheFixForRdmaOnAHostWithoutRdma()
    {
        assumeFalse(Files.isDirectory(Path.of("/sys/class/infiniband")), "this host has RDMA devices");

        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> ReplicationTransportSelector.select(ReplicationTransport.RDMA));

        assertTrue(ex.getMessage().startsWith("replication.transport = rdma: no RDMA device: "), ex.getMessage());
        assertTrue(ex.getMessage().endsWith("; set replication.transport=tcp or auto"), ex.getMessage());
    }

    @Test
    void shouldChooseRdmaForAutoAndRdmaWhenADeviceHasAnActivePort()
    {
        for (final ReplicationTransport requested : List.of(ReplicationTransport.AUTO, ReplicationTransport.RDMA))
        {
            final TransportChoice choice = ReplicationTransportSelector.select(requested,
                () -> new RdmaDiscovery.Devices(List.of(DOWN_DEVICE, ACTIVE_DEVICE)));

            assertTrue(choice.isRdma());
            assertEquals("mlx5_0", choice.device().name());
            assertEquals(2, choice.port().number());
            assertEquals("replication transport: rdma (" + requested.configValue() + ": RDMA device mlx5_0 port 2 ACTIVE)",
                choice.reportLine());
        }
    }

    @Test
    void shouldNotUseADeviceWhosePortsAreAllDown()
    {
        final TransportChoice auto = ReplicationTransportSelector.select(ReplicationTransport.AUTO,
            () -> new RdmaDiscovery.Devices(List.of(DOWN_DEVICE)));

        assertEquals(TransportChoice.Kind.TCP, auto.kind());
        assertEquals("replication transport: tcp (auto: no RDMA device with an ACTIVE port: mlx5_1 port 1 DOWN (RoCE))",
            auto.reportLine());
        final IllegalStateException ex = assertThrows(IllegalStateException.class, () ->
            ReplicationTransportSelector.select(ReplicationTransport.RDMA, () -> new RdmaDiscovery.Devices(List.of(DOWN_DEVICE))));
        assertTrue(ex.getMessage().contains("set replication.transport=tcp or auto"), ex.getMessage());
    }

    @Test
    void shouldCarryTheMissingLibraryReasonIntoTheReport()
    {
        final TransportChoice choice = ReplicationTransportSelector.select(ReplicationTransport.AUTO,
            () -> new RdmaDiscovery.NoDevice("RDMA unavailable: libibverbs.so.1 not found (install Debian package libibverbs1)"));

        assertEquals("replication transport: tcp (auto: no RDMA device: RDMA unavailable: libibverbs.so.1 not found " +
            "(install Debian package libibverbs1))", choice.reportLine());
    }
}
