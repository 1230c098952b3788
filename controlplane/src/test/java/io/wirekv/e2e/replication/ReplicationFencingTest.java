package io.wirekv.e2e.replication;

import io.wirekv.controlplane.client.McClient;
import io.wirekv.e2e.ServeProcess;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Run-time roles between two real processes: {@code wirekv promote} on the backup makes it primary at epoch 1 while
 * the old primary still runs; the old one is fenced (the newer primary refuses its stream, or it meets the newer one's
 * HELLO) and answers every write with the fenced SERVER_ERROR, counted in {@code wirekv errors}, until
 * {@code wirekv demote}; then the new primary fully syncs it as its backup.
 */
class ReplicationFencingTest
{
    private static final String FENCED = "SERVER_ERROR replication: fenced, the peer is primary at a newer epoch " +
        "(see wirekv status); run wirekv demote";
    private ServeProcess a;
    private ServeProcess b;
    private Path aDir;
    private Path bDir;

    @AfterEach
    void tearDown()
    {
        CloseHelper.quietCloseAll(a, b);
        ReplicationPair.deleteTree(aDir);
        ReplicationPair.deleteTree(bDir);
    }

    @Test
    void shouldFenceTheStalePrimaryAfterAPromoteAndResyncItOnceDemoted()
    {
        aDir = ReplicationPair.newDataDir("repl-fence-a-");
        bDir = ReplicationPair.newDataDir("repl-fence-b-");
        final int aListen = ReplicationPair.freePort();
        final int bListen = ReplicationPair.freePort();
        b = ReplicationPair.start(ReplicationPair.args(bDir, "async", "backup", "async", bListen, aListen));
        a = ReplicationPair.start(ReplicationPair.args(aDir, "async", "primary", "async", aListen, bListen));
        try (McClient onA = ReplicationE2eTest.tcp(a); McClient onB = ReplicationE2eTest.tcp(b))
        {
            assertEquals("STORED", onA.set("before", 1, 0, bytes("from-a")));
            assertTrue(ReplicationPair.eventually(10_000, () -> null != onB.get("before")));

            final String[] promote = ReplicationPair.cli(b, "promote");
            assertEquals("0", promote[0], promote[1] + promote[2]);
            assertTrue(promote[1].startsWith("promoted: role primary, epoch 1; accepting writes; pushing to 127.0.0.1:" +
                aListen), promote[1]);
            assertEquals("STORED", onB.set("after", 2, 0, bytes("from-b")));

            assertTrue(ReplicationPair.eventually(15_000, () -> FENCED.equals(onA.set("stale", 0, 0, bytes("x")))),
                () -> "the old primary still acknowledges writes\n" + a.output());
            assertEquals(FENCED, onA.delete("before"), "every write is refused while fenced");
            assertArrayEquals(bytes("from-a"), onA.get("before").data(), "reads are still served");
            final String errors = ReplicationPair.cli(a, "errors")[1];
            assertTrue(errors.contains("fenced"), errors);
            assertTrue(ReplicationPair.cli(a, "status")[1].contains("FENCED"));

            final String[] demote = ReplicationPair.cli(a, "demote", "--peer", "127.0.0.1:" + bListen);
            assertEquals("0", demote[0], demote[1] + demote[2]);
            assertTrue(demote[1].startsWith("demoted: role backup at epoch 0"), demote[1]);
            assertTrue(ReplicationPair.eventually(15_000, () -> null != onA.get("after")),
                () -> "the new primary never synced the demoted node\n" + a.output() + "\n" + b.output());
            assertArrayEquals(bytes("from-b"), onA.get("after").data());
            assertEquals("SERVER_ERROR replication: this node is a backup (read-only); write to the primary",
                onA.set("stale", 0, 0, bytes("x")));
            assertTrue(ReplicationPair.cli(a, "replication")[1].contains("role backup, mode async, epoch 1"),
                "the demoted node took the new primary's epoch");
        }
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
