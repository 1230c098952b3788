package io.wirekv.dataplane.proto;

import io.wirekv.dataplane.table.MemoryMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Meta commands; expected replies taken from memcached 1.6.18 with CAS values masked. */
class MetaProtocolTest
{
    private ProtoHarness h;

    @BeforeEach
    void setUp()
    {
        h = new ProtoHarness(2 << 20, 1024 * 1024);
    }

    @AfterEach
    void tearDown()
    {
        h.close();
    }

    private static String maskCas(final String s)
    {
        return s.replaceAll(" c\\d+", " cCAS");
    }

    private void expect(final String request, final String reply)
    {
        assertEquals(reply, maskCas(h.tcp(request)), () -> "request: " + request);
    }

    @Test
    void shouldKeepWhatMgReadsButNotWhatMgUOrMeLookAt()
    {
        // one partition and keys of one length (one size class): one CLOCK, so "the first eviction" means every
        // held item's bit was cleared, and no memory moves between classes (a moved slab loses read items too)
        try (ProtoHarness cache = new ProtoHarness(2 << 20, new ProtocolSettings(64 * 1024, 1400, "1.6.18"), 1,
            MemoryMode.CACHE, 8L << 20))
        {
            final String value = "v".repeat(100);
            int written = 0;
            while (cache.table.counters().evictions() == 0)
            {
                cache.tcp("ms old%06d 100 q\r\n%s\r\n".formatted(written++, value));
            }
            // every held item's CLOCK bit is clear now (the hand went round once); use or look at them three ways
            final java.util.List<String> used = new java.util.ArrayList<>();
            final java.util.List<String> looked = new java.util.ArrayList<>();
            final java.util.List<String> untouched = new java.util.ArrayList<>();
            for (int i = 0; i < written; i++)
            {
                final String k = "old%06d".formatted(i);
                if (cache.tcp("me " + k + "\r\n").startsWith("ME "))
                {
                    (i % 3 == 0 ? used : i % 3 == 1 ? looked : untouched).add(k);
                }
            }
            for (final String k : used)
            {
                assertTrue(cache.tcp("mg " + k + " v\r\n").startsWith("VA 100"));
            }
            for (final String k : looked)
            {
                assertTrue(cache.tcp("mg " + k + " u v\r\n").startsWith("VA 100"));
            }
            // new writes until half the untouched items are gone
            int fresh = 0;
            long untouchedKept = untouched.size();
            while (untouchedKept > untouched.size() / 2)
            {
                final StringBuilder batch = new StringBuilder();
                for (int i = 0; i < 256; i++)
                {
                    batch.append("ms new%06d 100 q\r\n%s\r\n".formatted(fresh++, value));
                }
                cache.tcp(batch.toString());
                untouchedKept = untouched.stream().filter(k -> held(cache, k)).count();
                assertTrue(fresh < 4 * written, "untouched items never evicted");
            }
            final long usedKept = used.stream().filter(k -> held(cache, k)).count();
            final long lookedKept = looked.stream().filter(k -> held(cache, k)).count();
            assertEquals(used.size(), usedKept, "items mg read were evicted");
            assertTrue(lookedKept < looked.size() * 3L / 4,
                "mg u and me bumped: " + lookedKept + " of " + looked.size());
        }
    }

    private static boolean held(final ProtoHarness cache, final String key)
    {
        return cache.tcp("me " + key + "\r\n").startsWith("ME "); // me does not bump either
    }

    @Test
    void shouldCountMetaDebugCommandsInCmdMetaAsMemcachedDoes()
    {
        // memcached 1.6 counts cmd_meta in its me handler only, once the line is well formed
        h.tcp("ms dbg 1\r\nx\r\nmg dbg v\r\nmn\r\n");
        h.tcp("me dbg\r\nme missing\r\nme\r\n");
        final String stats = h.tcp("stats\r\n");
        assertTrue(stats.contains("STAT cmd_meta 2\r\n"), stats);
    }

