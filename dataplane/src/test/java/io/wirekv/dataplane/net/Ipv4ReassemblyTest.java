package io.wirekv.dataplane.net;

import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static io.wirekv.dataplane.testnet.TestFrames.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * IPv4 reassembly through the stack, as an lcore sees it: fragments built byte by byte (the test kit's, not
 * the dataplane's code), a clock moved by hand, and after every case the accounting checked (each frame one
 * outcome; {@code fragments = fragment_held + drop_fragment + reassembled}).
 */
class Ipv4ReassemblyTest
{
    private static final long TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final int ID = 0x4242;

    private final CachedNanoClock clock = new CachedNanoClock();
    private final NetCounters counters = new NetCounters();
    private NetStack stack = stack(counters, true, new ReassemblySettings(8, 4, TIMEOUT_NS), clock);

    @Test
    void shouldReassembleFragmentsInOrder()
    {
        final byte[] payload = payload(3000, 1);
        final List<byte[]> frames = fragments(PEER_IP, ID, payload, 1500);
        assertEquals(3, frames.size());
        assertHeld(frames.get(0));
        assertHeld(frames.get(1));
        assertDatagram(frames.get(2), PEER_IP, payload);
        assertCounts(3, 2, 0, 1);
    }

    @Test
    void shouldReassembleFragmentsInReverseOrder()
    {
        final byte[] payload = payload(4000, 2);
        final List<byte[]> frames = new ArrayList<>(fragments(PEER_IP, ID, payload, 1500));
        Collections.reverse(frames);
        for (int i = 0; i < frames.size() - 1; i++)
        {
            assertHeld(frames.get(i));
        }
        assertDatagram(frames.getLast(), PEER_IP, payload);
        assertCounts(3, 2, 0, 1);
    }

    @Test
    void shouldReassembleShuffledFragmentsOfAnySize()
    {
        final Random random = new Random(15);
        int expectedFrames = 0;
        for (int round = 0; round < 200; round++)
        {
            final byte[] payload = payload(1473 + random.nextInt(20_000), round); // more than one 1500-byte packet
            final int mtu = 68 + random.nextInt(1500 - 68);
            final List<byte[]> frames = new ArrayList<>(fragments(PEER_IP, round, payload, mtu));
            Collections.shuffle(frames, random);
            for (int i = 0; i < frames.size() - 1; i++)
            {
                assertHeld(frames.get(i));
            }
            assertDatagram(frames.getLast(), PEER_IP, payload);
            expectedFrames += frames.size();
        }
        assertEquals(expectedFrames, counters.get(NetCounters.RX_FRAMES));
        assertEquals(200, counters.get(NetCounters.UDP_REQUESTS));
        assertAddsUp();
    }

    @Test
    void shouldIgnoreAnExactDuplicate()
    {
        final byte[] payload = payload(3000, 3);
        final List<byte[]> frames = fragments(PEER_IP, ID, payload, 1500);
        assertHeld(frames.get(0));
        assertDropped(frames.get(0));
        assertHeld(frames.get(2));
        assertDropped(frames.get(2)); // the last fragment again
        assertDatagram(frames.get(1), PEER_IP, payload);
        assertEquals(0, counters.get(NetCounters.REASSEMBLY_OVERLAPS));
        assertCounts(5, 2, 2, 1);
    }

    @Test
    void shouldGiveUpADatagramWhoseFragmentsOverlap()
    {
        final byte[] payload = payload(3000, 4);
        final byte[] l4 = udpDatagram(PEER_IP, OUR_IP, PEER_PORT, PORT, payload);
        assertHeld(fragment(PEER_IP, ID, l4, 0, 1480, true));
        // starts inside the first fragment and runs past it: RFC 5722's case, the whole datagram goes
        assertDropped(fragment(PEER_IP, ID, l4, 1472, 16, true));
        assertEquals(1, counters.get(NetCounters.REASSEMBLY_OVERLAPS));
        // what is left cannot make the datagram complete again: the first fragment was thrown away with it
        assertHeld(fragment(PEER_IP, ID, l4, 1480, 1480, true));
        assertHeld(fragment(PEER_IP, ID, l4, 2960, l4.length - 2960, false));
        assertEquals(0, counters.get(NetCounters.REASSEMBLED));
        assertAddsUp();
    }

