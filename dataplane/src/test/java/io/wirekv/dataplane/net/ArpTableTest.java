package io.wirekv.dataplane.net;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class ArpTableTest
{
    @Test
    void shouldReturnMinusOneForUnknownAddress()
    {
        final ArpTable table = new ArpTable(16);
        assertEquals(-1, table.lookup(0x0A00_0002));
        assertEquals(-1, table.lookup(0));
    }

    @Test
    void shouldLearnAndUpdateAnAddress()
    {
        final ArpTable table = new ArpTable(16);
        table.learn(0x0A00_0002, PeerLink.untagged(0x0200_0000_0002L));
        assertEquals(PeerLink.untagged(0x0200_0000_0002L), table.lookup(0x0A00_0002));
        table.learn(0x0A00_0002, PeerLink.tagged(0x0200_0000_0009L, 7));
        assertEquals(PeerLink.tagged(0x0200_0000_0009L, 7), table.lookup(0x0A00_0002));
        assertEquals(1, table.size());
    }

    @Test
    void shouldNeverLearnTheZeroAddress()
    {
        final ArpTable table = new ArpTable(16);
        table.learn(0, 5);
        assertEquals(0, table.size());
        assertEquals(-1, table.lookup(0));
    }

    @Test
    void shouldEvictTheLeastRecentlyLearnedEntryOfAFullSet()
    {
        final ArpTable table = new ArpTable(ArpTable.WAYS); // one set: every address competes
        for (int i = 1; i <= ArpTable.WAYS; i++)
        {
            table.learn(i, i);
        }
        table.learn(1, 100); // refresh 1: now 2 is the oldest
        table.learn(99, 99);
        assertEquals(ArpTable.WAYS, table.size());
        assertEquals(-1, table.lookup(2));
        assertEquals(100, table.lookup(1));
        assertEquals(99, table.lookup(99));
        assertEquals(3, table.lookup(3));
        assertEquals(4, table.lookup(4));
    }

    @Test
    void shouldHoldAWholeSubnetUpToCapacity()
    {
        final ArpTable table = new ArpTable(1024);
        for (int i = 1; i <= 254; i++)
        {
            table.learn(0x0A00_0000 | i, i);
        }
        int found = 0;
        for (int i = 1; i <= 254; i++)
        {
            found += table.lookup(0x0A00_0000 | i) == i ? 1 : 0;
        }
        // hashing spreads a /24 over 256 sets of 4: nothing is evicted
        assertEquals(254, found);
        assertEquals(254, table.size());
    }

    @Test
    void shouldForgetEverythingOnClear()
    {
        final ArpTable table = new ArpTable(8);
        table.learn(5, 5);
        table.clear();
        assertEquals(-1, table.lookup(5));
        assertEquals(0, table.size());
    }

    @Test
    void shouldRejectCapacityThatIsNotAPowerOfTwoOfAtLeastOneSet()
    {
        assertThrows(IllegalArgumentException.class, () -> new ArpTable(2));
        assertThrows(IllegalArgumentException.class, () -> new ArpTable(12));
    }
}
