package io.wirekv.dataplane.replication.rdma;

import io.wirekv.dataplane.replication.ReplicationChannel;
import io.wirekv.dataplane.replication.ReplicationSettings;
import io.wirekv.dataplane.replication.TcpReplicationChannel;
import io.wirekv.dataplane.replication.TcpReplicationConnector;
import io.wirekv.dataplane.replication.TcpReplicationListener;
import io.wirekv.nativebindings.verbs.VerbsLayouts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The RDMA link's stream and set-up over {@link LoopbackFabric} (no RDMA device here): real TCP set-up connections on
 * loopback, the real work-request encoding and completion parsing, the fabric checking keys and bounds as a NIC does.
 */
class RdmaReplicationChannelTest
{
    private static final long SMALL_RING = 4096;
    private final LoopbackFabric fabric = new LoopbackFabric();
    private final List<String> errors = new ArrayList<>();
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception
    {
        for (final AutoCloseable c : opened.reversed())
        {
            c.close();
        }
        assertEquals(0, fabric.openQueuePairs(), "every queue pair closed with its channel");
    }

    @Test
    void shouldCarryBothDirectionsInOrderThroughSmallRingsAcrossTheirEnds() throws Exception
    {
        final ReplicationChannel[] link = connectedPair(SMALL_RING);
        final Random random = new Random(42);
        final byte[] forward = new byte[1 << 20];
        final byte[] backward = new byte[100_000];
        random.nextBytes(forward);
        random.nextBytes(backward);
        final ByteBuffer forwardReceived = ByteBuffer.allocate(forward.length);
        final ByteBuffer backwardReceived = ByteBuffer.allocate(backward.length);
        int forwardSent = 0;
        int backwardSent = 0;
        final ByteBuffer chunk = ByteBuffer.allocateDirect(3000);
        final ByteBuffer in = ByteBuffer.allocate(5000);
        for (int round = 0; round < 100_000 && forwardReceived.hasRemaining(); round++)
        {
            forwardSent += send(link[0], chunk, forward, forwardSent, 1 + random.nextInt(3000));
            backwardSent += send(link[1], chunk, backward, backwardSent, 1 + random.nextInt(300));
            receive(link[1], in, forwardReceived, 1 + random.nextInt(5000));
            receive(link[0], in, backwardReceived, 1 + random.nextInt(5000));
        }
        for (int round = 0; round < 1000 && backwardReceived.hasRemaining(); round++)
        {
            backwardSent += send(link[1], chunk, backward, backwardSent, 300);
            receive(link[0], in, backwardReceived, 5000);
        }
        assertArrayEquals(forward, forwardReceived.array());
        assertArrayEquals(backward, backwardReceived.array());
        assertTrue(fabric.bytesWritten() > forward.length + backward.length, "the bytes went over the fabric");
    }

    @Test
    void shouldTakeNoMoreThanThePeersRingHoldsUntilThePeerReads() throws Exception
    {
        final ReplicationChannel[] link = connectedPair(SMALL_RING);
        final ByteBuffer data = ByteBuffer.allocate(10_000);
        assertEquals(SMALL_RING, link[0].write(data), "a write takes what the peer's ring has room for");
        assertEquals(0, link[0].write(data), "and no more while the peer has read nothing");
        final ByteBuffer in = ByteBuffer.allocate(1000);
        assertEquals(1000, link[1].read(in));
        assertEquals(1000, link[0].write(data), "the space the peer read is free again");
    }

    @Test
    void shouldFailTheNextCallWhenAWriteFailsAtTheNic() throws Exception
    {
        final ReplicationChannel[] link = connectedPair(SMALL_RING);
        fabric.failNextWrite(VerbsLayouts.IBV_WC_REM_ACCESS_ERR);
        link[0].write(ByteBuffer.wrap(new byte[100]));
        final IOException failed = assertThrows(IOException.class, () -> link[0].write(ByteBuffer.wrap(new byte[1])));
        assertTrue(failed.getMessage().contains("REM_ACCESS_ERR"), failed.getMessage());
    }

    @Test
    void shouldDropALinkWhosePeerClaimsToHaveReadMoreThanWasWritten() throws Exception
    {
        final ReplicationChannel[] link = connectedPair(SMALL_RING);
        link[0].write(ByteBuffer.wrap(new byte[100]));
        // the peer's consumed word in link[0]'s doorbell, as a confused or hostile peer would write it
        final RdmaConnectionParams own = ((RdmaReplicationChannel)link[0]).localParams();
        java.lang.foreign.MemorySegment.ofAddress(own.doorbellAddress()).reinterpret(16)
            .set(java.lang.foreign.ValueLayout.JAVA_LONG, RdmaReceiveRing.CONSUMED_OFFSET, 5000L);
        final IOException failed = assertThrows(IOException.class, () -> link[0].write(ByteBuffer.wrap(new byte[1])));
        assertTrue(failed.getMessage().contains("corrupt doorbell"), failed.getMessage());
    }

    @Test
    void shouldEndTheStreamWhenThePeerCloses() throws Exception
    {
        final ReplicationChannel[] link = connectedPair(SMALL_RING);
        link[0].write(ByteBuffer.wrap("last words".getBytes(StandardCharsets.US_ASCII)));
        link[0].close();
        final ByteBuffer in = ByteBuffer.allocate(100);
        assertEquals(10, link[1].read(in), "what was placed before the close is read first");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        String end = null;
        while (null == end && System.nanoTime() < deadline)
        {
            try
            {
                end = link[1].read(in) < 0 ? "end of stream" : null;
            }
            catch (final IOException ex)
            {
                end = ex.getMessage(); // the consumed-position write into the closed side failed first
                assertTrue(end.contains("RETRY_EXC_ERR"), end);
            }
        }
        assertTrue(null != end, "the peer's close is seen within 5 s");
        final IOException failed = assertThrows(IOException.class, () ->
        {
            for (int i = 0; i < 10; i++)
            {
                link[1].write(ByteBuffer.wrap(new byte[8]));
            }
        });
        assertTrue(failed.getMessage().contains("RETRY_EXC_ERR"), failed.getMessage());
    }

