package io.wirekv.dataplane.net;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class DescriptorTest
{
    @Test
    void shouldHaveTheStandardHeaderSizesAndFieldOffsets()
    {
        assertEquals(14, EthernetDescriptor.HEADER_LENGTH);
        assertEquals(18, EthernetDescriptor.VLAN_HEADER_LENGTH);
        assertEquals(12, EthernetDescriptor.ETHER_TYPE_OFFSET);
        assertEquals(16, EthernetDescriptor.VLAN_ETHER_TYPE_OFFSET);
        assertEquals(28, ArpDescriptor.LENGTH);
        assertEquals(24, ArpDescriptor.TARGET_IP_OFFSET);
        assertEquals(20, Ipv4Descriptor.MIN_HEADER_LENGTH);
        assertEquals(10, Ipv4Descriptor.CHECKSUM_OFFSET);
        assertEquals(16, Ipv4Descriptor.DST_OFFSET);
        assertEquals(8, UdpDescriptor.HEADER_LENGTH);
        assertEquals(6, UdpDescriptor.CHECKSUM_OFFSET);
        assertEquals(8, IcmpDescriptor.HEADER_LENGTH);
        assertEquals(42, FrameWriter.UDP_HEADERS_LENGTH);
        assertEquals(65507, FrameWriter.MAX_UDP_PAYLOAD_LENGTH);
    }

    @Test
    void shouldPackPeerLinksNonNegativeWithVlan()
    {
        final long link = PeerLink.tagged(0xFFFF_FFFF_FFFEL, 4095);
        assertTrue(link >= 0);
        assertTrue(PeerLink.hasVlan(link));
        assertEquals(4095, PeerLink.vlanId(link));
        assertEquals(0xFFFF_FFFF_FFFEL, PeerLink.mac(link));
        assertEquals(46, FrameWriter.headerLength(link));
        final long plain = PeerLink.untagged(0x0200_0000_0002L);
        assertFalse(PeerLink.hasVlan(plain));
        assertEquals(42, FrameWriter.headerLength(plain));
        // a TCI's priority bits do not leak into the id
        assertEquals(5, PeerLink.vlanId(PeerLink.tagged(1, 0xE005)));
    }

    @Test
    void shouldParseAndPrintAddresses()
    {
        assertEquals(0x0A00_0001, NetAddress.parseIpv4("10.0.0.1"));
        assertEquals("192.168.0.199", NetAddress.ipv4ToString(NetAddress.parseIpv4("192.168.0.199")));
        assertEquals(0x0200_0000_00ABL, NetAddress.parseMac("02:00:00:00:00:ab"));
        assertEquals("02:00:00:00:00:ab", NetAddress.macToString(0x0200_0000_00ABL));
        assertThrows(IllegalArgumentException.class, () -> new NetAddress(0x0100_0000_0000L, 0x0A00_0001));
        assertThrows(IllegalArgumentException.class, () -> new NetAddress(0x0200_0000_0001L, 0xE000_0001));
        assertThrows(IllegalArgumentException.class, () -> new NetAddress(0x0200_0000_0001L, 0));
    }
}