    @Test
    void shouldGiveUpADatagramWhenAFragmentRepeatsWithOtherBytes()
    {
        final byte[] payload = payload(3000, 5);
        final byte[] l4 = udpDatagram(PEER_IP, OUR_IP, PEER_PORT, PORT, payload);
        assertHeld(fragment(PEER_IP, ID, l4, 1480, 1480, true));
        final byte[] forged = l4.clone();
        forged[2000] ^= 1;
        assertDropped(fragment(PEER_IP, ID, forged, 1480, 1480, true));
        assertEquals(1, counters.get(NetCounters.REASSEMBLY_OVERLAPS));
        // a fragment inside another one, same bytes, but not the same piece: an overlap too
        assertHeld(fragment(PEER_IP, ID, l4, 1480, 1480, true));
        assertDropped(fragment(PEER_IP, ID, l4, 1488, 8, true));
        assertEquals(2, counters.get(NetCounters.REASSEMBLY_OVERLAPS));
        assertAddsUp();
    }

    @Test
    void shouldGiveUpADatagramWithTwoDifferentEnds()
    {
        final byte[] l4 = udpDatagram(PEER_IP, OUR_IP, PEER_PORT, PORT, payload(3000, 6));
        assertHeld(fragment(PEER_IP, ID, l4, 2960, l4.length - 2960, false));
        assertDropped(fragment(PEER_IP, ID, l4, 1480, 1000, false));
        assertEquals(1, counters.get(NetCounters.REASSEMBLY_OVERLAPS));
        assertHeld(fragment(PEER_IP, ID, l4, 1480, 1480, true));
        assertDropped(fragment(PEER_IP, ID, l4, 8, 1992, false)); // ends before data already held
        assertEquals(2, counters.get(NetCounters.REASSEMBLY_OVERLAPS));
        assertAddsUp();
    }

    @Test
    void shouldTimeOutADatagramMissingAPiece()
    {
        final byte[] payload = payload(3000, 7);
        final List<byte[]> frames = fragments(PEER_IP, ID, payload, 1500);
        assertHeld(frames.get(0));
        assertHeld(frames.get(2));
        clock.advance(TIMEOUT_NS);
        stack.expireFragments();
        assertEquals(0, counters.get(NetCounters.REASSEMBLY_TIMEOUTS), "not yet: the timeout is not exceeded");
        clock.advance(1);
        stack.expireFragments();
        assertEquals(1, counters.get(NetCounters.REASSEMBLY_TIMEOUTS));
        assertHeld(frames.get(1)); // too late: a datagram of its own now, missing the rest
        assertEquals(0, counters.get(NetCounters.REASSEMBLED));
        assertAddsUp();
    }

    @Test
    void shouldTimeOutWhenTheSameDatagramComesBackLate()
    {
        final byte[] payload = payload(3000, 8);
        final List<byte[]> frames = fragments(PEER_IP, ID, payload, 1500);
        assertHeld(frames.get(0));
        assertHeld(frames.get(1));
        clock.advance(TIMEOUT_NS + 1);
        assertHeld(frames.get(2)); // found expired without expireFragments, and started again
        assertEquals(1, counters.get(NetCounters.REASSEMBLY_TIMEOUTS));
        assertHeld(frames.get(0));
        assertDatagram(frames.get(1), PEER_IP, payload);
        assertAddsUp();
    }

    @Test
    void shouldBoundWhatOneSourceHolds()
    {
        // 8 contexts, 4 per source: a fifth datagram from one source evicts that source's oldest
        final byte[][] l4 = new byte[5][];
        for (int i = 0; i < 5; i++)
        {
            l4[i] = udpDatagram(PEER_IP, OUR_IP, PEER_PORT, PORT, payload(2000, 10 + i));
            assertHeld(fragment(PEER_IP, ID + i, l4[i], 0, 1480, true));
            clock.advance(1);
        }
        assertEquals(1, counters.get(NetCounters.REASSEMBLY_EVICTIONS));
        for (int i = 1; i < 5; i++)
        {
            assertDatagram(fragment(PEER_IP, ID + i, l4[i], 1480, l4[i].length - 1480, false), PEER_IP,
                payload(2000, 10 + i));
        }
        assertHeld(fragment(PEER_IP, ID, l4[0], 1480, l4[0].length - 1480, false)); // its first half is gone
        assertAddsUp();
    }

