package io.wirekv.e2e;

import java.util.ArrayList;
import java.util.List;

/**
 * Differential sequences generated from tables: command templates × key shapes × value sizes × flags.
 * Every generated sequence ends by reading the key back (text {@code gets} and meta {@code mg}) so the
 * stored state is compared, not only the immediate reply.
 */
public final class SequenceGenerator
{
    /** Largest value sent over UDP: a request must fit one datagram (memcached reads at most 64 KiB). */
    static final int UDP_VALUE_MAX = 60_000;

    private static final int[] VALUE_SIZES = {0, 1, 100, 1370, 1400, 5000, 60_000, 200_000};
    private static final String[] STORAGE = {"set", "add", "replace", "append", "prepend", "cas-fresh", "cas-stale"};

    private SequenceGenerator()
    {
    }

    public static List<Sequence> generate()
    {
        final List<Sequence> out = new ArrayList<>();
        storageMatrix(out);
        keyShapes(out);
        arithmetic(out);
        metaGet(out);
        metaSet(out);
        metaArithmetic(out);
        metaDelete(out);
        expiry(out);
        return out;
    }

    private static Sequence.Builder named(final String name)
    {
        return new Sequence.Builder("gen/" + name);
    }

    private static void storageMatrix(final List<Sequence> out)
    {
        for (final String cmd : STORAGE)
        {
            for (final boolean present : new boolean[] {false, true})
            {
                for (final int size : VALUE_SIZES)
                {
                    for (final boolean noreply : new boolean[] {false, true})
                    {
                        final Sequence.Builder b = named(cmd + "/" + (present ? "present" : "absent") + "/" + size +
                            (noreply ? "/noreply" : ""));
                        b.tcp();
                        if (size <= UDP_VALUE_MAX - 300)
                        {
                            b.udp();
                        }
                        final String key = "${k}s";
                        final long flags = size == 1 ? 4294967295L : (size * 7L) % 65536;
                        if (present)
                        {
                            b.send("set " + key + " 17 0 3", "old");
                        }
                        final String nr = noreply ? " noreply" : "";
                        final String data = "${val:" + size + "}";
                        switch (cmd)
                        {
                            case "cas-fresh" ->
                            {
                                b.send("gets " + key);
                                b.send("cas " + key + " " + flags + " 0 " + size + " ${cas:1}" + nr, data);
                            }
                            case "cas-stale" ->
                            {
                                b.send("gets " + key);
                                b.send("set " + key + " 18 0 3", "new");
                                b.send("cas " + key + " " + flags + " 0 " + size + " ${cas:1}" + nr, data);
                            }
                            default -> b.send(cmd + " " + key + " " + flags + " 0 " + size + nr, data);
                        }
                        b.send("gets " + key);
                        b.send("mg " + key + " s f c v");
                        out.add(b.build("generated"));
                    }
                }
            }
        }
    }

    private static void keyShapes(final List<Sequence> out)
    {
        final String[][] commands = {
            {"get", "get K"},
            {"gets", "gets K"},
            {"gat", "gat 100 K"},
            {"gats", "gats 100 K"},
            {"set", "set K 0 0 2\r\nab"},
            {"add", "add K 0 0 2\r\nab"},
            {"append", "append K 0 0 2\r\nab"},
            {"delete", "delete K"},
            {"incr", "incr K 1"},
            {"touch", "touch K 100"},
            {"mg", "mg K s v"},
            {"ms", "ms K 2\r\nab"},
            {"md", "md K"},
            {"ma", "ma K"},
            {"me", "me K"},
        };
        for (final int len : new int[] {1, 250, 251})
        {
            for (final String[] c : commands)
            {
                final String key = len == 1 ? "${k}" : "${key:" + len + "}";
                final Sequence.Builder b = named("key" + len + "/" + c[0]);
                if (len <= 250)
                {
                    b.send("set " + key + " 0 0 1", "7");
                }
                b.send(c[1].replace("K", key));
                if (len <= 250)
                {
                    b.send("get " + key);
                }
                out.add(b.build("generated"));
            }
        }
        // A key with the prefix only ("${k}" is e.g. "t12_"): the 1-char case above uses it; also odd bytes in keys.
        for (final String odd : new String[] {"\\x7f", "\\xc3\\xa9", "a\\x01b"})
        {
            final Sequence.Builder b = named("oddkey/" + odd);
            final String key = "${k}" + SequenceFile.unescape(odd, "generator");
            b.send("set " + key + " 0 0 1", "x");
            b.send("get " + key);
            b.send("mg " + key + " v k");
            out.add(b.build("generated"));
        }
    }

    private static void arithmetic(final List<Sequence> out)
    {
        final String[] initial = {"0", "1", "18446744073709551615", "18446744073709551614", "abc", "12abc", " 1", "-1",
            "007", "99999999999999999999", "1 "};
        final String[] ops = {"incr K 1", "incr K 18446744073709551615", "decr K 1", "decr K 100",
            "incr K 18446744073709551616", "incr K -1", "incr K abc", "decr K 0", "incr K 1 noreply", "incr K"};
        for (int i = 0; i < initial.length; i++)
        {
            for (final String op : ops)
            {
                final String v = initial[i];
                final Sequence.Builder b = named("arith/" + i + "/" + op.replace(" K", ""));
                b.send("set ${k}n 5 0 " + v.length(), v);
                b.send(op.replace("K", "${k}n"));
                b.send("gets ${k}n");
                out.add(b.build("generated"));
            }
        }
        for (final String op : new String[] {"incr K 1", "decr K 1"})
        {
            out.add(named("arith/missing/" + op).send(op.replace("K", "${k}none")).build("generated"));
        }
        // incr growing the value's length (9 -> 10 digits) and decr shrinking it (100 -> 99): memcached pads.
        out.add(named("arith/grow").send("set ${k}g 0 0 1", "9").send("incr ${k}g 1").send("get ${k}g")
            .send("mg ${k}g s v").build("generated"));
        out.add(named("arith/shrink").send("set ${k}g 0 0 3", "100").send("decr ${k}g 1").send("get ${k}g")
            .send("mg ${k}g s v").send("incr ${k}g 901").send("get ${k}g").build("generated"));
    }

