package io.wirekv.controlplane.cnc;

import io.wirekv.dataplane.server.ServerConfig;
import io.wirekv.dataplane.server.WirekvServer;
import io.wirekv.dataplane.table.MemoryMode;
import io.wirekv.testsupport.MiniJson;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static io.wirekv.controlplane.cnc.CncTestSupport.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code wirekv digest} against two running in-process appliances filled with the same items in other orders. */
class DigestCliTest
{
    private static final int PARTITIONS = 4;
    private static final int ITEMS = 400;
    private static final long NOW_MS = 1_700_000_000_000L;

    @Test
    @SuppressWarnings("unchecked")
    void shouldPrintEqualDigestsForTheSameItemsInAnyOrderAndNotCountExpiredOnes() throws IOException
    {
        final CachedEpochClock clockA = new CachedEpochClock();
        final CachedEpochClock clockB = new CachedEpochClock();
        clockA.update(NOW_MS);
        clockB.update(NOW_MS);
        final String a = CncTestSupport.uniqueInstance("digest-a");
        final String b = CncTestSupport.uniqueInstance("digest-b");
        try (WirekvServer serverA = start(a, clockA); WirekvServer serverB = start(b, clockB);
            Socket toA = new Socket("127.0.0.1", serverA.tcpPort()); Socket toB = new Socket("127.0.0.1", serverB.tcpPort()))
        {
            for (int i = 0; i < ITEMS; i++)
            {
                metaSet(toA, "key:" + i, "value-" + i, i, i % 3 == 0 ? 0 : 3600, 5000 + i);
            }
            for (int i = ITEMS - 1; i >= 0; i--)
            {
                metaSet(toB, "key:" + i, "value-" + i, i, i % 3 == 0 ? 0 : 3600, 5000 + i);
            }
            final String digestA = digest("--instance", a);
            assertEquals(digestA, digest("--instance", b), "the same items, written in another order");
            final List<String> lines = digestA.lines().toList();
            assertEquals(PARTITIONS + 1, lines.size(), digestA);
            for (int p = 0; p < PARTITIONS; p++)
            {
                assertTrue(lines.get(p).matches("partition " + p + " items [1-9]\\d* digest 0x[0-9a-f]{16}"), lines.get(p));
            }
            assertTrue(lines.get(PARTITIONS).matches("total items " + ITEMS + " digest 0x[0-9a-f]{16}"), digestA);

            final Map<String, Object> json = (Map<String, Object>)MiniJson.parse(digest("--instance", a, "--json").strip());
            assertEquals(a, json.get("instance"));
            final List<Map<String, Object>> partitions = (List<Map<String, Object>>)json.get("partitions");
            assertEquals(PARTITIONS, partitions.size());
            assertEquals(lines.get(1), "partition " + partitions.get(1).get("partition") + " items " +
                partitions.get(1).get("items") + " digest " + partitions.get(1).get("digest"));
            assertEquals(lines.get(PARTITIONS), "total items " + MiniJson.at(json, "total.items") + " digest " +
                MiniJson.at(json, "total.digest"));
            assertEquals(lines.get(2) + "\n" + lines.get(2).replace("partition 2", "total") + "\n",
                digest("--instance", a, "--partition", "2"));

            // one value changed: its partition's line and the total differ, no other line
            metaSet(toB, "key:7", "value-X", 7, 3600, 5007);
            final List<String> changed = digest("--instance", b).lines().toList();
            int differing = 0;
            for (int p = 0; p < PARTITIONS; p++)
            {
                differing += lines.get(p).equals(changed.get(p)) ? 0 : 1;
            }
            assertEquals(1, differing, digestA + " vs " + changed);
            assertNotEquals(lines.get(PARTITIONS), changed.get(PARTITIONS));

            // an item that expires counts while it lives, and not once the clock passes its exptime
            metaSet(toA, "short-lived", "soon", 0, 10, 1);
            assertTrue(digest("--instance", a).contains("total items " + (ITEMS + 1) + " "));
            clockA.update(NOW_MS + 11_000);
            assertEquals(digestA, digest("--instance", a), "the expired item no longer counts");

            final CncTestSupport.Run bad = cli("digest", "--instance", a, "--partition", "9");
            assertEquals(1, bad.code(), bad.out());
            assertTrue(bad.err().contains("there is no partition 9: this instance has 4 (0..3)"), bad.err());
        }
    }

    private static String digest(final String... args)
    {
        final String[] full = new String[args.length + 1];
        full[0] = "digest";
        System.arraycopy(args, 0, full, 1, args.length);
        final CncTestSupport.Run r = cli(full);
        assertEquals(0, r.code(), r.err() + r.out());
        return r.out();
    }

    private static WirekvServer start(final String instance, final CachedEpochClock clock)
    {
        final ServerConfig config = new ServerConfig(
            instance, "127.0.0.1", 0, ServerConfig.Backend.KERNEL, 1, List.of(), 2, 1, PARTITIONS,
            32L * 1024 * 1024, MemoryMode.CACHE, 64 * 1024, 1400, 32, 64, ServerConfig.IdleMode.BACKOFF, false);
        return WirekvServer.start(config, clock, new PrintStream(new ByteArrayOutputStream(), true),
            "  instance = " + instance + " (test)\n");
    }

    /** {@code ms} with an explicit CAS ({@code E}), so that two servers hold items with the same CAS. */
    private static void metaSet(
        final Socket socket, final String key, final String value, final int flags, final int ttl, final long cas)
        throws IOException
    {
        final OutputStream out = socket.getOutputStream();
        out.write(("ms " + key + " " + value.length() + " F" + flags + " T" + ttl + " E" + cas + "\r\n" + value + "\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        final InputStream in = socket.getInputStream();
        final byte[] reply = in.readNBytes(4);
        assertEquals("HD\r\n", new String(reply, StandardCharsets.US_ASCII), key);
    }
}
