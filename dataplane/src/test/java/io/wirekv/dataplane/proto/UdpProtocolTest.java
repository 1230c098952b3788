package io.wirekv.dataplane.proto;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * UDP datagram mode. memcached 1.6.18 (the oracle) frames every response object as its own datagram
 * sequence of at most 1400 bytes including the 8-byte header; these expectations were observed on it.
 */
class UdpProtocolTest
{
    private ProtoHarness h;

    @BeforeEach
    void setUp()
    {
        h = new ProtoHarness(2 << 20, 1024 * 1024);
    }

    @AfterEach
    void tearDown()
    {
        h.close();
    }

    private static int u16(final byte[] d, final int at)
    {
        return (d[at] & 0xFF) << 8 | d[at + 1] & 0xFF;
    }

    /** "seq/count:payload" per datagram, checking the request id. */
    private List<String> udp(final String payload)
    {
        final List<byte[]> datagrams = h.udp(ProtoHarness.bytes(payload), 0x1234);
        return datagrams.stream().map(d ->
        {
            assertEquals(0x1234, u16(d, 0));
            assertEquals(0, u16(d, 6));
            assertTrue(d.length <= 1400, "datagram of " + d.length + " bytes");
            return u16(d, 2) + "/" + u16(d, 4) + ":" + ProtoHarness.str(d).substring(8);
        }).toList();
    }

    @Test
    void shouldSplitLargeValueIntoNumberedDatagramsOf1400Bytes()
    {
        h.tcp("set big 0 0 5000\r\n" + "x".repeat(5000) + "\r\n");
        final List<byte[]> datagrams = h.udp(ProtoHarness.bytes("get big\r\n"), 7);
        assertEquals(4, datagrams.size());
        assertEquals(List.of(1400, 1400, 1400, 857), datagrams.stream().map(d -> d.length).toList());
        for (int i = 0; i < 4; i++)
        {
            assertEquals(i, u16(datagrams.get(i), 2));
            assertEquals(4, u16(datagrams.get(i), 4));
        }
        final StringBuilder all = new StringBuilder();
        datagrams.forEach(d -> all.append(ProtoHarness.str(d).substring(8)));
        assertEquals("VALUE big 0 5000\r\n" + "x".repeat(5000) + "\r\nEND\r\n", all.toString());
    }

    @Test
    void shouldFrameEachKeyOfMultiGetAsItsOwnResponse()
    {
        h.tcp("set b2 0 0 2\r\nhi\r\n");
        assertEquals(List.of("0/1:VALUE b2 0 2\r\nhi\r\n", "0/1:VALUE b2 0 2\r\nhi\r\nEND\r\n"), udp("get b2 b2\r\n"));
        assertEquals(List.of("0/0:", "0/1:VALUE b2 0 2\r\nhi\r\n", "0/1:END\r\n"), udp("get nokey1 b2 nokey2\r\n"));
        assertEquals(List.of("0/1:VALUE b2 0 2\r\nhi\r\n", "0/1:END\r\n"), udp("get b2 nokey2\r\n"));
        assertEquals(List.of("0/0:", "0/1:END\r\n"), udp("get nokey2 nokey3\r\n"));
        assertEquals(List.of("0/1:VALUE b2 0 2\r\nhi\r\n", "0/1:VALUE b2 0 2\r\nhi\r\n", "0/1:END\r\n"),
            udp("get b2 nokey b2 nokey\r\n"));
        assertEquals(List.of("0/1:VALUE b2 0 2\r\nhi\r\n", "0/1:VALUE b2 0 2\r\nhi\r\n", "0/1:END\r\n"),
            udp("gat 0 b2 nokey b2 nokey\r\n"));
        assertEquals(List.of("0/0:", "0/1:VALUE b2 0 2\r\nhi\r\nEND\r\n"), udp("gat 0 nokey b2\r\n"));
    }

    @Test
    void shouldFrameEachPipelinedCommandAsItsOwnResponse()
    {
        h.tcp("set b2 0 0 2\r\nhi\r\n");
        assertEquals(List.of("0/1:VA 2\r\nhi\r\n", "0/1:EN\r\n", "0/1:MN\r\n"), udp("mg b2 v\r\nmg nokey v\r\nmn\r\n"));
        assertEquals(List.of("0/1:VA 2\r\nhi\r\n", "0/1:MN\r\n"), udp("mg b2 v q\r\nmg nokey v q\r\nmn\r\n"));
        assertEquals(List.of("0/1:CLIENT_ERROR bad data chunk\r\n", "0/1:ERROR\r\n", "0/1:END\r\n"),
            udp("set u 0 0 5\r\nabcdefgh\r\nget u\r\n"));
        assertEquals(List.of("0/1:VALUE u 0 5\r\nabcde\r\nEND\r\n"), udp("set u 0 0 5 noreply\r\nabcde\r\nget u\r\n"));
        assertEquals(List.of("0/1:MN\r\n", "0/0:"), udp("mn\r\nquit\r\nmn\r\n"));
    }

