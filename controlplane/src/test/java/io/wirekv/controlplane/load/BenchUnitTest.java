package io.wirekv.controlplane.load;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Key choice, values, requests and reply parsing, without a server. */
class BenchUnitTest
{
    @Test
    void shouldChooseZipfKeysWithTheHottestRankMostOftenAndUniformKeysEvenly()
    {
        final int n = 1000;
        final KeyChooser zipf = new KeyChooser(n, 0.99);
        final KeyChooser uniform = new KeyChooser(n, 0);
        final java.util.SplittableRandom r = new java.util.SplittableRandom(1);
        final int[] zipfCounts = new int[n];
        final int[] uniformCounts = new int[n];
        final int draws = 200_000;
        for (int i = 0; i < draws; i++)
        {
            zipfCounts[zipf.next(r.nextDouble(), r.nextLong())]++;
            uniformCounts[uniform.next(r.nextDouble(), r.nextLong())]++;
        }
        double zeta = 0;
        for (int i = 1; i <= n; i++)
        {
            zeta += 1 / Math.pow(i, 0.99);
        }
        final double expectedTop = draws / zeta;
        assertTrue(Math.abs(zipfCounts[0] - expectedTop) < 0.05 * expectedTop, zipfCounts[0] + " vs " + expectedTop);
        assertTrue(zipfCounts[0] > zipfCounts[1] && zipfCounts[1] > zipfCounts[10] && zipfCounts[10] > zipfCounts[500]);
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (final int c : uniformCounts)
        {
            min = Math.min(min, c);
            max = Math.max(max, c);
        }
        assertTrue(min > 120 && max < 290, "uniform: 200 per key give or take, got " + min + ".." + max);
        final Set<Integer> keys = new HashSet<>();
        for (int rank = 0; rank < n; rank++)
        {
            keys.add(zipf.keyOf(rank));
        }
        assertEquals(n, keys.size(), "ranks map to keys one to one");
    }

    @Test
    void shouldComputeZipfsZetaForLargeKeySpacesInClosedForm()
    {
        final int n = 3_000_000;
        double exact = 0;
        for (int i = 1; i <= n; i++)
        {
            exact += 1.0 / Math.pow(i, 0.99);
        }
        final double fast = KeyChooser.zeta(n, 0.99);
        assertTrue(Math.abs(fast - exact) < 1e-9 * exact, fast + " vs " + exact);
        assertEquals(KeyChooser.zeta(1000, 0.5), sum(1000, 0.5), 1e-12);
    }

    private static double sum(final int n, final double theta)
    {
        double s = 0;
        for (int i = 1; i <= n; i++)
        {
            s += 1.0 / Math.pow(i, theta);
        }
        return s;
    }

    @Test
    void shouldDeriveValuesFromKeyAndVersionOnly()
    {
        final BenchValues a = new BenchValues(16, 1024, 1);
        final BenchValues b = new BenchValues(16, 1024, 2);
        final byte[] buf = new byte[2048];
        int differentSize = 0;
        for (int key = 0; key < 100; key++)
        {
            final int end = a.put(buf, 0, key);
            assertEquals(a.size(key), end);
            assertTrue(a.size(key) >= 16 && a.size(key) <= 1024);
            assertTrue(a.matches(buf, 0, end, key));
            buf[end / 2] ^= 1;
            assertFalse(a.matches(buf, 0, end, key), "one flipped bit is caught");
            differentSize += a.size(key) != a.size(key + 1) ? 1 : 0;
            final int endB = b.put(buf, 0, key);
            assertTrue(b.matches(buf, 0, endB, key));
        }
        assertTrue(differentSize > 90, "sizes vary between keys");
        int sameUnderOtherVersion = 0;
        for (int key = 0; key < 100; key++)
        {
            final int endB = b.put(buf, 0, key);
            sameUnderOtherVersion += a.matches(buf, 0, endB, key) ? 1 : 0;
        }
        assertTrue(sameUnderOtherVersion < 5, "another run's values (other version) read as wrong");
    }