    @Test
    void shouldReturnFlagsInRequestOrderWithOpaqueAndKey()
    {
        expect("ms mk 2 T0 F5\r\nhi\r\nmg mk v\r\nmg mk s v t f c k O123 q\r\nmg mk\r\nmg mk k\r\n",
            "HD\r\nVA 2\r\nhi\r\nVA 2 s2 t-1 f5 cCAS kmk O123\r\nhi\r\nHD\r\nHD kmk\r\n");
    }

    @Test
    void shouldEchoOpaqueAndKeyOnMissAndSuppressMissWhenQuiet()
    {
        expect("mg nokey v k O5\r\nmg nokey v q k O5\r\nmg nokey s v t f c\r\nmn\r\n", "EN knokey O5\r\nEN\r\nMN\r\n");
    }

    @Test
    void shouldNotSuppressHitsWithQuietOnMg()
    {
        expect("ms qk 2\r\nhi\r\nmg qk q\r\nmg qk q v\r\n", "HD\r\nHD\r\nVA 2\r\nhi\r\n");
    }

    @Test
    void shouldSetWithModesCasAndQuiet()
    {
        expect("ms mk 2 c\r\nhi\r\nms mk 2 q\r\nhi\r\nms mk 2 C1\r\nhi\r\nms nokey3 2 C1\r\nhi\r\n" +
            "ms mk 2 ME\r\nhi\r\nms mk 2 MA\r\nyo\r\nmg mk v\r\n",
            "HD cCAS\r\nEX\r\nNF\r\nNS\r\nHD\r\nVA 4\r\nhiyo\r\n");
        expect("ms k1 1 MR\r\na\r\nms k1 1 MP N0\r\na\r\nms k1 1 MA\r\nb\r\nmg k1 v\r\n", "NS\r\nNS\r\nNS\r\nEN\r\n");
        final String cas = h.tcp("mg mk c\r\n").replaceAll("[^0-9]", "");
        expect("ms mk 2 C" + cas + "\r\nzz\r\nmg mk v\r\n", "HD\r\nVA 2\r\nzz\r\n");
    }

    @Test
    void shouldRefuseBadMetaSyntaxLikeMemcached()
    {
        expect("mg\r\nmg " + "a".repeat(251) + " v\r\nmg mk zz\r\nmg mk v v\r\nmg mk Oabc\r\nmg mk O" + "1".repeat(40) +
            "\r\nms mk abc\r\nhi\r\nms mk -1\r\nms mk 2 Fabc\r\nhi\r\nms mk 2 Tabc\r\nhi\r\n",
            "ERROR\r\nCLIENT_ERROR bad command line format\r\nCLIENT_ERROR invalid flag\r\nCLIENT_ERROR duplicate flag\r\n" +
            "EN Oabc\r\nCLIENT_ERROR opaque token too long\r\nCLIENT_ERROR bad command line format\r\nERROR\r\n" +
            "CLIENT_ERROR bad command line format\r\nCLIENT_ERROR bad command line format\r\n" +
            "CLIENT_ERROR bad token in command line format\r\n");
        expect("ms mk 2 MX\r\nhi\r\nms mk S2\r\nhi\r\nms mk\r\nms\r\nmd\r\nma\r\nme\r\n",
            "CLIENT_ERROR invalid mode for ms M token\r\nCLIENT_ERROR bad command line format\r\nERROR\r\n" +
            "CLIENT_ERROR bad command line format\r\nERROR\r\nERROR\r\nERROR\r\nCLIENT_ERROR bad command line format\r\n");
        expect("ms e1 2 S100\r\nhi\r\nmd qk x\r\nma mq v MX\r\nma mq v Dabc\r\n",
            "CLIENT_ERROR invalid flag\r\nCLIENT_ERROR invalid or duplicate flag\r\n" +
            "CLIENT_ERROR invalid mode for ma M token\r\nCLIENT_ERROR invalid or duplicate flag\r\n");
        expect("mg qk O" + "1".repeat(31) + "\r\n", "EN O" + "1".repeat(31) + "\r\n");
    }