    private static void metaGet(final List<Sequence> out)
    {
        final String[] flags = {"", "v", "s", "f", "c", "k", "O123", "Oabc", "t", "h", "l", "q", "v q", "k v O9 q",
            "s f c v k t", "N30", "N30 v c t", "T30", "T30 t v", "v v", "x", "sv", "R30 v c", "u",
            "b", "h l t"};
        for (final String f : flags)
        {
            for (final boolean hit : new boolean[] {true, false})
            {
                final Sequence.Builder b = named("mg/" + (hit ? "hit" : "miss") + "/" + f);
                if (hit)
                {
                    b.send("set ${k}m 42 1000 5", "hello");
                }
                b.send(("mg ${k}m " + f).strip());
                b.send("mg ${k}m v t c f h");
                out.add(b.build("generated"));
            }
        }
    }

    private static void metaSet(final List<Sequence> out)
    {
        final String[] flags = {"", "T0", "T100", "F5", "F4294967295", "F4294967296", "I", "MA", "MP", "MR", "ME", "MS",
            "MX", "C1", "q", "k", "O9", "c", "b", "T-1", "S100", "Mz", "k O7 c T100 F3"};
        for (final String f : flags)
        {
            for (final boolean present : new boolean[] {true, false})
            {
                final Sequence.Builder b = named("ms/" + (present ? "present" : "absent") + "/" + f);
                if (present)
                {
                    b.send("set ${k}m 1 0 3", "abc");
                }
                final String key = f.contains("b") ? "${b64:m}" : "${k}m";
                b.send(("ms " + key + " 4 " + f).strip(), "wxyz");
                b.send("mg ${k}m s v f t c");
                out.add(b.build("generated"));
            }
        }
        out.add(named("ms/cas-fresh").send("set ${k}m 1 0 3", "abc").send("mg ${k}m c")
            .send("ms ${k}m 2 C${cas:1}", "zz").send("mg ${k}m v c").build("generated"));
        out.add(named("ms/bad-size").send("ms ${k}m abc", "zz").send("mg ${k}m v").build("generated"));
        out.add(named("ms/no-size").send("ms ${k}m").send("mg ${k}m v").build("generated"));
        out.add(named("ms/size-mismatch").send("ms ${k}m 2", "zzz").send("mg ${k}m v").build("generated"));
    }

    private static void metaArithmetic(final List<Sequence> out)
    {
        final String[] flags = {"", "v", "N100", "N100 J13 v", "J13", "D5 v", "MD v", "MI v", "MD D100 v", "q", "c v",
            "t v", "O5 k v", "MX", "Dabc", "D18446744073709551616"};
        final String[][] states = {{"num", "10"}, {"missing", null}, {"text", "abc"}};
        for (final String f : flags)
        {
            for (final String[] state : states)
            {
                final Sequence.Builder b = named("ma/" + state[0] + "/" + f);
                if (state[1] != null)
                {
                    b.send("set ${k}a 0 0 " + state[1].length(), state[1]);
                }
                b.send(("ma ${k}a " + f).strip());
                b.send("mg ${k}a v c");
                out.add(b.build("generated"));
            }
        }
    }

    private static void metaDelete(final List<Sequence> out)
    {
        final String[] flags = {"", "q", "I", "I T30", "C1", "k", "O1", "k O2 q", "x"};
        for (final String f : flags)
        {
            for (final boolean present : new boolean[] {true, false})
            {
                final Sequence.Builder b = named("md/" + (present ? "present" : "absent") + "/" + f);
                if (present)
                {
                    b.send("set ${k}d 0 0 1", "d");
                }
                b.send(("md ${k}d " + f).strip());
                b.send("mg ${k}d v c");
                b.send("get ${k}d");
                out.add(b.build("generated"));
            }
        }
    }

    private static void expiry(final List<Sequence> out)
    {
        final String[] exptimes = {"-1", "0", "100", "2592000", "2592001", "${now-10}", "${now+1000}", "4294967295",
            "-2592001", "abc", "18446744073709551616"};
        for (int i = 0; i < exptimes.length; i++)
        {
            final String e = exptimes[i];
            out.add(named("exp/set/" + i).send("set ${k}e 0 " + e + " 1", "e").send("get ${k}e").build("generated"));
            out.add(named("exp/touch/" + i).send("set ${k}e 0 0 1", "e").send("touch ${k}e " + e)
                .send("get ${k}e").build("generated"));
            out.add(named("exp/gat/" + i).send("set ${k}e 0 0 1", "e").send("gat " + e + " ${k}e")
                .send("get ${k}e").build("generated"));
        }
    }
}
