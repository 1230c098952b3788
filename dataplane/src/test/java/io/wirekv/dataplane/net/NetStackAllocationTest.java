package io.wirekv.dataplane.net;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.util.List;

import static io.wirekv.dataplane.testnet.TestFrames.*;
import static org.junit.jupiter.api.Assertions.*;

class NetStackAllocationTest
{
    private static final int ROUNDS = 10;
    private static final int FRAMES_PER_ROUND = 100_000;

    @Test
    void shouldNotAllocateOnFrameReassemblyOrWriteUdpHeaders()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported(),
            "thread allocation accounting not supported by this JVM");
        threads.setThreadAllocatedMemoryEnabled(true);

        // a 3,000-byte request in three fragments, then a stray fragment that never completes (its datagram is
        // evicted or times out), between the usual frames: reassembly, completion and eviction on every round
        final List<byte[]> fragmented = udpFragmented(OUR_MAC, PEER_MAC, PEER_IP, OUR_IP, PEER_PORT, PORT,
            payload(3000, 6), 1500, 77);
        final byte[] stray = ipv4Fragment(OUR_MAC, PEER_MAC, OTHER_IP, OUR_IP, 78, new byte[1480], 0, 1480, true);
        final byte[][] frames = {
            fragmented.get(0), fragmented.get(1), fragmented.get(2), stray,
            udpRequest(payload(64, 1)),
            udp(OUR_MAC, 12, PEER_IP, OUR_IP, PEER_PORT, PORT, payload(1400, 2), NO_OPTIONS, 0, true),
            arpRequest(OUR_IP),
            arpRequest(OTHER_IP),
            echoRequest(payload(56, 3)),
            icmp(OTHER_MAC, NO_VLAN, PEER_IP, OUR_IP, 8, payload(5, 4), NO_OPTIONS, 0),
            udp(OUR_MAC, NO_VLAN, PEER_IP + 1, OUR_IP, PEER_PORT, PORT, payload(7, 5), NO_OPTIONS, 0, false),
        };
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment templates = arena.allocate(frames.length * 2048L);
            final int[] lengths = new int[frames.length];
            for (int i = 0; i < frames.length; i++)
            {
                MemorySegment.copy(frames[i], 0, templates, ValueLayout.JAVA_BYTE, i * 2048L, frames[i].length);
                lengths[i] = frames[i].length;
            }
            final MemorySegment work = arena.allocate(8192); // room for the reassembled request echoed back
            final MemorySegment everything = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
            final NetCounters counters = new NetCounters();
            final NetStack stack = stack(counters, true);

            long checksum = 0;
            for (int round = 0; round < ROUNDS; round++)
            {
                checksum += run(stack, templates, lengths, work, everything);
            }
            final long threadId = Thread.currentThread().threadId();
            final long calibrate = threads.getThreadAllocatedBytes(threadId);
            final long overhead = threads.getThreadAllocatedBytes(threadId) - calibrate;
            final long before = threads.getThreadAllocatedBytes(threadId);
            checksum += run(stack, templates, lengths, work, everything);
            final long allocated = threads.getThreadAllocatedBytes(threadId) - before - overhead;

            assertTrue(checksum != 0);
            assertTrue(counters.get(NetCounters.UDP_REQUESTS) > 0 && counters.get(NetCounters.ICMP_ECHO_ANSWERED) > 0 &&
                counters.get(NetCounters.ARP_REQUESTS_ANSWERED) > 0 && counters.get(NetCounters.REASSEMBLED) > 0 &&
                counters.get(NetCounters.FRAGMENT_HELD) > 0, counters.toString());
            assertEquals(0, allocated, "bytes allocated by " + FRAMES_PER_ROUND + " frames");
        }
    }

    private static long run(
        final NetStack stack, final MemorySegment templates, final int[] lengths, final MemorySegment work,
        final MemorySegment everything)
    {
        long result = 0;
        final long base = work.address();
        for (int i = 0; i < FRAMES_PER_ROUND; i++)
        {
            final int which = i % lengths.length;
            final int length = lengths[which];
            MemorySegment.copy(templates, which * 2048L, work, 0, length);
            final int verdict = stack.onFrame(everything, base, length);
            stack.expireFragments();
            if (verdict == NetStack.UDP_REQUEST)
            {
                // as BypassPort: the payload, from the frame or the reassembler, copied out (here behind the headers)
                MemorySegment.copy(stack.payloadMemory(), stack.payloadOffset(), work, 42, stack.payloadLength());
                // echo the payload back from where it is: headers for this peer fit in front of it
                result += stack.frameWriter().writeUdpHeaders(everything, base, stack.peerLink(), stack.peerIpv4(), stack.peerPort(),
                    stack.payloadLength(), FrameWriter.SUM_THE_PAYLOAD);
                result += stack.arpTable().lookup(stack.peerIpv4()) & 0xFF;
            }
            else if (verdict == NetStack.REPLY_IN_PLACE)
            {
                result += stack.replyLength();
            }
            else
            {
                result += verdict;
            }
        }
        return result;
    }
}