    @Test
    void shouldIgnoreIncompleteCommandAtEndOfDatagram()
    {
        assertEquals(List.of(), udp("set u 0 0 5\r\n"));
        assertEquals(List.of(), udp("set u 0 0 5\r\nab"));
        assertEquals(List.of(), udp("get b2"));
        assertEquals(List.of("0/1:END\r\n"), udp("get b2\r\nget"));
    }

    @Test
    void shouldNumberEveryDatagramOfAMultiDatagramResponse()
    {
        h.tcp("set s 0 0 1392\r\n" + "z".repeat(1392) + "\r\n");
        // 1392 + "VALUE s 0 1392\r\n" + CRLF + END: the response spans two datagrams
        final List<String> replies = udp("get s s\r\n");
        assertEquals(4, replies.size());
        assertTrue(replies.get(0).startsWith("0/2:VALUE s 0 1392\r\n"));
        assertTrue(replies.get(1).startsWith("1/2:"));
        assertTrue(replies.get(2).startsWith("0/2:VALUE s 0 1392\r\n"));
        assertTrue(replies.get(3).startsWith("1/2:") && replies.get(3).endsWith("\r\nEND\r\n"));
    }

    @Test
    void shouldAcceptAnySequenceAndReservedButOnlyCountOne()
    {
        final MemorySegment d = MemorySegment.ofArray(new byte[] {0, 1, 0, 0, 0, 1, 0, 0, 'm', 'n', '\r', '\n'});
        assertTrue(UdpFrame.isValidRequest(d, 0, 12));
        assertEquals(1, UdpFrame.requestId(d, 0));
        assertFalse(UdpFrame.isValidRequest(d, 0, 7), "shorter than a header");
        d.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 5, (byte)2);
        assertFalse(UdpFrame.isValidRequest(d, 0, 12), "count 2");
        d.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 5, (byte)1);
        d.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 3, (byte)5);
        assertTrue(UdpFrame.isValidRequest(d, 0, 12), "sequence 5 is ignored, as memcached ignores it");
        d.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 3, (byte)0);
        d.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 7, (byte)1);
        assertTrue(UdpFrame.isValidRequest(d, 0, 12), "reserved 1 is ignored, as memcached ignores it");
        d.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 7, (byte)0);
        d.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 6, (byte)1);
        assertTrue(UdpFrame.isValidRequest(d, 0, 12), "reserved 0x0100: libmemcached's marker");
        d.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 6, (byte)0x7A);
        assertTrue(UdpFrame.isValidRequest(d, 0, 12), "reserved 0x7A00: pylibmc's UDP mode");
        d.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 4, (byte)1);
        assertFalse(UdpFrame.isValidRequest(d, 0, 12), "count 0x0101");
        d.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 4, (byte)0);
        d.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 5, (byte)0);
        assertFalse(UdpFrame.isValidRequest(d, 0, 12), "count 0");
    }

    @Test
    void shouldLeaveHeaderGapsAndFillHeadersInReplyBuffer()
    {
        final ReplyBuffer rb = new ReplyBuffer(MemorySegment.ofArray(new byte[100]));
        rb.resetDatagrams(20); // 12 payload bytes per datagram
        assertTrue(rb.beginResponse());
        assertTrue(rb.put(ProtoHarness.bytes("0123456789abcdefghij")));
        assertTrue(rb.beginResponse());
        assertTrue(rb.put(ProtoHarness.bytes("xy")));
        assertFalse(rb.put(ProtoHarness.bytes("z".repeat(60))), "must not fit");
        assertEquals(3, rb.finishDatagrams(9));
        assertEquals(20, rb.datagramLength(0));
        assertEquals(16, rb.datagramLength(1));
        assertEquals(10, rb.datagramLength(2));
        final byte[] all = rb.memory().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        assertEquals(0, u16(all, (int)rb.datagramOffset(0) + 2));
        assertEquals(2, u16(all, (int)rb.datagramOffset(0) + 4));
        assertEquals(1, u16(all, (int)rb.datagramOffset(1) + 2));
        assertEquals(2, u16(all, (int)rb.datagramOffset(1) + 4));
        assertEquals(0, u16(all, (int)rb.datagramOffset(2) + 2));
        assertEquals(1, u16(all, (int)rb.datagramOffset(2) + 4));
        assertEquals(9, u16(all, (int)rb.datagramOffset(2)));
        assertEquals("xy", ProtoHarness.str(all).substring((int)rb.datagramOffset(2) + 8, (int)rb.datagramOffset(2) + 10));
    }
}
