package io.wirekv.e2e.replication;

import io.wirekv.controlplane.client.McClient;
import io.wirekv.dataplane.record.RecordFrames;
import io.wirekv.dataplane.record.WriteRecordDescriptor;
import io.wirekv.dataplane.record.WriteRecordEncoder;
import io.wirekv.dataplane.replication.ReplicationFrameDescriptor;
import io.wirekv.dataplane.table.Table;
import io.wirekv.e2e.ServeProcess;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static io.wirekv.dataplane.replication.ReplicationFrameDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A raw socket speaking bad replication input to a real backup ({@code wirekv serve --replication-role backup}):
 * garbage, an old protocol version, a record with a bad CRC32C, a sequence gap. Each time the backup drops the
 * connection with the reason in its error log, and nothing after the last good record is applied.
 */
class ReplicationBadInputTest
{
    private static final int PARTITIONS = 4; // serve's default
    private ServeProcess backup;
    private Path dir;
    private int listen;

    @BeforeEach
    void startBackup()
    {
        dir = ReplicationPair.newDataDir("repl-bad-");
        listen = ReplicationPair.freePort();
        backup = ReplicationPair.start(ReplicationPair.args(dir, "async", "backup", "async", listen, -1));
    }

    @AfterEach
    void tearDown()
    {
        CloseHelper.quietClose(backup);
        ReplicationPair.deleteTree(dir);
    }

    @Test
    void shouldDropGarbageAndAnOldVersionWithTheReason() throws IOException
    {
        try (Socket s = connect())
        {
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertTrue(closedByPeer(s), "garbage: the backup closes the connection");
        }
        assertTrue(ReplicationPair.eventually(5_000, () -> backup.output().contains("not a replication frame") ||
            backup.output().contains("not a wirekv replication stream")), backup::output);
        try (Socket s = connect())
        {
            final ByteBuffer hello = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
            putHello(hello, 0, 0, PARTITIONS, "old-primary");
            send(s, hello);
            final ByteBuffer reply = readFrame(s);
            assertEquals(TYPE_REFUSED, reply.getShort(TYPE_OFFSET));
            assertEquals("protocol version 0 is not supported (this node speaks " + VERSION + ")",
                text(reply, 0, REFUSED_REASON_LENGTH_OFFSET, REFUSED_REASON_OFFSET, reply.getInt(0)));
            assertTrue(closedByPeer(s));
        }
    }

    @Test
    void shouldDropABadCrcAndASequenceGapApplyingNothingAfterTheLastGoodRecord() throws IOException
    {
        try (Socket s = handshake(); McClient reader = ReplicationE2eTest.tcp(backup))
        {
            final ByteBuffer frame = records("good", 1, false);
            send(s, frame);
            assertTrue(ReplicationPair.eventually(5_000, () -> null != reader.get("good")), backup::output);
            send(s, records("corrupt", 2, true));
            assertTrue(closedByPeer(s), "a bad CRC drops the stream");
            assertTrue(ReplicationPair.eventually(5_000, () -> backup.output().contains("corrupt (CRC32C mismatch)")),
                backup::output);
            assertNull(reader.get("corrupt"), "nothing of a corrupt record is applied");
        }
        try (Socket s = handshake(); McClient reader = ReplicationE2eTest.tcp(backup))
        {
            send(s, records("gap", 5, false)); // its partition expects 1 (or 2, if it is "good"'s): never 5
            assertTrue(closedByPeer(s), "a sequence gap drops the stream");
            assertTrue(ReplicationPair.eventually(5_000, () -> backup.output().contains("sequence gap: expected")),
                backup::output);
            assertNull(reader.get("gap"), "a record after a gap is not applied");
            assertNotNull(reader.get("good"), "the good record stays");
        }
    }

    private Socket connect() throws IOException
    {
        final Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", listen), 2_000);
        s.setSoTimeout(5_000);
        return s;
    }

    /** HELLO at epoch 0, and the HELLO_REPLY read. */
    private Socket handshake() throws IOException
    {
        final Socket s = connect();
        final ByteBuffer hello = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
        putHello(hello, VERSION, 0, PARTITIONS, "test-primary");
        send(s, hello);
        final ByteBuffer reply = readFrame(s);
        assertEquals(TYPE_HELLO_REPLY, reply.getShort(TYPE_OFFSET), "the backup answers HELLO");
        return s;
    }

    /** A RECORDS frame with one OP_RESTORE of {@code key} sealed with {@code sequence}, its CRC broken if asked. */
    private static ByteBuffer records(final String key, final long sequence, final boolean breakCrc)
    {
        final byte[] k = key.getBytes(StandardCharsets.US_ASCII);
        final byte[] v = ("value of " + key).getBytes(StandardCharsets.US_ASCII);
        final int length = WriteRecordDescriptor.effectLength(k.length, v.length);
        final int frame = RecordFrames.frameLength(length);
        final ByteBuffer b = ByteBuffer.allocateDirect(HEADER_LENGTH + frame).order(ByteOrder.LITTLE_ENDIAN);
        final MemorySegment m = MemorySegment.ofBuffer(b);
        final MemorySegment keySeg = MemorySegment.ofArray(k);
        final long hash = Table.keyHash(keySeg, 0, k.length);
        final int partition = (int)(hash >>> 32) & (PARTITIONS - 1);
        new WriteRecordEncoder().wrapEffect(m, HEADER_LENGTH, length, WriteRecordDescriptor.OP_RESTORE)
            .partition(partition).newCas(sequence).key(keySeg, 0, k.length)
            .value(MemorySegment.ofArray(v), 0, v.length);
        new RecordFrames().wrap(m).seal(HEADER_LENGTH, sequence);
        if (breakCrc)
        {
            b.put(HEADER_LENGTH + WriteRecordDescriptor.EFFECT_HEADER_LENGTH + k.length, (byte)'X'); // a value byte
        }
        ReplicationFrameDescriptor.header(b, 0, HEADER_LENGTH + frame, TYPE_RECORDS, partition);
        b.position(HEADER_LENGTH + frame);
        return b;
    }

    private static void send(final Socket s, final ByteBuffer frames) throws IOException
    {
        final byte[] bytes = new byte[frames.position()];
        frames.get(0, bytes);
        s.getOutputStream().write(bytes);
        s.getOutputStream().flush();
    }

    private static ByteBuffer readFrame(final Socket s) throws IOException
    {
        final InputStream in = s.getInputStream();
        final byte[] head = in.readNBytes(4);
        assertEquals(4, head.length, "a frame from the backup");
        final int length = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        assertTrue(length >= HEADER_LENGTH && length < 1 << 20, "frame length " + length);
        final byte[] frame = new byte[length];
        System.arraycopy(head, 0, frame, 0, 4);
        assertEquals(length - 4, in.readNBytes(frame, 4, length - 4));
        return ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** True when the peer closes (EOF or reset) within the socket's timeout; frames before the close are skipped. */
    private static boolean closedByPeer(final Socket s)
    {
        try
        {
            final InputStream in = s.getInputStream();
            final byte[] buf = new byte[4096];
            while (true)
            {
                if (in.read(buf) < 0)
                {
                    return true;
                }
            }
        }
        catch (final SocketTimeoutException ex)
        {
            return false;
        }
        catch (final IOException reset)
        {
            return true;
        }
    }
}
