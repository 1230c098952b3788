package io.wirekv.e2e.durability;

import io.wirekv.e2e.durability.AckOracle.KeyHistory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One client connection writing random operations to its own keys until the server dies under it (or a bound
 * stops it): text set/add/replace/append/prepend/cas/incr/decr/delete/touch and meta ms/md/ma, values of random
 * lengths and bytes (CR, LF and NUL included), random 32-bit flags, no exptime, far-future relative or absolute
 * exptimes, and a few keys with TTLs of seconds.
 *
 * <p>Before each write it tells the oracle the state the write would leave; when the reply arrives it tells the
 * state the reply says the key is in. The write on the wire when the connection breaks stays "in flight": after
 * the restart either outcome is allowed. A reply the oracle did not predict (a live bug, not a durability one) is
 * a {@link #problems() problem} and leaves the key unsure until the next restart.
 *
 * <p>Threading: {@link #run()} runs on its own thread and is the only writer of its keys' histories.
 */
final class RandomWriteDriver implements Runnable
{
    static final int READ_TIMEOUT_MS = 15_000;
    private static final long FAR_RELATIVE_MIN_S = 100_000;
    private static final long FAR_RELATIVE_MAX_S = 2_000_000; // below memcached's 30 days: relative
    private static final long YEAR_S = 365L * 24 * 3600;
    /** Appends stop growing a value here: 800 keys of at most this stay well inside serve's 64 MiB (store mode). */
    private static final long MAX_VALUE_BYTES = 16 * 1024;

    private enum Reply
    {
        TEXT_STORE, TEXT_DELETE, TEXT_TOUCH, TEXT_ARITH, META_STORE, META_DELETE, META_ARITH
    }

    /** The outcome of one reply: applied or not, and what it carried (a CAS unique, a counter's value). */
    /** What a primary in sync replication mode answers when no backup has the write: not acknowledged. */
    private static final String REPLICATION_REFUSAL = "SERVER_ERROR replication: no backup connected";
    /** ... and when the connected backup did not acknowledge it within replication.sync.timeout: not acknowledged. */
    private static final String REPLICATION_TIMEOUT = "SERVER_ERROR replication: the backup did not acknowledge";

    private record Outcome(boolean applied, boolean unsure, long cas, String number, String line)
    {
    }

    private final String name;
    private final String host;
    private final int port;
    private final List<KeyHistory> dataKeys;
    private final List<KeyHistory> counterKeys;
    private final List<KeyHistory> ttlKeys;
    private final SplittableRandom rnd;
    private final AtomicLong acknowledged;
    private final AtomicBoolean killed;
    private final AtomicBoolean stop;
    private final long deadlineNanos;
    private final List<String> problems = new ArrayList<>();

    /**
     * @param acknowledged shared count of acknowledged writes (the cycle's kill trigger reads it)
     * @param killed       set by the cycle just before SIGKILL: from then on a broken connection is the expected end
     * @param stop         set to end the load without a kill (the driver finishes its write and returns)
     */
    RandomWriteDriver(final String name, final String host, final int port, final List<KeyHistory> dataKeys,
        final List<KeyHistory> counterKeys, final List<KeyHistory> ttlKeys, final long seed, final AtomicLong acknowledged,
        final AtomicBoolean killed, final AtomicBoolean stop, final long deadlineNanos)
    {
        this.name = name;
        this.host = host;
        this.port = port;
        this.dataKeys = dataKeys;
        this.counterKeys = counterKeys;
        this.ttlKeys = ttlKeys;
        this.rnd = new SplittableRandom(seed);
        this.acknowledged = acknowledged;
        this.killed = killed;
        this.stop = stop;
        this.deadlineNanos = deadlineNanos;
    }

    /** Replies the oracle did not predict, connections lost before the kill: each is a finding. */
    List<String> problems()
    {
        return problems;
    }

    @Override
    public void run()
    {
        try (MemcacheConnection c = new MemcacheConnection(host, port, READ_TIMEOUT_MS))
        {
            // killed too: with every key unsure (replies refused), a round does no I/O and would not see the kill
            while (!stop.get() && !killed.get() && System.nanoTime() < deadlineNanos)
            {
                final int role = rnd.nextInt(100);
                if (role < 65)
                {
                    dataOp(c, pick(dataKeys));
                }
                else if (role < 92)
                {
                    counterOp(c, pick(counterKeys));
                }
                else
                {
                    ttlOp(c, pick(ttlKeys));
                }
            }
        }
        catch (final IOException ex)
        {
            if (!killed.get())
            {
                problems.add(name + ": connection failed before the kill: " + ex);
            }
        }
    }

    private KeyHistory pick(final List<KeyHistory> keys)
    {
        for (int attempt = 0; attempt < 16; attempt++)
        {
            final KeyHistory h = keys.get(rnd.nextInt(keys.size()));
            if (!h.isUnsure())
            {
                return h;
            }
        }
        return null;
    }

    private void dataOp(final MemcacheConnection c, final KeyHistory h) throws IOException
    {
        if (h == null)
        {
            return;
        }
        final KeyState cur = h.current();
        final String k = h.key();
        final int op = rnd.nextInt(100);
        final byte[] v = randomValue();
        final long flags = randomFlags();
        final long nowMs = System.currentTimeMillis();
        final long exptime = randomExptime(nowMs);
        final boolean grows = cur.present() && cur.value().length + v.length <= MAX_VALUE_BYTES;
        if (op < 20)
        {
            write(c, h, storage("set " + k, flags, exptime, v, ""), stored(v, flags, exptime, nowMs), true, Reply.TEXT_STORE, exptime);
        }
        else if (op < 26)
        {
            write(c, h, storage("add " + k, flags, exptime, v, ""), stored(v, flags, exptime, nowMs), !cur.present(), Reply.TEXT_STORE, exptime);
        }
        else if (op < 32)
        {
            write(c, h, storage("replace " + k, flags, exptime, v, ""), stored(v, flags, exptime, nowMs), cur.present(), Reply.TEXT_STORE, exptime);
        }
        else if (op < 38 && grows)
        {
            // append and prepend keep the item's flags and exptime: the ones on the line are ignored
            write(c, h, storage("append " + k, flags, exptime, v, ""), cur.withValue(concat(cur.value(), v), false), true, Reply.TEXT_STORE, -1);
        }
        else if (op < 43 && grows)
        {
            write(c, h, storage("prepend " + k, flags, exptime, v, ""), cur.withValue(concat(v, cur.value()), false), true, Reply.TEXT_STORE, -1);
        }
        else if (op < 51)
        {
            if (cur.present() && cur.cas() == 0 && !learnCas(c, h))
            {
                return;
            }
            final boolean right = rnd.nextInt(5) > 0;
            final long cas = h.current().cas() == 0 ? 1 + rnd.nextLong(1L << 40) : h.current().cas() + (right ? 0 : 1);
            write(c, h, storage("cas " + k, flags, exptime, v, " " + cas), stored(v, flags, exptime, nowMs),
                h.current().present() && right, Reply.TEXT_STORE, exptime);
        }
        else if (op < 57)
        {
            write(c, h, line("delete " + k), KeyState.ABSENT, cur.present(), Reply.TEXT_DELETE, -1);
        }
        else if (op < 62)
        {
            write(c, h, line("touch " + k + " " + exptime), stored(cur.value(), cur.flags(), exptime, nowMs).withValue(cur.value(), cur.numeric()),
                cur.present(), Reply.TEXT_TOUCH, exptime);
        }
        else if (op < 78)
        {
            final long ttl = exptime > FAR_RELATIVE_MAX_S ? FAR_RELATIVE_MIN_S : exptime;
            write(c, h, meta("ms " + k + " " + v.length + " F" + flags + " T" + ttl + " c", v), stored(v, flags, ttl, nowMs), true,
                Reply.META_STORE, ttl);
        }
        else if (op < 84)
        {
            write(c, h, meta("ms " + k + " " + v.length + " F" + flags + " c ME", v), stored(v, flags, 0, nowMs), !cur.present(),
                Reply.META_STORE, 0);
        }
        else if (op < 89 && grows)
        {
            write(c, h, meta("ms " + k + " " + v.length + " c MA", v), cur.withValue(concat(cur.value(), v), false), true,
                Reply.META_STORE, -1);
        }
        else if (op < 94)
        {
            write(c, h, line("md " + k), KeyState.ABSENT, cur.present(), Reply.META_DELETE, -1);
        }
        else if (cur.present())
        {
            learnCas(c, h);
        }
    }

    private void counterOp(final MemcacheConnection c, final KeyHistory h) throws IOException
    {
        if (h == null)
        {
            return;
        }
        final KeyState cur = h.current();
        final String k = h.key();
        final Long counter = cur.counterValue();
        final long n = counter == null ? 0 : counter;
        final int op = rnd.nextInt(100);
        final long delta = rnd.nextInt(10) == 0 ? rnd.nextLong(Long.MAX_VALUE) : rnd.nextLong(1000);
        if (op < 15 || (counter == null && op < 60))
        {
            // sometimes near 2^64, so that incr wraps
            final long start = rnd.nextInt(8) == 0 ? -1 - rnd.nextLong(1000) : rnd.nextLong(1_000_000);
            final byte[] v = Long.toUnsignedString(start).getBytes(StandardCharsets.US_ASCII);
            final long flags = randomFlags();
            write(c, h, storage("set " + k, flags, 0, v, ""), KeyState.stored(v, flags, 0, 0), true, Reply.TEXT_STORE, -1);
            return;
        }
        final boolean incr = op < 45 || (op >= 70 && op < 85);
        final long next = incr ? n + delta : Long.compareUnsigned(n, delta) <= 0 ? 0 : n - delta;
        final KeyState ifApplied = cur.withValue(Long.toUnsignedString(next).getBytes(StandardCharsets.US_ASCII), true);
        final boolean applies = counter != null;
        if (op < 70)
        {
            write(c, h, line((incr ? "incr " : "decr ") + k + " " + Long.toUnsignedString(delta)), ifApplied, applies, Reply.TEXT_ARITH, -1);
        }
        else if (op < 95)
        {
            write(c, h, line("ma " + k + " v c D" + Long.toUnsignedString(delta) + (incr ? "" : " MD")), ifApplied, applies,
                Reply.META_ARITH, -1);
        }
        else
        {
            write(c, h, line("delete " + k), KeyState.ABSENT, cur.present(), Reply.TEXT_DELETE, -1);
        }
    }

    private void ttlOp(final MemcacheConnection c, final KeyHistory h) throws IOException
    {
        if (h == null)
        {
            return;
        }
        final long ttl = 2 + rnd.nextLong(7);
        final byte[] v = randomValue();
        final long flags = randomFlags();
        final long nowMs = System.currentTimeMillis();
        if (rnd.nextBoolean())
        {
            write(c, h, storage("set " + h.key(), flags, ttl, v, ""), stored(v, flags, ttl, nowMs), true, Reply.TEXT_STORE, ttl);
        }
        else
        {
            write(c, h, meta("ms " + h.key() + " " + v.length + " F" + flags + " T" + ttl + " c", v), stored(v, flags, ttl, nowMs), true,
                Reply.META_STORE, ttl);
        }
    }

    /**
     * Sends one write and records its outcome.
     *
     * @param ifApplied  the key's state if the write takes effect (its expiry window still open at the top for a
     *                   relative exptime: the reply closes it)
     * @param expected   whether the oracle expects it to take effect
     * @param relativeTtl the relative exptime sent (its window closes at the reply), 0 or -1 when none
     */
    private void write(final MemcacheConnection c, final KeyHistory h, final byte[] request, final KeyState ifApplied,
        final boolean expected, final Reply kind, final long relativeTtl) throws IOException
    {
        h.sending(ifApplied, kind == Reply.TEXT_TOUCH);
        c.send(request);
        final Outcome r = read(c, kind);
        final long replyNanos = System.nanoTime();
        final long replyMs = System.currentTimeMillis();
        if (r.line().startsWith(REPLICATION_REFUSAL) || r.line().startsWith(REPLICATION_TIMEOUT))
        {
            // sync replication without a connected backup: refused up front, or held and answered after the sync
            // timeout (applied here, never acknowledged). Not an acknowledgement, so either outcome may survive.
            h.unsure();
            return;
        }
        if (r.unsure() || r.applied() != expected)
        {
            problems.add(name + ": " + firstLine(request) + " got '" + r.line() + "' but the oracle expected " +
                (expected ? "it to apply" : "no change") + " to " + h.current());
            h.unsure();
            return;
        }
        KeyState result = h.current();
        if (r.applied())
        {
            result = ifApplied;
            if (relativeTtl > 0 && relativeTtl <= FAR_RELATIVE_MAX_S)
            {
                result = result.withExpiry(result.expiryLoMs(), replyMs + relativeTtl * 1000 + 1000);
            }
            if (r.number() != null && !r.number().equals(new String(ifApplied.value(), StandardCharsets.US_ASCII)))
            {
                problems.add(name + ": " + firstLine(request) + " answered " + r.number() + ", the oracle computed " +
                    new String(ifApplied.value(), StandardCharsets.US_ASCII) + " from " + h.current());
                h.unsure();
                return;
            }
            result = result.withCas(r.cas());
        }
        h.acknowledged(result, replyNanos);
        acknowledged.incrementAndGet();
    }

    /** {@code gets}: the current state's CAS unique, checked against the oracle; false when they disagree. */
    private boolean learnCas(final MemcacheConnection c, final KeyHistory h) throws IOException
    {
        c.send(line("gets " + h.key()));
        final String first = c.readLine();
        if (first.equals("END"))
        {
            if (!h.current().present())
            {
                return true;
            }
            problems.add(name + ": gets " + h.key() + " found nothing; the oracle has " + h.current());
            h.unsure();
            return false;
        }
        final String[] t = first.split(" ");
        final byte[] data = c.readData(Integer.parseInt(t[3]));
        final String end = c.readLine();
        final Observation seen = new Observation(true, data, Long.parseLong(t[2]), -1, Long.parseLong(t[4]));
        final KeyState cur = h.current();
        if (!end.equals("END") || !cur.present() || cur.flags() != seen.flags() || !cur.sameValue(data))
        {
            problems.add(name + ": gets " + h.key() + " shows " + seen + "; the oracle has " + cur);
            h.unsure();
            return false;
        }
        h.learnedCas(seen.cas());
        return true;
    }

    private Outcome read(final MemcacheConnection c, final Reply kind) throws IOException
    {
        final String line = c.readLine();
        if (line.startsWith("SERVER_ERROR"))
        {
            return new Outcome(false, true, 0, null, line);
        }
        return switch (kind)
        {
            case TEXT_STORE -> new Outcome(line.equals("STORED"), !isOneOf(line, "STORED", "NOT_STORED", "EXISTS", "NOT_FOUND"), 0, null, line);
            case TEXT_DELETE -> new Outcome(line.equals("DELETED"), !isOneOf(line, "DELETED", "NOT_FOUND"), 0, null, line);
            case TEXT_TOUCH -> new Outcome(line.equals("TOUCHED"), !isOneOf(line, "TOUCHED", "NOT_FOUND"), 0, null, line);
            case TEXT_ARITH -> line.equals("NOT_FOUND") ? new Outcome(false, false, 0, null, line) :
                new Outcome(true, !line.chars().allMatch(Character::isDigit) || line.isEmpty(), 0, line, line);
            case META_STORE -> line.startsWith("HD") ? new Outcome(true, false, casOf(line), null, line) :
                new Outcome(false, !isOneOf(line, "NS", "EX", "NF"), 0, null, line);
            case META_DELETE -> new Outcome(line.equals("HD"), !isOneOf(line, "HD", "NF"), 0, null, line);
            case META_ARITH ->
            {
                if (!line.startsWith("VA "))
                {
                    yield new Outcome(false, !line.equals("NF"), 0, null, line);
                }
                final String number = new String(c.readData(Integer.parseInt(line.split(" ")[1])), StandardCharsets.US_ASCII);
                yield new Outcome(true, false, casOf(line), number, line);
            }
        };
    }

    private static boolean isOneOf(final String line, final String... expected)
    {
        return List.of(expected).contains(line);
    }

    private static long casOf(final String metaLine)
    {
        for (final String t : metaLine.split(" "))
        {
            if (t.startsWith("c") && t.length() > 1)
            {
                return Long.parseLong(t.substring(1));
            }
        }
        return 0;
    }

    /** The state a storing write leaves: for a relative exptime the window closes at the reply (see {@link #write}). */
    private static KeyState stored(final byte[] v, final long flags, final long exptime, final long sendMs)
    {
        if (exptime == 0)
        {
            return KeyState.stored(v, flags, 0, 0);
        }
        if (exptime > FAR_RELATIVE_MAX_S)
        {
            return KeyState.stored(v, flags, exptime * 1000 - 1000, exptime * 1000 + 1000);
        }
        // open at the top until the reply: a write in flight at the kill may have been applied at any time before it
        return KeyState.stored(v, flags, sendMs + exptime * 1000 - 1000, sendMs + exptime * 1000 + 120_000);
    }

    private byte[] randomValue()
    {
        final int r = rnd.nextInt(100);
        final int length = r < 50 ? rnd.nextInt(33) : r < 85 ? 33 + rnd.nextInt(992) : r < 98 ? 1025 + rnd.nextInt(7168) :
            8193 + rnd.nextInt(8192);
        final byte[] v = new byte[length];
        if (rnd.nextInt(3) == 0)
        {
            for (int i = 0; i < length; i++)
            {
                v[i] = (byte) (' ' + rnd.nextInt(95));
            }
        }
        else
        {
            for (int i = 0; i < length; i++)
            {
                v[i] = (byte) rnd.nextInt(256);
            }
        }
        return v;
    }

    private long randomFlags()
    {
        final int r = rnd.nextInt(4);
        return r == 0 ? 0 : r == 1 ? 0xFFFF_FFFFL - rnd.nextInt(4) : rnd.nextLong(1L << 32);
    }

    /** 0 (no expiry), a relative exptime days ahead, or an absolute unix time a year ahead. */
    private long randomExptime(final long nowMs)
    {
        final int r = rnd.nextInt(100);
        return r < 55 ? 0 : r < 85 ? FAR_RELATIVE_MIN_S + rnd.nextLong(FAR_RELATIVE_MAX_S - FAR_RELATIVE_MIN_S) :
            nowMs / 1000 + YEAR_S + rnd.nextLong(YEAR_S);
    }

    private static byte[] storage(final String head, final long flags, final long exptime, final byte[] v, final String tail)
    {
        return meta(head + " " + flags + " " + exptime + " " + v.length + tail, v);
    }

    private static byte[] meta(final String head, final byte[] v)
    {
        final ByteArrayOutputStream b = new ByteArrayOutputStream(head.length() + v.length + 4);
        b.writeBytes(line(head));
        b.writeBytes(v);
        b.writeBytes(new byte[] {'\r', '\n'});
        return b.toByteArray();
    }

    private static byte[] line(final String text)
    {
        return (text + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static String firstLine(final byte[] request)
    {
        final String s = new String(request, 0, Math.min(request.length, 200), StandardCharsets.ISO_8859_1);
        final int end = s.indexOf('\r');
        return end < 0 ? s : s.substring(0, end);
    }

    private static byte[] concat(final byte[] a, final byte[] b)
    {
        final byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