    @Test
    void shouldParseTextAndMetaRepliesAndCatchWrongValues()
    {
        final BenchValues values = new BenchValues(8, 8, 3);
        final BenchReplyParser p = new BenchReplyParser(values, 100);
        final byte[] v = new byte[8];
        values.put(v, 0, 7);
        final String good = new String(v, StandardCharsets.US_ASCII);

        assertParsed(p, "VALUE k07 0 8\r\n" + good + "\r\nEND\r\n", true, false, 1, true, 1, 0, false);
        assertParsed(p, "VALUE k07 0 8\r\nxxxxxxxx\r\nEND\r\n", true, false, 1, true, 1, 1, false);
        assertParsed(p, "VALUE k08 0 8\r\n" + good + "\r\nEND\r\n", true, false, 1, true, 1, 1, false);
        assertParsed(p, "END\r\n", true, false, 1, true, 0, 0, false);
        assertParsed(p, "STORED\r\n", false, false, 1, false, 0, 0, false);
        assertParsed(p, "SERVER_ERROR out of memory\r\n", false, false, 1, false, 0, 0, true);
        assertParsed(p, "ERROR\r\n", true, false, 1, false, 0, 0, true);
        assertParsed(p, "VA 8 kk07 O12\r\n" + good + "\r\n", true, true, 1, true, 1, 0, false);
        assertEquals(12, p.opaque);
        assertParsed(p, "EN\r\n", true, true, 1, true, 0, 0, false);
        assertParsed(p, "VA 8 kk07 O1\r\n" + good + "\r\nVA 8 kk07 O1\r\n" + good + "\r\nMN\r\n", true, true, 3, true, 2, 0,
            false);
        assertParsed(p, "HD O5\r\n", false, true, 1, false, 0, 0, false);
        assertEquals(5, p.opaque);

        final byte[] partial = ("VALUE k07 0 8\r\n" + good.substring(0, 4)).getBytes(StandardCharsets.US_ASCII);
        assertEquals(BenchReplyParser.INCOMPLETE, p.parse(partial, 0, partial.length, true, false, 1, true));
    }

    @Test
    void shouldWriteRequestsTheServerUnderstands()
    {
        final BenchValues values = new BenchValues(4, 4, 0);
        final byte[] buf = new byte[256];
        int end = BenchRequests.putGet(buf, 0, false, new int[] {1, 22}, 2, 4, 9);
        assertEquals("get k001 k022\r\n", new String(buf, 0, end, StandardCharsets.US_ASCII));
        end = BenchRequests.putGet(buf, 0, true, new int[] {1}, 1, 4, 9);
        assertEquals("mg k001 v k O9\r\n", new String(buf, 0, end, StandardCharsets.US_ASCII));
        end = BenchRequests.putGet(buf, 0, true, new int[] {1, 2}, 2, 4, 9);
        assertEquals("mg k001 v k q O9\r\nmg k002 v k q O9\r\nmn\r\n", new String(buf, 0, end, StandardCharsets.US_ASCII));
        end = BenchRequests.putSet(buf, 0, false, 3, 4, values, 9);
        final String set = new String(buf, 0, end, StandardCharsets.US_ASCII);
        assertTrue(set.startsWith("set k003 0 0 4\r\n") && set.endsWith("\r\n") && set.length() == 16 + 6, set);
        end = BenchRequests.putSet(buf, 0, true, 3, 4, values, 9);
        final String ms = new String(buf, 0, end, StandardCharsets.US_ASCII);
        assertTrue(ms.startsWith("ms k003 4 T0 O9\r\n") && ms.length() == 17 + 6, ms);
    }

    @Test
    void shouldPadKeysToTheirFixedSizeAndRefuseKeysTooShortForTheKeySpace()
    {
        final byte[] buf = new byte[16];
        assertEquals(8, KeyValues.putKey(buf, 0, 8, 42));
        assertEquals("k0000042", new String(buf, 0, 8, StandardCharsets.US_ASCII));
        final IllegalArgumentException ex = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
            () -> new BenchSpec(new io.wirekv.controlplane.client.ServerAddress("127.0.0.1", 1), BenchSpec.Transport.TCP,
                BenchSpec.Protocol.TEXT, 100_000, 4, 32, 32, 0, 0.9, 1, 1, null, 0, 1, java.time.Duration.ofSeconds(1), 1,
                1_000_000_000L, 0, 1));
        assertEquals("--key-size must be from 6 (for 100000 keys) to 250 bytes, got 4", ex.getMessage());
    }

    private static void assertParsed(final BenchReplyParser p, final String reply, final boolean get, final boolean meta,
        final int keys, final boolean verify, final int hits, final int wrong, final boolean error)
    {
        final byte[] b = ("junk" + reply).getBytes(StandardCharsets.US_ASCII);
        final int used = p.parse(b, 4, b.length, get, meta, keys, verify);
        assertEquals(reply.length(), used, reply);
        assertEquals(hits, p.hits, reply);
        assertEquals(wrong, p.wrong, reply);
        assertEquals(error, p.error, reply);
    }
}