    @Test
    void shouldLetAnRdmaBackupTakeAPrimaryThatStreamsOverTcp() throws Exception
    {
        final TcpReplicationListener listener = listen(rdma(false));
        final TcpReplicationChannel primary = TcpReplicationChannel.connect(address(listener), 2000);
        opened.add(primary);
        final byte[] hello = "HELLO frame bytes".getBytes(StandardCharsets.US_ASCII);
        primary.write(ByteBuffer.wrap(hello));
        final ReplicationChannel backup = acceptWithin(listener);
        final ByteBuffer in = ByteBuffer.allocate(100);
        while (in.position() < hello.length)
        {
            backup.read(in);
        }
        assertArrayEquals(hello, java.util.Arrays.copyOf(in.array(), hello.length), "the bytes read to look are read again");
        assertEquals(0, fabric.openQueuePairs(), "no RDMA link for a TCP primary");
    }

    @Test
    void shouldFallBackToTcpUnderAutoWhenTheBackupDoesNotTakeRdma() throws Exception
    {
        final TcpReplicationListener listener = listen(TcpReplicationConnector.INSTANCE);
        final CompletableFuture<ReplicationChannel> auto = connectAsync(rdma(true), listener);
        refuseLikeATcpBackup(listener);
        final ReplicationChannel second = acceptWithin(listener);
        opened.add(second);
        final ReplicationChannel channel = auto.get(5, TimeUnit.SECONDS);
        opened.add(channel);
        assertInstanceOf(TcpReplicationChannel.class, channel);
        assertTrue(errors.getFirst().contains("streaming over TCP"), errors.toString());

        final CompletableFuture<ReplicationChannel> strict = connectAsync(rdma(false), listener);
        refuseLikeATcpBackup(listener);
        final Exception refused = assertThrows(Exception.class, () -> strict.get(5, TimeUnit.SECONDS));
        assertTrue(refused.getMessage().contains("set replication.transport the same on both nodes"),
            refused.getMessage());
    }

    /** Two channels connected through the real set-up: the primary's connect and the backup's accept. */
    private ReplicationChannel[] connectedPair(final long ring) throws Exception
    {
        final RdmaConnector connector = new RdmaConnector(fabric.factory(), false, "rdma (loopback)", ring);
        final TcpReplicationListener listener = listen(connector);
        final CompletableFuture<ReplicationChannel> primary = connectAsync(connector, listener);
        final ReplicationChannel backup = acceptWithin(listener);
        opened.add(backup);
        final ReplicationChannel channel = primary.get(5, TimeUnit.SECONDS);
        opened.add(channel);
        assertInstanceOf(RdmaReplicationChannel.class, channel);
        assertInstanceOf(RdmaReplicationChannel.class, backup);
        return new ReplicationChannel[] {channel, backup};
    }

    private RdmaConnector rdma(final boolean auto)
    {
        return new RdmaConnector(fabric.factory(), auto, "rdma (loopback)", SMALL_RING);
    }

    private TcpReplicationListener listen(final io.wirekv.dataplane.replication.ReplicationConnector transport)
    {
        final TcpReplicationListener listener = new TcpReplicationListener(
            new ReplicationSettings.HostPort("127.0.0.1", 0), transport, ex -> errors.add(ex.getMessage()));
        opened.add(listener);
        return listener;
    }

    private CompletableFuture<ReplicationChannel> connectAsync(final RdmaConnector connector,
        final TcpReplicationListener listener)
    {
        return CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return connector.connect(address(listener), 2000, ex -> errors.add(ex.getMessage()));
            }
            catch (final IOException ex)
            {
                throw new java.io.UncheckedIOException(ex);
            }
        });
    }

    private static ReplicationSettings.HostPort address(final TcpReplicationListener listener)
    {
        return new ReplicationSettings.HostPort("127.0.0.1", listener.port());
    }

    private static ReplicationChannel acceptWithin(final TcpReplicationListener listener) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline)
        {
            final ReplicationChannel accepted = listener.accept();
            if (null != accepted)
            {
                return accepted;
            }
            Thread.sleep(1);
        }
        throw new AssertionError("nothing connected within 5 s");
    }

    /** As a TCP-only backup's receiver does: it reads what the primary sent, sees no HELLO, and closes. */
    private static void refuseLikeATcpBackup(final TcpReplicationListener listener) throws Exception
    {
        final ReplicationChannel accepted = acceptWithin(listener);
        final ByteBuffer in = ByteBuffer.allocate(RdmaConnectionParams.LENGTH);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (in.hasRemaining() && System.nanoTime() < deadline)
        {
            accepted.read(in);
        }
        accepted.close();
    }

    private static int send(final ReplicationChannel channel, final ByteBuffer chunk, final byte[] data, final int from,
        final int most) throws IOException
    {
        final int n = Math.min(most, data.length - from);
        if (n == 0)
        {
            return 0;
        }
        chunk.clear().put(data, from, n).flip();
        return channel.write(chunk);
    }

    private static void receive(final ReplicationChannel channel, final ByteBuffer in, final ByteBuffer into,
        final int most) throws IOException
    {
        in.clear().limit(Math.min(most, into.remaining()));
        if (channel.read(in) > 0)
        {
            into.put(in.flip());
        }
    }
}
