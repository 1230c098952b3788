package io.wirekv.dataplane.guard;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UdpAllowListTest
{
    private static int ip(final int a, final int b, final int c, final int d)
    {
        return a << 24 | b << 16 | c << 8 | d;
    }

    @Test
    void shouldAllowOnlyAddressesInsideTheListedBlocks()
    {
        final UdpAllowList list = UdpAllowList.of(List.of("127.0.0.0/8", "10.1.2.0/24", "192.0.2.7"));
        assertTrue(list.allows(ip(127, 0, 0, 1)));
        assertTrue(list.allows(ip(127, 255, 255, 254)));
        assertTrue(list.allows(ip(10, 1, 2, 0)));
        assertTrue(list.allows(ip(10, 1, 2, 255)));
        assertTrue(list.allows(ip(192, 0, 2, 7)));
        assertFalse(list.allows(ip(10, 1, 3, 1)));
        assertFalse(list.allows(ip(192, 0, 2, 8)));
        assertFalse(list.allows(ip(128, 0, 0, 1)));
        assertFalse(list.allows(ip(255, 255, 255, 255)));
        assertFalse(list.allowsEverySource());
    }

    @Test
    void shouldAllowEverySourceWithTheZeroPrefix()
    {
        final UdpAllowList list = UdpAllowList.of(List.of("0.0.0.0/0"));
        assertTrue(list.allowsEverySource());
        assertTrue(list.allows(0));
        assertTrue(list.allows(ip(203, 0, 113, 9)));
        assertTrue(list.allows(-1));
    }

    @Test
    void shouldAllowNothingWhenEmpty()
    {
        assertFalse(UdpAllowList.of(List.of()).allows(ip(127, 0, 0, 1)));
    }

    @Test
    void shouldMaskHostBitsOfANetworkWrittenWithThem()
    {
        final UdpAllowList list = UdpAllowList.of(List.of("10.9.8.7/16"));
        assertEquals("10.9.0.0/16", list.toString());
        assertTrue(list.allows(ip(10, 9, 200, 1)));
        assertFalse(list.allows(ip(10, 10, 0, 1)));
    }

    @Test
    void shouldRefuseWhatIsNotACidrBlock()
    {
        for (final String bad : List.of("10.0.0.0/33", "10.0.0/8", "10.0.0.256/8", "10.0.0.0/", "ten/8", "10.0.0.0/-1", "", "1.2.3.4.5"))
        {
            assertThrows(IllegalArgumentException.class, () -> UdpAllowList.of(List.of(bad)), bad);
        }
    }
}