    @Test
    void shouldEvictTheOldestWhenEveryContextIsBusy()
    {
        final byte[][] l4 = new byte[9][];
        for (int i = 0; i < 9; i++)
        {
            final int source = OTHER_IP + i; // nine sources, one datagram each, eight contexts
            l4[i] = udpDatagram(source, OUR_IP, PEER_PORT, PORT, payload(2000, 20 + i));
            assertHeld(fragment(source, ID, l4[i], 0, 1480, true));
            clock.advance(1);
        }
        assertEquals(1, counters.get(NetCounters.REASSEMBLY_EVICTIONS));
        assertHeld(fragment(OTHER_IP, ID, l4[0], 1480, l4[0].length - 1480, false)); // the oldest went
        assertEquals(2, counters.get(NetCounters.REASSEMBLY_EVICTIONS), "and took the next oldest's place");
        for (int i = 2; i < 9; i++)
        {
            assertDatagram(fragment(OTHER_IP + i, ID, l4[i], 1480, l4[i].length - 1480, false), OTHER_IP + i,
                payload(2000, 20 + i));
        }
        assertAddsUp();
    }

    @Test
    void shouldReassembleTheLargestDatagramAndRefuseLarger()
    {
        final byte[] largest = payload(FrameWriter.MAX_UDP_PAYLOAD_LENGTH, 30); // 65,507 + 8 = 65,515 bytes of IP payload
        final List<byte[]> frames = fragments(PEER_IP, ID, largest, 1500);
        for (int i = 0; i < frames.size() - 1; i++)
        {
            assertHeld(frames.get(i));
        }
        assertDatagram(frames.getLast(), PEER_IP, largest);

        // the same datagram with one more byte: its last fragment reaches past 65,515
        final byte[] l4 = udpDatagram(PEER_IP, OUR_IP, PEER_PORT, PORT, largest);
        final byte[] tooLong = new byte[l4.length + 1];
        System.arraycopy(l4, 0, tooLong, 0, l4.length);
        assertHeld(fragment(PEER_IP, ID + 1, tooLong, 0, 1480, true));
        final int lastOffset = (tooLong.length - 100) & ~7;
        assertDropped(fragment(PEER_IP, ID + 1, tooLong, lastOffset, tooLong.length - lastOffset, false));
        assertEquals(1, counters.get(NetCounters.REASSEMBLY_TOO_LARGE));
        // the largest offset field with any data: far beyond 64 KiB
        assertDropped(ipv4Fragment(OUR_MAC, PEER_MAC, PEER_IP, OUR_IP, 17, ID + 2, l4, 0, 16, 0x1FFF, false));
        assertEquals(2, counters.get(NetCounters.REASSEMBLY_TOO_LARGE));
        assertAddsUp();
    }

    @Test
    void shouldTakeALastFragmentOfAnyLengthButOthersOnlyInWholeBlocks()
    {
        final byte[] payload = payload(1500 + 5, 40);
        final byte[] l4 = udpDatagram(PEER_IP, OUR_IP, PEER_PORT, PORT, payload); // 1,513 bytes
        assertDropped(fragment(PEER_IP, ID, l4, 0, 1481, true)); // MF with 1,481 bytes: RFC 791 forbids it
        assertHeld(fragment(PEER_IP, ID, l4, 0, 1480, true));
        assertDatagram(fragment(PEER_IP, ID, l4, 1480, 33, false), PEER_IP, payload); // 33 bytes: not a multiple of 8
        assertCounts(3, 1, 1, 1);
    }