    @Test
    void shouldDeleteWithQuietAndFlags()
    {
        expect("ms mk 2\r\nhi\r\nmd mk\r\nmd mk\r\nmd mk q\r\nmd mk q O1 k\r\nmn\r\n",
            "HD\r\nHD\r\nNF\r\nNF\r\nNF O1 kmk\r\nMN\r\n");
        expect("ms m1 2\r\nhi\r\nmd m1 C1\r\nmd m1 q\r\nmd m1\r\n", "HD\r\nEX\r\nNF\r\n");
    }

    @Test
    void shouldDoArithmeticWithAutovivifyModesAndQuiet()
    {
        expect("ma nonum\r\nma nonum N0 J10\r\nma nonum v\r\nma nonum D5 MD v t c\r\nma nonum q\r\nma nokey9 q\r\nmn\r\n",
            "NF\r\nHD\r\nVA 2\r\n11\r\nVA 1 t-1 cCAS\r\n6\r\nNF\r\nMN\r\n");
        expect("ms str 1\r\na\r\nma str\r\n", "HD\r\nCLIENT_ERROR cannot increment or decrement non-numeric value\r\n");
        expect("ma mq N0 J5 q\r\nma mq v MI D3\r\nma mq v M+\r\nma mq v M-\r\nma mq C1\r\n",
            "HD\r\nVA 1\r\n8\r\nVA 1\r\n9\r\nVA 1\r\n8\r\nEX\r\n");
    }

    @Test
    void shouldAutovivifyOnMissAndHandOutWinTokenOnce()
    {
        expect("mg nokey2 N30 v t c\r\nmg nokey2 N30 v t c\r\nmg nokey2 v\r\n",
            "VA 0 t30 cCAS W\r\n\r\nVA 0 t30 cCAS Z\r\n\r\nVA 0 Z\r\n\r\n");
    }

    @Test
    void shouldInvalidateAndReportStaleWithWinToken()
    {
        expect("ms inv 2\r\nhi\r\nmd inv I T30\r\nmg inv v c\r\nmg inv v c\r\nms inv 2 I\r\nyo\r\nmg inv v\r\n",
            "HD\r\nHD\r\nVA 2 cCAS X W\r\nhi\r\nVA 2 cCAS Z X\r\nhi\r\nHD\r\nVA 2\r\nyo\r\n");
    }

    @Test
    void shouldTouchWithTAndReportTtlAsOfFlagPosition()
    {
        expect("ms tt 2 T100\r\nhi\r\nmg tt t T50\r\nmg tt t\r\nmg tt t s k\r\n",
            "HD\r\nHD t100\r\nHD t50\r\nHD t50 s2 ktt\r\n");
        h.advanceSeconds(51);
        expect("mg tt v\r\n", "EN\r\n");
    }

    @Test
    void shouldUseBase64KeysAndEchoThemEncoded()
    {
        expect("ms Zm9v 2 b\r\nhi\r\nmg Zm9v b v k\r\nmg foo v k\r\nmg Zm9v= b v\r\nmg Zm9 b v\r\n",
            "HD\r\nVA 2 kZm9v b\r\nhi\r\nVA 2 kZm9v b\r\nhi\r\nCLIENT_ERROR error decoding key\r\n" +
            "CLIENT_ERROR error decoding key\r\n");
        expect("ms Zm9vYmFy 3 b q\r\nabc\r\nmg Zm9vYmFy b v q k\r\nmd Zm9vYmFy b q\r\nmg foobar v\r\nms b1 2 b\r\nhi\r\nmn\r\n",
            "VA 3 kZm9vYmFy b\r\nabc\r\nEN\r\nCLIENT_ERROR error decoding key\r\nMN\r\n");
    }

    @Test
    void shouldDescribeItemWithMe()
    {
        expect("me nokey\r\nme\r\n", "EN\r\nCLIENT_ERROR bad command line format\r\n");
        final String me = h.tcp("ms qk 2\r\nhi\r\nme qk\r\n");
        assertTrue(me.matches("HD\r\nME qk exp=-1 la=0 cas=\\d+ fetch=no cls=1 size=63\r\n"), me);
    }

    @Test
    void shouldRefuseTooLargeMetaSetAndSwallowData()
    {
        expect("ms big 1048517\r\n" + "a".repeat(1048517) + "\r\nmn\r\n",
            "SERVER_ERROR object too large for cache\r\nMN\r\n");
    }

