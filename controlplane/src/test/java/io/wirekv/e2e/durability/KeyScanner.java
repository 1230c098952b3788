package io.wirekv.e2e.durability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads every key of the universe from a (restarted) server with pipelined {@code mg <key> s v f t c}, and its
 * {@code stats curr_items} before and after: nothing writes during the scan, but the server may reap an item that
 * expires meanwhile, so a key seen present can be gone from the count read after it (one read after the keys made
 * the 1,000-cycle run report 2 wrong keys that were this).
 */
final class KeyScanner
{
    private static final int PIPELINE = 64;

    /**
     * What the server showed; {@code atMs} is the wall-clock time the scan started; {@code itemsBefore} and
     * {@code itemsAfter} are {@code curr_items} read just before and just after the keys.
     */
    record Scan(Map<String, Observation> keys, long itemsBefore, long itemsAfter, long atMs)
    {
    }

    private KeyScanner()
    {
    }

    static Scan scan(final String host, final int port, final List<String> universe) throws IOException
    {
        final long atMs = System.currentTimeMillis();
        final Map<String, Observation> seen = new HashMap<>();
        try (MemcacheConnection c = new MemcacheConnection(host, port, 30_000))
        {
            final long itemsBefore = currItems(c);
            for (int from = 0; from < universe.size(); from += PIPELINE)
            {
                final List<String> batch = universe.subList(from, Math.min(universe.size(), from + PIPELINE));
                final ByteArrayOutputStream req = new ByteArrayOutputStream();
                for (final String key : batch)
                {
                    req.writeBytes(("mg " + key + " s v f t c\r\n").getBytes(StandardCharsets.US_ASCII));
                }
                c.send(req.toByteArray());
                for (final String key : batch)
                {
                    seen.put(key, readMetaGet(c, key));
                }
            }
            return new Scan(seen, itemsBefore, currItems(c), atMs);
        }
    }

    private static Observation readMetaGet(final MemcacheConnection c, final String key) throws IOException
    {
        final String line = c.readLine();
        if (line.equals("EN"))
        {
            return Observation.ABSENT;
        }
        final String[] t = line.split(" ");
        if (!t[0].equals("VA") || t.length < 2)
        {
            throw new IOException("mg " + key + ": unexpected reply '" + line + "'");
        }
        long flags = -1;
        long ttl = Long.MIN_VALUE;
        long cas = -1;
        for (int i = 2; i < t.length; i++)
        {
            final long v = Long.parseLong(t[i].substring(1));
            switch (t[i].charAt(0))
            {
                case 'f' -> flags = v;
                case 't' -> ttl = v;
                case 'c' -> cas = v;
                default ->
                {
                    // s: the size, already in the VA line
                }
            }
        }
        if (flags < 0 || ttl == Long.MIN_VALUE || cas < 0)
        {
            throw new IOException("mg " + key + ": reply '" + line + "' lacks f, t or c");
        }
        return new Observation(true, c.readData(Integer.parseInt(t[1])), flags, ttl, cas);
    }

    private static long currItems(final MemcacheConnection c) throws IOException
    {
        c.send("stats\r\n".getBytes(StandardCharsets.US_ASCII));
        long items = -1;
        final List<String> lines = new ArrayList<>();
        for (String line = c.readLine(); !line.equals("END"); line = c.readLine())
        {
            lines.add(line);
            if (line.startsWith("STAT curr_items "))
            {
                items = Long.parseLong(line.substring("STAT curr_items ".length()).trim());
            }
        }
        if (items < 0)
        {
            throw new IOException("stats has no curr_items: " + lines);
        }
        return items;
    }
}
