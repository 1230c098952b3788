package io.wirekv.dataplane.net;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.SplittableRandom;

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
 * {@code deploy/fuzz.sh} fuzzes.
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
        final int verdict = stack.onFrame(MemorySegment.ofArray(buffer), offset, length);
        assertTrue(verdict >= NetStack.UDP_REQUEST && verdict <= NetStack.PASS, "verdict " + verdict);
        assertEquals(1, counters.get(NetCounters.RX_FRAMES) - BEFORE[NetCounters.RX_FRAMES], "rx frames");
        int outcomes = 0;
        int outcome = -1;
        for (int id = NetCounters.FIRST_OUTCOME; id <= NetCounters.LAST_OUTCOME; id++)
        {
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
                assertTrue(stack.payloadOffset() >= offset + 42, "payload after the headers");
                assertTrue(stack.payloadLength() >= 0);
                assertTrue(stack.payloadOffset() + stack.payloadLength() <= offset + length, "payload inside the frame");
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
    }

    private static void fuzz(final boolean dropUnhandled, final long seed)
    {
        final byte[][] bases = {
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
                assertTrue(stack.payloadOffset() >= offset + 42);
                assertTrue(stack.payloadLength() >= 0);
                assertTrue(stack.payloadOffset() + stack.payloadLength() <= offset + length);
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
        for (int id = NetCounters.FIRST_OUTCOME; id <= NetCounters.LAST_OUTCOME; id++)
        {
            outcomes += counters.get(id);
        }
        assertEquals(ITERATIONS, outcomes, "every frame has exactly one outcome: " + counters);
        assertEquals(verdicts[NetStack.UDP_REQUEST], counters.get(NetCounters.UDP_REQUESTS));
        assertEquals(verdicts[NetStack.REPLY_IN_PLACE],
            counters.get(NetCounters.ARP_REQUESTS_ANSWERED) + counters.get(NetCounters.ICMP_ECHO_ANSWERED));
        assertEquals(verdicts[NetStack.PASS], counters.get(NetCounters.PASSED));
        // the mutations reach every decision
        for (int id = NetCounters.FIRST_OUTCOME; id <= NetCounters.LAST_OUTCOME; id++)
        {
            assertTrue(counters.get(id) > 0, NetCounters.name(id) + " never reached: " + counters);
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