    @Test
    void shouldUseExplicitCasFromETokenWhenTheCommandModifiesTheItem()
    {
        // E<token> is protocol.txt's explicit CAS (a deliberate addition: memcached 1.6.18 refuses it)
        assertEquals("HD\r\nVA 1 c12345\r\na\r\nHD c600\r\nHD c600\r\nVA 2 c900\r\n10\r\nHD\r\nHD c500 X W\r\n" +
                "HD c42 W\r\nCLIENT_ERROR bad token in command line format\r\n",
            h.tcp("ms ek 1 E12345\r\na\r\nmg ek c v\r\nms ek 1 MA E600 c\r\nb\r\nmg ek c E77\r\n" +
                "ma en N0 J10 E900 c v\r\nmd en I E500\r\nmg en c\r\nmg ev N30 E42 c\r\nmg ek Eabc\r\n"));
    }

    @Test
    void shouldRefuseMoreThanSeventeenMetaFlagsLikeMemcached()
    {
        expect("mg mk v k s f t c q h l O1 Z Y a b d e g\r\nmg mk v k s f t c q h l O1 Z Y a b d e g i\r\n" +
                "md mk v k s f t c q h l O1 Z Y a b d e g i\r\n",
            "CLIENT_ERROR invalid flag\r\nCLIENT_ERROR options flags are too long\r\n" +
                "CLIENT_ERROR options flags too long\r\n");
    }

    @Test
    void shouldReportFetchedAndNegatedExpiryInMe()
    {
        assertTrue(h.tcp("ms xk 2 T1000\r\nhi\r\nme xk\r\nmg xk h\r\nmg xk h\r\nme xk\r\n")
            .matches("HD\r\nME xk exp=-(1000|999) la=\\d+ cas=\\d+ fetch=no cls=1 size=\\d+\r\nHD h0\r\nHD h1\r\n" +
                "ME xk exp=-(1000|999) la=\\d+ cas=\\d+ fetch=yes cls=1 size=\\d+\r\n"));
    }

    @Test
    void shouldMarkAnItemFetchedAsMemcachedDoes()
    {
        // h says whether an earlier fetch did; u (and me) fetch nothing; get, touch and mg with a TTL do (the
        // replies are memcached 1.6.18's to the same lines)
        expect("ms fk 1\r\na\r\nmg fk u h\r\nmg fk h\r\nmg fk h\r\n", "HD\r\nHD h0\r\nHD h0\r\nHD h1\r\n");
        expect("ms fk 1\r\nb\r\nget fk\r\nmg fk h\r\n", "HD\r\nVALUE fk 0 1\r\nb\r\nEND\r\nHD h1\r\n");
        expect("ms fk 1\r\nc\r\ntouch fk 100\r\nmg fk h\r\n", "HD\r\nTOUCHED\r\nHD h1\r\n");
        expect("ms fk 1\r\nd\r\nmg fk T100 h\r\nmg fk h\r\n", "HD\r\nHD h0\r\nHD h1\r\n");
        expect("ms fk 1\r\ne\r\nmg fk T100 u h\r\nmg fk h\r\n", "HD\r\nHD h0\r\nHD h0\r\n");
        expect("mg vk N30 h\r\nmg vk h\r\n", "HD h0 W\r\nHD h1 Z\r\n");
        // the item an incr or an append makes is not fetched; md I keeps the bit (memcached marks the item in place)
        expect("ms ik 1\r\n5\r\nmg ik v\r\nincr ik 1\r\nmg ik h\r\n", "HD\r\nVA 1\r\n5\r\n6\r\nHD h0\r\n");
        expect("ms ak 1\r\n5\r\nmg ak v\r\nappend ak 0 0 1\r\n6\r\nmg ak h\r\n",
            "HD\r\nVA 1\r\n5\r\nSTORED\r\nHD h0\r\n");
        expect("ms dk 1\r\n5\r\nmg dk v\r\nmd dk I\r\nmg dk h\r\n", "HD\r\nVA 1\r\n5\r\nHD\r\nHD h1 X W\r\n");
    }
}
