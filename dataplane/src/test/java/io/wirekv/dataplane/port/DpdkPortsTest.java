package io.wirekv.dataplane.port;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DpdkPortsTest
{
    @Test
    void shouldGiveEachInstanceItsOwnRuntimeFilesUnlessTheArgumentsSayOtherwise()
    {
        assertEquals(List.of("--vdev=net_memif0", "--file-prefix=wirekv-cache1"),
            DpdkPorts.ealArgs(List.of("--vdev=net_memif0"), "cache1"));
        assertEquals(List.of("--file-prefix=mine"), DpdkPorts.ealArgs(List.of("--file-prefix=mine"), "cache1"));
        assertEquals(List.of("--in-memory"), DpdkPorts.ealArgs(List.of("--in-memory"), "cache1"));
        assertEquals(List.of("--no-shconf"), DpdkPorts.ealArgs(List.of("--no-shconf"), "cache1"));
    }

    @Test
    void shouldTellAMemifPeerHowManyQueuePairsToConnectWhenThereIsMoreThanOne()
    {
        final String note = DpdkPorts.queuesNote("net_memif", 2);
        assertTrue(note.contains("must connect with 2 queue pairs") && note.contains("--dpdk-queues 2"), note);
        assertEquals("", DpdkPorts.queuesNote("net_memif", 1), "one queue: nothing to mismatch");
        assertEquals("", DpdkPorts.queuesNote("net_ring", 2), "ring pairs are made with their queue counts");
    }
}
