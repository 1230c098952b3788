package io.wirekv.dataplane.port;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lcore's receive/send loop allocates nothing once warm: one KernelPort plays the client, another
 * echoes, all on this thread, and the thread's allocated-bytes counter must not move.
 */
class KernelPortAllocationTest
{
    private static final int BURST = 32;
    private static final int BUFFER_BYTES = 256;
    private static final int LOOPBACK = 0x7f000001;

    @Test
    void shouldNotAllocateInSteadyStateReceiveAndSend()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported(), "JVM does not report per-thread allocation");
        threads.setThreadAllocatedMemoryEnabled(true);

        try (Arena arena = Arena.ofConfined();
            KernelPort server = new KernelPort("127.0.0.1", 0);
            KernelPort client = new KernelPort("127.0.0.1", 0);
            DatagramBatch serverRx = new DatagramBatch(BURST);
            DatagramBatch serverTx = new DatagramBatch(BURST);
            DatagramBatch clientRx = new DatagramBatch(BURST);
            DatagramBatch clientTx = new DatagramBatch(BURST))
        {
            final MemorySegment serverBuffers = arena.allocate((long)BURST * BUFFER_BYTES, 64);
            final MemorySegment clientBuffers = arena.allocate((long)BURST * BUFFER_BYTES, 64);
            final MemorySegment requests = arena.allocate((long)BURST * BUFFER_BYTES, 64);
            for (int i = 0; i < BURST; i++)
            {
                serverRx.setBuffer(i, serverBuffers, (long)i * BUFFER_BYTES, BUFFER_BYTES);
                clientRx.setBuffer(i, clientBuffers, (long)i * BUFFER_BYTES, BUFFER_BYTES);
            }
            final Loop loop = new Loop(server, client, serverRx, serverTx, clientRx, clientTx, requests);

            // Warm-up by calls, not datagrams: bursts of one make every call site hot enough for C2 (until then
            // the interpreter and C1 box the downcall's captured-errno argument), then full bursts.
            assertEquals(40_000, loop.run(40_000, 1), "warm-up echoes, bursts of 1");
            assertEquals(20_000, loop.run(20_000, BURST), "warm-up echoes, full bursts");

            final long threadId = Thread.currentThread().threadId();
            final long before = threads.getThreadAllocatedBytes(threadId);
            final long echoed = loop.run(10_000, BURST);
            final long allocated = threads.getThreadAllocatedBytes(threadId) - before;

            assertEquals(10_000, echoed);
            assertEquals(0, allocated, "bytes allocated by 10k datagram receive/send round trips");
            assertEquals(0, server.counters().get(PortCounters.TX_DROPPED));
            assertEquals(70_000, server.counters().get(PortCounters.RX_PACKETS));
        }
    }

    /** The measured loop: no lambdas, no boxing, no strings. */
    private static final class Loop
    {
        private final KernelPort server;
        private final KernelPort client;
        private final DatagramBatch serverRx;
        private final DatagramBatch serverTx;
        private final DatagramBatch clientRx;
        private final DatagramBatch clientTx;
        private final MemorySegment requests;
        private final int serverPort;

        Loop(
            final KernelPort server, final KernelPort client, final DatagramBatch serverRx, final DatagramBatch serverTx,
            final DatagramBatch clientRx, final DatagramBatch clientTx, final MemorySegment requests)
        {
            this.server = server;
            this.client = client;
            this.serverRx = serverRx;
            this.serverTx = serverTx;
            this.clientRx = clientRx;
            this.clientTx = clientTx;
            this.requests = requests;
            this.serverPort = server.localPort();
        }

        long run(final int datagrams, final int burstSize)
        {
            long echoed = 0;
            int spins = 0;
            while (echoed < datagrams && spins < 10_000_000)
            {
                final int burst = (int)Math.min(burstSize, datagrams - echoed);
                for (int i = 0; i < burst; i++)
                {
                    requests.set(ValueLayout.JAVA_LONG, (long)i * BUFFER_BYTES, echoed + i);
                    clientTx.add(requests, (long)i * BUFFER_BYTES, 64, LOOPBACK, serverPort);
                }
                client.send(clientTx);

                int served = 0;
                while (served < burst && ++spins < 10_000_000)
                {
                    final int received = server.receive(serverRx);
                    for (int i = 0; i < received; i++)
                    {
                        serverTx.add(serverRx.segment(i), serverRx.offset(i), serverRx.length(i), serverRx, i);
                    }
                    server.send(serverTx);
                    served += Math.max(received, 0);
                }

                int replies = 0;
                while (replies < served && ++spins < 10_000_000)
                {
                    final int received = client.receive(clientRx);
                    for (int i = 0; i < received; i++)
                    {
                        if (clientRx.segment(i).get(ValueLayout.JAVA_LONG, clientRx.offset(i)) == echoed + replies + i)
                        {
                            continue;
                        }
                        return -1;
                    }
                    replies += Math.max(received, 0);
                }
                echoed += replies;
            }
            return echoed;
        }
    }
}
