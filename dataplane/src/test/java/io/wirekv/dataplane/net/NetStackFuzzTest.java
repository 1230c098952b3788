package io.wirekv.dataplane.net;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static io.wirekv.dataplane.testnet.TestFrames.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Random mutations of valid frames: the stack must never throw, never touch bytes outside the frame
 * (every frame sits in a segment that ends exactly where it does), give every frame exactly one
 * verdict and one outcome counter, and keep what it reports inside the frame.
 * <p>
 * Two drivers of the same checks: a hand-made mutator of valid frames (seeded, so every outcome counter is
 * reached in each run) and a Jazzer target, {@link #arbitraryFrame}, whose corpus lives in
 * {@code src/test/resources/io/wirekv/dataplane/net/NetStackFuzzTestInputs/arbitraryFrame/} and which
 * {@code deploy/fuzz.sh} fuzzes. Fragments among those frames meet the long-lived stacks' reassemblers.
 * <p>
 * Reassembly has a target of its own, {@link #fragmentSequence}: the input chooses the geometry, order, source,
 * identification and timing of fragments of known datagrams, so a datagram the stack completes can be checked
 * against the truth; {@link #shouldReassembleOnlyTheTruthFromAnyFragmentSequence} drives it with seeded inputs.
 */
public class NetStackFuzzTest
{
    private static final NetCounters DROPPING_COUNTERS = new NetCounters();
    private static final NetStack DROPPING = stack(DROPPING_COUNTERS, true);
    private static final NetCounters PASSING_COUNTERS = new NetCounters();
    private static final NetStack PASSING = stack(PASSING_COUNTERS, false);
    private static final long[] BEFORE = new long[NetCounters.count()];

    private static final int ITERATIONS = 100_000;
    private static final int[] INTERESTING = {0, 1, 4, 5, 6, 8, 0x11, 0x20, 0x40, 0x45, 0x46, 0x4F, 0x7F, 0x80, 0x81, 0xFF};

    @Test
    void shouldSurviveRandomMutationsAndAccountForEveryFrame()
    {
        fuzz(true, 0x5EED);
    }

    @Test
    void shouldSurviveRandomMutationsAndAccountForEveryFrameWhenPassing()
    {
        fuzz(false, 0xFACE);
    }

    /**
     * A frame as the port hands it over (byte 0: how far into the buffer it starts, 0..7; the rest: the
     * frame), to a stack that drops what it does not handle and to one that passes it to the kernel.
     */
    @FuzzTest(maxDuration = "5s")
    void arbitraryFrame(final byte[] input)
    {
        checkArbitraryFrame(input);
    }

    /** {@link #arbitraryFrame}'s checks, for the suite's one-JVM fuzzing of every target. */
    public static void checkArbitraryFrame(final byte[] input)
    {
        if (input.length < 1)
        {
            return;
        }
        final int offset = input[0] & 7;
        final int length = input.length - 1;
        check(DROPPING, DROPPING_COUNTERS, true, input, offset, length);
        check(PASSING, PASSING_COUNTERS, false, input, offset, length);
    }

    private static void check(
        final NetStack stack, final NetCounters counters, final boolean dropUnhandled, final byte[] input,
        final int offset, final int length)
    {
        final byte[] buffer = new byte[offset + length];
        System.arraycopy(input, 1, buffer, offset, length);
        for (int id = 0; id < BEFORE.length; id++)
        {
            BEFORE[id] = counters.get(id);
        }
        // the segment ends where the frame does: a read past it throws
        final MemorySegment memory = MemorySegment.ofArray(buffer);
        final int verdict = stack.onFrame(memory, offset, length);
        assertTrue(verdict >= NetStack.UDP_REQUEST && verdict <= NetStack.PASS, "verdict " + verdict);
        assertEquals(1, counters.get(NetCounters.RX_FRAMES) - BEFORE[NetCounters.RX_FRAMES], "rx frames");
        int outcomes = 0;
        int outcome = -1;
        for (int id = 0; id < NetCounters.count(); id++)
        {
            if (!NetCounters.isOutcome(id))
            {
                continue;
            }
            final long delta = counters.get(id) - BEFORE[id];
            assertTrue(delta == 0 || delta == 1, NetCounters.name(id) + " moved by " + delta);
            if (delta == 1)
            {
                outcomes++;
                outcome = id;
            }
        }
        assertEquals(1, outcomes, "exactly one outcome per frame: " + counters);
        switch (verdict)
        {
            case NetStack.UDP_REQUEST ->
            {
                assertEquals(NetCounters.UDP_REQUESTS, outcome);
                assertPayloadInside(stack, memory, offset, length);
            }
            case NetStack.REPLY_IN_PLACE ->
            {
                assertTrue(outcome == NetCounters.ARP_REQUESTS_ANSWERED || outcome == NetCounters.ICMP_ECHO_ANSWERED,
                    NetCounters.name(outcome));
                assertTrue(stack.replyLength() >= 42 && stack.replyLength() <= length, "reply length " + stack.replyLength());
            }
            case NetStack.PASS ->
            {
                assertFalse(dropUnhandled, "a dropping stack passed a frame");
                assertTrue(outcome == NetCounters.ARP_OTHER || outcome == NetCounters.DROP_NOT_FOR_US ||
                    outcome == NetCounters.DROP_FRAGMENT || outcome == NetCounters.DROP_UNSUPPORTED,
                    "passed to the kernel as " + NetCounters.name(outcome));
            }
            default -> assertTrue(outcome != NetCounters.UDP_REQUESTS &&
                outcome != NetCounters.ARP_REQUESTS_ANSWERED && outcome != NetCounters.ICMP_ECHO_ANSWERED,
                "a dropped frame counted as " + NetCounters.name(outcome));
        }
        // PASSED is not an outcome: it counts the PASS verdicts beside their reason
        assertEquals(verdict == NetStack.PASS ? 1 : 0, counters.get(NetCounters.PASSED) - BEFORE[NetCounters.PASSED],
            "passed");
        assertFragmentsAddUp(counters);
    }

    /** The payload lies inside the frame, or, for a reassembled datagram, inside the reassembler's memory. */
    private static void assertPayloadInside(
        final NetStack stack, final MemorySegment frameMemory, final long offset, final int length)
    {
        assertTrue(stack.payloadLength() >= 0 && stack.payloadLength() <= FrameWriter.MAX_UDP_PAYLOAD_LENGTH);
        if (stack.payloadMemory() == frameMemory)
        {
            assertTrue(stack.payloadOffset() >= offset + 42, "payload after the headers");
            assertTrue(stack.payloadOffset() + stack.payloadLength() <= offset + length, "payload inside the frame");
        }
        else
        {
            assertTrue(stack.payloadOffset() >= 8, "payload after the reassembled UDP header");
            assertTrue(stack.payloadOffset() + stack.payloadLength() <= stack.payloadMemory().byteSize(),
                "payload inside the reassembler's memory");
        }
    }

    private static void assertFragmentsAddUp(final NetCounters counters)
    {
        assertEquals(counters.get(NetCounters.FRAGMENTS), counters.get(NetCounters.FRAGMENT_HELD) +
            counters.get(NetCounters.DROP_FRAGMENT) + counters.get(NetCounters.REASSEMBLED),
            "fragments = fragment_held + drop_fragment + reassembled: " + counters);
    }

    // ------------------------------------------------------------------------------------------ fragment sequences

    private static final int RECORD = 6;
    private static final int MAX_RECORDS = 128;
    private static final int[] SOURCES = {PEER_IP, OTHER_IP, OTHER_IP + 1};
    private static final int[] TRUE_SIZES = {100, 1000, 3000, 5000};
    /** TRUTH[source][selector]: the UDP datagram (header + payload) each source's datagram with that id carries. */
    private static final byte[][][] TRUTH = new byte[SOURCES.length][TRUE_SIZES.length][];

    static
    {
        for (int s = 0; s < SOURCES.length; s++)
        {
            for (int d = 0; d < TRUE_SIZES.length; d++)
            {
                TRUTH[s][d] = udpDatagram(SOURCES[s], OUR_IP, PEER_PORT, PORT, payload(TRUE_SIZES[d], 10 * s + d));
            }
        }
    }

    /**
     * Fragments of known datagrams, one per 6-byte record: u16 {@code MF (bit 15) | corrupt (bit 14) | fragment
     * offset (13 bits)}, u16 data length (mod 1,481), u8 datagram selector (mod 4: id and true size), u8 {@code source
     * (mod 3) | clock step in ms (bits 2..7)}. The data is the true datagram's bytes at that offset (zeros past its
     * end), one flipped where corrupt. A fresh stack (4 contexts, 2 per source, 50 ms) per input.
     */
    @FuzzTest(maxDuration = "5s")
    void fragmentSequence(final byte[] input)
    {
        checkFragmentSequence(input);
    }

    /**
     * {@link #fragmentSequence}'s checks: every frame one outcome, fragments add up, and a datagram completed
     * from fragments none of which was corrupted is exactly the true one.
     *
     * @return the stack's counters after the sequence.
     */
    public static NetCounters checkFragmentSequence(final byte[] input)
    {
        final CachedNanoClock clock = new CachedNanoClock();
        final NetCounters counters = new NetCounters();
        final NetStack stack = stack(counters, true, new ReassemblySettings(4, 2, TimeUnit.MILLISECONDS.toNanos(50)), clock);
        final boolean[][] corrupted = new boolean[SOURCES.length][TRUE_SIZES.length];
        for (int at = 0; at + RECORD <= input.length && at < RECORD * MAX_RECORDS; at += RECORD)
        {
            final int field = u16(input, at);
            final int length = u16(input, at + 2) % 1481;
            final int d = (input[at + 4] & 0xFF) % TRUE_SIZES.length;
            final int s = (input[at + 5] & 3) % SOURCES.length;
            clock.advance(TimeUnit.MILLISECONDS.toNanos((input[at + 5] & 0xFF) >>> 2));
            final int fragmentOffset = field & 0x1FFF;
            final byte[] truth = TRUTH[s][d];
            final byte[] data = new byte[length];
            for (int i = 0; i < length; i++)
            {
                final int position = fragmentOffset * 8 + i;
                data[i] = position < truth.length ? truth[position] : 0;
            }
            if ((field & 0x4000) != 0 && length > 0)
            {
                data[length / 2] ^= 0x20;
                corrupted[s][d] = true;
            }
            final byte[] frame = ipv4Fragment(OUR_MAC, PEER_MAC, SOURCES[s], OUR_IP, 17, 0x100 + d, data, 0, length,
                fragmentOffset, (field & 0x8000) != 0);
            final MemorySegment memory = MemorySegment.ofArray(frame);
            final long reassembled = counters.get(NetCounters.REASSEMBLED);
            final int verdict = stack.onFrame(memory, 0, frame.length);
            if (at % (RECORD * 8) == 0)
            {
                stack.expireFragments();
            }
            long outcomes = 0;
            for (int id = 0; id < NetCounters.count(); id++)
            {
                outcomes += NetCounters.isOutcome(id) ? counters.get(id) : 0;
            }
            assertEquals(counters.get(NetCounters.RX_FRAMES), outcomes, "every frame one outcome: " + counters);
            assertFragmentsAddUp(counters);
            if (verdict != NetStack.UDP_REQUEST)
            {
                assertEquals(NetStack.DROP, verdict);
                continue;
            }
            assertPayloadInside(stack, memory, 0, frame.length);
            if (counters.get(NetCounters.REASSEMBLED) > reassembled && !corrupted[s][d])
            {
                final byte[] seen = new byte[stack.payloadLength()];
                MemorySegment.copy(stack.payloadMemory(), ValueLayout.JAVA_BYTE, stack.payloadOffset(), seen, 0, seen.length);
                assertArrayEquals(Arrays.copyOfRange(truth, 8, truth.length), seen, "reassembled not the truth");
            }
        }
        return counters;
    }

    @Test
    void shouldReassembleOnlyTheTruthFromAnyFragmentSequence()
    {
        final Random random = new Random(0xF4A6);
        final long[] sums = new long[NetCounters.count()];
        for (int round = 0; round < 3_000; round++)
        {
            final NetCounters counters = checkFragmentSequence(fragmentRecords(random));
            for (int id = 0; id < sums.length; id++)
            {
                sums[id] += counters.get(id);
            }
        }
        // every way a datagram ends was reached
        for (final int id : new int[]{NetCounters.REASSEMBLED, NetCounters.REASSEMBLY_TIMEOUTS,
            NetCounters.REASSEMBLY_OVERLAPS, NetCounters.REASSEMBLY_EVICTIONS, NetCounters.REASSEMBLY_TOO_LARGE,
            NetCounters.FRAGMENT_HELD, NetCounters.DROP_FRAGMENT, NetCounters.DROP_BAD_UDP_CHECKSUM})
        {
            assertTrue(sums[id] > 0, NetCounters.name(id) + " never reached: " + Arrays.toString(sums));
        }
    }

    /** Mostly the true fragments of a few datagrams, shuffled, with a few fields broken. */
    private static byte[] fragmentRecords(final Random random)
    {
        final List<byte[]> records = new ArrayList<>();
        for (int datagram = 1 + random.nextInt(6); datagram > 0; datagram--)
        {
            final int d = random.nextInt(TRUE_SIZES.length);
            final int s = random.nextInt(SOURCES.length);
            if (random.nextInt(30) == 0)
            {
                records.add(new byte[]{(byte)0x9F, (byte)0xFF, 0, 16, (byte)d, (byte)s}); // reaches past 64 KiB
            }
            final int perFragment = (256 + random.nextInt(1480 - 256)) & ~7;
            final int trueLength = TRUTH[s][d].length;
            for (int offset = 0; offset < trueLength; offset += perFragment)
            {
                final int length = Math.min(perFragment, trueLength - offset);
                final boolean more = offset + length < trueLength;
                final int step = random.nextInt(10) == 0 ? random.nextInt(64) : 0;
                records.add(new byte[]{(byte)((more ? 0x80 : 0) | (offset >>> 11)), (byte)(offset >>> 3),
                    (byte)(length >>> 8), (byte)length, (byte)d, (byte)(s | step << 2)});
            }
        }
        Collections.shuffle(records, random);
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] record : records)
        {
            if (random.nextInt(20) == 0)
            {
                record[random.nextInt(RECORD)] ^= (byte)(1 << random.nextInt(8)); // move, cut, re-flag, re-address
            }
            if (random.nextInt(40) == 0)
            {
                record[0] |= 0x40; // other bytes than the truth's
            }
            if (random.nextInt(50) == 0)
            {
                out.writeBytes(record); // a duplicate
            }
            out.writeBytes(record);
        }
        return out.toByteArray();
    }

    private static void fuzz(final boolean dropUnhandled, final long seed)
    {
        final List<byte[]> fragments = udpFragmented(OUR_MAC, PEER_MAC, PEER_IP, OUR_IP, PEER_PORT, PORT,
            payload(200, 6), 100, 0x77);
        final byte[][] bases = {
            fragments.get(0), fragments.get(1), fragments.get(2),
            udpRequest(payload(30, 1)),
            udp(OUR_MAC, 7, PEER_IP, OUR_IP, PEER_PORT, PORT, payload(1, 2), NO_OPTIONS, 0, true),
            udp(OUR_MAC, NO_VLAN, PEER_IP, OUR_IP, PEER_PORT, PORT, payload(5, 3), new byte[]{1, 1, 1, 0}, 9, false),
            arpRequest(OUR_IP),
            arp(BROADCAST, PEER_MAC, 9, 1, PEER_MAC, PEER_IP, 0, OUR_IP, 14),
            arpRequest(OTHER_IP),
            echoRequest(payload(17, 4)),
            icmp(OUR_MAC, 3, PEER_IP, OUR_IP, 8, payload(2, 5), new byte[]{1, 1, 1, 1}, 11),
        };
        final NetCounters counters = new NetCounters();
        final NetStack stack = stack(counters, dropUnhandled);
        final SplittableRandom random = new SplittableRandom(seed);
        final long[] verdicts = new long[5];
        final byte[] buffer = new byte[4096];

        for (int i = 0; i < ITERATIONS; i++)
        {
            final byte[] base = bases[random.nextInt(bases.length)];
            final int offset = random.nextInt(8);
            Arrays.fill(buffer, (byte)0);
            System.arraycopy(base, 0, buffer, offset, base.length);
            int length = base.length;
            final int mutations = 1 + random.nextInt(4);
            for (int m = 0; m < mutations; m++)
            {
                length = mutate(random, buffer, offset, length);
            }
            if (random.nextBoolean())
            {
                fixIpChecksum(buffer, offset, length); // let the mutation reach the layers above IP
            }
            final MemorySegment memory = MemorySegment.ofArray(buffer).asSlice(0, offset + length);
            final int verdict;
            try
            {
                verdict = stack.onFrame(memory, offset, length);
            }
            catch (final RuntimeException ex)
            {
                throw new AssertionError("iteration " + i + " frame " + hexOf(buffer, offset, length), ex);
            }
            assertTrue(verdict >= NetStack.UDP_REQUEST && verdict <= NetStack.PASS, "verdict " + verdict);
            verdicts[verdict]++;
            if (verdict == NetStack.UDP_REQUEST)
            {
                assertPayloadInside(stack, memory, offset, length);
            }
            else if (verdict == NetStack.REPLY_IN_PLACE)
            {
                assertTrue(stack.replyLength() >= 42 && stack.replyLength() <= length, "reply length " + stack.replyLength());
            }
            else if (verdict == NetStack.PASS)
            {
                assertFalse(dropUnhandled);
            }
        }

        assertEquals(ITERATIONS, counters.get(NetCounters.RX_FRAMES));
        long outcomes = 0;
        for (int id = 0; id < NetCounters.count(); id++)
        {
            outcomes += NetCounters.isOutcome(id) ? counters.get(id) : 0;
        }
        assertEquals(ITERATIONS, outcomes, "every frame has exactly one outcome: " + counters);
        assertEquals(verdicts[NetStack.UDP_REQUEST], counters.get(NetCounters.UDP_REQUESTS));
        assertEquals(verdicts[NetStack.REPLY_IN_PLACE],
            counters.get(NetCounters.ARP_REQUESTS_ANSWERED) + counters.get(NetCounters.ICMP_ECHO_ANSWERED));
        assertEquals(verdicts[NetStack.PASS], counters.get(NetCounters.PASSED));
        assertFragmentsAddUp(counters);
        // the mutations reach every decision
        for (int id = 0; id < NetCounters.count(); id++)
        {
            assertTrue(!NetCounters.isOutcome(id) || counters.get(id) > 0, NetCounters.name(id) + " never reached: " + counters);
        }

    }

    private static int mutate(final SplittableRandom random, final byte[] buffer, final int offset, final int length)
    {
        final int headerSpan = Math.min(length, 64);
        switch (random.nextInt(7))
        {
            case 0: // flip a bit in the headers
                if (headerSpan > 0)
                {
                    buffer[offset + random.nextInt(headerSpan)] ^= (byte)(1 << random.nextInt(8));
                }
                return length;
            case 1: // an interesting value in the headers
                if (headerSpan > 0)
                {
                    buffer[offset + random.nextInt(headerSpan)] = (byte)INTERESTING[random.nextInt(INTERESTING.length)];
                }
                return length;
            case 2: // a random 16-bit field in the headers
                if (headerSpan > 1)
                {
                    putU16(buffer, offset + random.nextInt(headerSpan - 1), random.nextInt(0x10000));
                }
                return length;
            case 3: // truncate
                return random.nextInt(length + 1);
            case 4: // extend with random bytes
            {
                final int extra = random.nextInt(64);
                for (int i = 0; i < extra; i++)
                {
                    buffer[offset + length + i] = (byte)random.nextInt();
                }
                return length + extra;
            }
            case 5: // a random byte anywhere
                if (length > 0)
                {
                    buffer[offset + random.nextInt(length)] = (byte)random.nextInt();
                }
                return length;
            default: // leave it alone (with the checksum fix-up this keeps some frames valid)
                return length;
        }
    }

    private static void fixIpChecksum(final byte[] buffer, final int offset, final int length)
    {
        if (length < 14)
        {
            return;
        }
        int l2 = 14;
        int etherType = u16(buffer, offset + 12);
        if (etherType == 0x8100 && length >= 18)
        {
            etherType = u16(buffer, offset + 16);
            l2 = 18;
        }
        final int ip = offset + l2;
        if (etherType != 0x0800 || length < l2 + 20)
        {
            return;
        }
        final int headerLength = (buffer[ip] & 0xF) * 4;
        if (headerLength < 20 || l2 + headerLength > length)
        {
            return;
        }
        putU16(buffer, ip + 10, 0);
        putU16(buffer, ip + 10, referenceChecksum(buffer, ip, headerLength));
    }

    private static String hexOf(final byte[] buffer, final int offset, final int length)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++)
        {
            sb.append(String.format("%02x", buffer[offset + i]));
        }
        return sb.toString();
    }
}