    @Test
    void shouldIgnoreAZeroLengthMiddlePiece()
    {
        final byte[] payload = payload(3000, 50);
        final byte[] l4 = udpDatagram(PEER_IP, OUR_IP, PEER_PORT, PORT, payload);
        assertHeld(fragment(PEER_IP, ID, l4, 0, 1480, true));
        assertDropped(fragment(PEER_IP, ID, l4, 1480, 0, true));
        assertHeld(fragment(PEER_IP, ID, l4, 1480, 1480, true));
        assertDropped(fragment(PEER_IP, ID, l4, 2000, 0, true)); // even inside data already held
        assertDatagram(fragment(PEER_IP, ID, l4, 2960, l4.length - 2960, false), PEER_IP, payload);
        assertEquals(0, counters.get(NetCounters.REASSEMBLY_OVERLAPS));
        assertCounts(5, 2, 2, 1);
    }

    @Test
    void shouldKeepInterleavedDatagramsApart()
    {
        final byte[][] payloads = {payload(3000, 60), payload(2500, 61), payload(4000, 62)};
        final int[] sources = {PEER_IP, PEER_IP, OTHER_IP}; // same source twice (ids differ), then another source
        final List<List<byte[]>> frames = new ArrayList<>();
        for (int d = 0; d < payloads.length; d++)
        {
            frames.add(fragments(sources[d], ID, payloads[d], 1500)); // the same id for all: only the key tells them apart
        }
        frames.set(1, fragments(sources[1], ID + 1, payloads[1], 1500));
        for (int round = 0; round < 3; round++)
        {
            for (int d = 0; d < payloads.length; d++)
            {
                final List<byte[]> pieces = frames.get(d);
                if (round < pieces.size() - 1)
                {
                    assertHeld(pieces.get(round));
                }
                else if (round == pieces.size() - 1)
                {
                    assertDatagram(pieces.get(round), sources[d], payloads[d]);
                }
            }
        }
        assertEquals(3, counters.get(NetCounters.REASSEMBLED));
        assertAddsUp();
    }

    @Test
    void shouldCheckTheWholeDatagramsUdpChecksum()
    {
        final byte[] l4 = udpDatagram(PEER_IP, OUR_IP, PEER_PORT, PORT, payload(3000, 70));
        l4[2500] ^= 0x40; // after the checksum was computed: every fragment's IP header is still right
        assertHeld(fragment(PEER_IP, ID, l4, 0, 1480, true));
        assertHeld(fragment(PEER_IP, ID, l4, 1480, 1480, true));
        final byte[] last = fragment(PEER_IP, ID, l4, 2960, l4.length - 2960, false);
        assertEquals(NetStack.DROP, stack.onFrame(segment(last), 0, last.length));
        assertEquals(1, counters.get(NetCounters.DROP_BAD_UDP_CHECKSUM));
        assertEquals(1, counters.get(NetCounters.REASSEMBLED));
        assertAddsUp();
    }

    @Test
    void shouldCountADatagramForAnotherPortAsNotForUs()
    {
        final byte[] l4 = udpDatagram(PEER_IP, OUR_IP, PEER_PORT, PORT + 1, payload(2000, 80));
        assertHeld(fragment(PEER_IP, ID, l4, 0, 1480, true));
        final byte[] last = fragment(PEER_IP, ID, l4, 1480, l4.length - 1480, false);
        assertEquals(NetStack.DROP, stack.onFrame(segment(last), 0, last.length));
        assertEquals(1, counters.get(NetCounters.DROP_NOT_FOR_US));
        assertAddsUp();
    }

    @Test
    void shouldReassembleIntoFreshMemoryEveryTime()
    {
        stack = stack(counters, true, new ReassemblySettings(1, 1, TIMEOUT_NS), clock);
        for (int i = 0; i < 3; i++)
        {
            final byte[] payload = payload(1600 + i * 700, 90 + i);
            final List<byte[]> frames = fragments(PEER_IP, ID + i, payload, 1500);
            for (int f = 0; f < frames.size() - 1; f++)
            {
                assertHeld(frames.get(f));
            }
            assertDatagram(frames.getLast(), PEER_IP, payload);
        }
        assertEquals(0, counters.get(NetCounters.REASSEMBLY_EVICTIONS));
        assertAddsUp();
    }

    @Test
    void shouldRefuseBoundsOutOfRange()
    {
        assertThrows(IllegalArgumentException.class, () -> new ReassemblySettings(ReassemblySettings.MAX_CONTEXTS + 1, 1, TIMEOUT_NS));
        assertThrows(IllegalArgumentException.class, () -> new ReassemblySettings(8, 9, TIMEOUT_NS));
        assertThrows(IllegalArgumentException.class, () -> new ReassemblySettings(8, 0, TIMEOUT_NS));
        assertThrows(IllegalArgumentException.class, () -> new ReassemblySettings(8, 2, 0));
        assertThrows(IllegalArgumentException.class, () -> new ReassemblySettings(8, 2, ReassemblySettings.MAX_TIMEOUT_NS + 1));
        assertEquals(0, new ReassemblySettings(0, 1, TIMEOUT_NS).contexts());
    }

    // ------------------------------------------------------------------------------------------------------------

    private static List<byte[]> fragments(final int source, final int id, final byte[] payload, final int mtu)
    {
        return udpFragmented(OUR_MAC, PEER_MAC, source, OUR_IP, PEER_PORT, PORT, payload, mtu, id);
    }

    private static byte[] fragment(
        final int source, final int id, final byte[] l4, final int offset, final int length, final boolean more)
    {
        return ipv4Fragment(OUR_MAC, PEER_MAC, source, OUR_IP, id, l4, offset, length, more);
    }

    private void assertHeld(final byte[] frame)
    {
        final long held = counters.get(NetCounters.FRAGMENT_HELD);
        assertEquals(NetStack.DROP, stack.onFrame(segment(frame), 0, frame.length), counters.toString());
        assertEquals(held + 1, counters.get(NetCounters.FRAGMENT_HELD), counters.toString());
    }

    private void assertDropped(final byte[] frame)
    {
        final long dropped = counters.get(NetCounters.DROP_FRAGMENT);
        assertEquals(NetStack.DROP, stack.onFrame(segment(frame), 0, frame.length), counters.toString());
        assertEquals(dropped + 1, counters.get(NetCounters.DROP_FRAGMENT), counters.toString());
    }

    private void assertDatagram(final byte[] frame, final int source, final byte[] payload)
    {
        final MemorySegment memory = segment(frame);
        assertEquals(NetStack.UDP_REQUEST, stack.onFrame(memory, 0, frame.length), counters.toString());
        assertNotSame(memory, stack.payloadMemory(), "the payload is in the reassembler's buffer");
        assertEquals(payload.length, stack.payloadLength());
        final byte[] seen = new byte[payload.length];
        MemorySegment.copy(stack.payloadMemory(), ValueLayout.JAVA_BYTE, stack.payloadOffset(), seen, 0, seen.length);
        assertArrayEquals(payload, seen);
        assertEquals(source, stack.peerIpv4());
        assertEquals(PEER_PORT, stack.peerPort());
        assertEquals(PeerLink.untagged(PEER_MAC), stack.peerLink());
    }

    private void assertCounts(final int fragments, final int held, final int dropped, final int reassembled)
    {
        assertEquals(fragments, counters.get(NetCounters.FRAGMENTS), counters.toString());
        assertEquals(held, counters.get(NetCounters.FRAGMENT_HELD), counters.toString());
        assertEquals(dropped, counters.get(NetCounters.DROP_FRAGMENT), counters.toString());
        assertEquals(reassembled, counters.get(NetCounters.REASSEMBLED), counters.toString());
        assertEquals(reassembled, counters.get(NetCounters.UDP_REQUESTS), counters.toString());
        assertAddsUp();
    }

    private void assertAddsUp()
    {
        long outcomes = 0;
        for (int id = 0; id < NetCounters.count(); id++)
        {
            outcomes += NetCounters.isOutcome(id) ? counters.get(id) : 0;
        }
        assertEquals(counters.get(NetCounters.RX_FRAMES), outcomes, "every frame one outcome: " + counters);
        assertEquals(counters.get(NetCounters.FRAGMENTS), counters.get(NetCounters.FRAGMENT_HELD) +
            counters.get(NetCounters.DROP_FRAGMENT) + counters.get(NetCounters.REASSEMBLED), counters.toString());
    }
}
