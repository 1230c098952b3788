package io.wirekv.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

import static io.wirekv.e2e.BinaryWire.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * memcached's binary protocol, byte for byte against a real memcached (which negotiates it per connection, as
 * {@code -B auto}; the same code path as {@code -B binary}): every opcode, quiet variants in NOOP-terminated
 * pipelines, error statuses and their bodies, large values, CAS flows, incr/decr edge cases, flush with a delay,
 * touch and gat, over TCP and (for a sample of the cases) UDP. Normalised, and only there: CAS values (compared by
 * order of first appearance: the counters differ by design) and the VERSION body.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BinaryDifferentialTest
{
    private static final byte[] NONE = new byte[0];

    private MemcachedProcess reference;
    private Target target;

    /** One request group of a case, built from the CAS the previous group's responses carried last. */
    record Step(LongFunction<byte[]> requests, long sleepMsBefore)
    {
    }

    record Case(String name, List<Step> steps, boolean udp)
    {
    }

    @BeforeAll
    void startServers()
    {
        reference = new MemcachedProcess();
        target = startTarget();
    }

    Target startTarget()
    {
        return Targets.start();
    }

    /** Whether this run compares UDP too (the bypass subclasses compare the cases whose requests fit a frame). */
    boolean compareUdp(final Case c)
    {
        return c.udp();
    }

    @AfterAll
    void stopServers()
    {
        try
        {
            if (target != null)
            {
                target.close();
            }
        }
        finally
        {
            if (reference != null)
            {
                reference.close();
            }
        }
    }

    // ------------------------------------------------------------------------------------------ requests

    static byte[] k(final String name, final String key)
    {
        return (name + ":" + key).getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] storeExtras(final int flags, final int exptime)
    {
        return ByteBuffer.allocate(8).putInt(flags).putInt(exptime).array();
    }

    static byte[] store(final int op, final byte[] key, final int flags, final int exptime, final String value,
        final long cas)
    {
        return request(op, storeExtras(flags, exptime), key, value.getBytes(StandardCharsets.US_ASCII), 7, cas);
    }

    static byte[] keyOnly(final int op, final byte[] key, final long cas)
    {
        return request(op, NONE, key, NONE, 9, cas);
    }

    static byte[] arithmetic(final int op, final byte[] key, final long delta, final long initial, final int exptime,
        final long cas)
    {
        final byte[] extras = ByteBuffer.allocate(20).putLong(delta).putLong(initial).putInt(exptime).array();
        return request(op, extras, key, NONE, 11, cas);
    }

    static byte[] withExpiry(final int op, final byte[] key, final int exptime)
    {
        return request(op, ByteBuffer.allocate(4).putInt(exptime).array(), key, NONE, 13, 0);
    }

    static byte[] concat(final byte[]... parts)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] p : parts)
        {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static Step step(final LongFunction<byte[]> requests)
    {
        return new Step(requests, 0);
    }

    static Case tcp(final String name, final Step... steps)
    {
        return new Case(name, List.of(steps), false);
    }

    static Case both(final String name, final Step... steps)
    {
        return new Case(name, List.of(steps), true);
    }

    static List<Case> cases()
    {
        final List<Case> c = new ArrayList<>();
        final String big = "v".repeat(300_000);
        c.add(both("get-set-noop", step(cas -> concat(
            keyOnly(0x00, k("gsn", "a"), 0),
            store(0x01, k("gsn", "a"), 0xDEADBEEF, 0, "hello", 0),
            keyOnly(0x00, k("gsn", "a"), 0),
            keyOnly(0x0c, k("gsn", "a"), 0),
            keyOnly(0x0c, k("gsn", "missing"), 0)))));
        c.add(both("quiet-pipeline", step(cas -> concat(
            store(0x11, k("qp", "a"), 1, 0, "one", 0),
            store(0x11, k("qp", "b"), 2, 0, "two", 0),
            keyOnly(0x09, k("qp", "a"), 0),
            keyOnly(0x09, k("qp", "missing"), 0),
            keyOnly(0x0d, k("qp", "b"), 0),
            keyOnly(0x0d, k("qp", "missing"), 0),
            store(0x12, k("qp", "a"), 0, 0, "exists", 0),
            store(0x13, k("qp", "none"), 0, 0, "none", 0),
            keyOnly(0x14, k("qp", "b"), 0),
            keyOnly(0x14, k("qp", "b"), 0)))));
        c.add(tcp("add-replace", step(cas -> concat(
            store(0x02, k("ar", "a"), 0, 0, "first", 0),
            store(0x02, k("ar", "a"), 0, 0, "second", 0),
            store(0x03, k("ar", "b"), 0, 0, "nothing", 0),
            store(0x03, k("ar", "a"), 5, 0, "replaced", 0),
            keyOnly(0x00, k("ar", "a"), 0)))));
        c.add(tcp("cas-flow",
            step(cas -> concat(store(0x01, k("cas", "a"), 0, 0, "v1", 0), keyOnly(0x00, k("cas", "a"), 0))),
            step(cas -> concat(store(0x01, k("cas", "a"), 0, 0, "v2", cas), store(0x01, k("cas", "a"), 0, 0, "v3", cas),
                store(0x03, k("cas", "a"), 0, 0, "v4", 12345), store(0x02, k("cas", "missing"), 0, 0, "x", 12345),
                store(0x01, k("cas", "missing"), 0, 0, "x", 1), keyOnly(0x00, k("cas", "a"), 0))),
            step(cas -> concat(keyOnly(0x04, k("cas", "a"), cas + 1), keyOnly(0x04, k("cas", "a"), cas),
                keyOnly(0x04, k("cas", "a"), 0)))));
        c.add(tcp("append-prepend",
            step(cas -> concat(request(0x0e, NONE, k("ap", "a"), b("x"), 1, 0),
                store(0x01, k("ap", "a"), 3, 0, "mid", 0),
                request(0x0e, NONE, k("ap", "a"), b("-end"), 1, 0),
                request(0x0f, NONE, k("ap", "a"), b("start-"), 1, 0),
                request(0x19, NONE, k("ap", "a"), b("!"), 1, 0),
                request(0x1a, NONE, k("ap", "none"), b("!"), 1, 0),
                keyOnly(0x00, k("ap", "a"), 0))),
            step(cas -> concat(request(0x0e, NONE, k("ap", "a"), b("bad"), 1, cas + 7),
                request(0x0e, NONE, k("ap", "a"), b("good"), 1, cas), keyOnly(0x00, k("ap", "a"), 0)))));
        c.add(both("incr-decr", step(cas -> concat(
            arithmetic(0x05, k("id", "new"), 5, 42, 0, 0),
            arithmetic(0x05, k("id", "new"), 5, 42, 0, 0),
            arithmetic(0x06, k("id", "new"), 100, 0, 0, 0),
            arithmetic(0x05, k("id", "nocreate"), 1, 1, 0xFFFFFFFF, 0),
            arithmetic(0x06, k("id", "nocreate"), 1, 1, 0xFFFFFFFF, 0),
            store(0x01, k("id", "text"), 0, 0, "abc", 0),
            arithmetic(0x05, k("id", "text"), 1, 0, 0, 0),
            store(0x01, k("id", "max"), 0, 0, "18446744073709551615", 0),
            arithmetic(0x05, k("id", "max"), 2, 0, 0, 0),
            arithmetic(0x15, k("id", "max"), 2, 0, 0, 0),
            arithmetic(0x16, k("id", "missingq"), 2, 0, 0xFFFFFFFF, 0),
            keyOnly(0x00, k("id", "new"), 0)))));
        c.add(tcp("incr-cas",
            step(cas -> concat(arithmetic(0x05, k("ic", "a"), 1, 10, 0, 0))),
            step(cas -> concat(arithmetic(0x05, k("ic", "a"), 1, 0, 0, cas + 3), arithmetic(0x05, k("ic", "a"), 1, 0, 0, cas)))));
        c.add(both("touch-gat", step(cas -> concat(
            store(0x01, k("tg", "a"), 77, 0, "value", 0),
            withExpiry(0x1c, k("tg", "a"), 100),
            withExpiry(0x1c, k("tg", "missing"), 100),
            withExpiry(0x1d, k("tg", "a"), 100),
            withExpiry(0x23, k("tg", "a"), 100),
            withExpiry(0x1e, k("tg", "a"), 100),
            withExpiry(0x1e, k("tg", "missing"), 100),
            withExpiry(0x24, k("tg", "missing"), 100),
            withExpiry(0x23, k("tg", "missing"), 100),
            withExpiry(0x1d, k("tg", "missing"), 100)))));
        // TTLs of 3 s against checks within ~0.1 s and after 3.1 s: no second boundary decides the outcome
        c.add(tcp("expiry", step(cas -> concat(
            store(0x01, k("ex", "a"), 0, 3, "short", 0),
            store(0x01, k("ex", "b"), 0, 3, "gone", 0),
            withExpiry(0x1d, k("ex", "a"), 0))),
            new Step(cas -> concat(keyOnly(0x00, k("ex", "a"), 0), keyOnly(0x00, k("ex", "b"), 0)), 4_100)));
        c.add(tcp("large-values", step(cas -> concat(
            store(0x01, k("lv", "a"), 0, 0, big, 0),
            keyOnly(0x0c, k("lv", "a"), 0),
            store(0x01, k("lv", "huge"), 0, 0, "h".repeat(1_100_000), 0),
            store(0x02, k("lv", "huge"), 0, 0, "h".repeat(1_100_000), 0),
            keyOnly(0x00, k("lv", "huge"), 0),
            store(0x01, k("lv", "a"), 0, 0, "h".repeat(1_100_000), 0),
            keyOnly(0x00, k("lv", "a"), 0)))));
        c.add(tcp("errors", step(cas -> concat(
            request(0x30, NONE, NONE, b("body"), 3, 0),
            request(0x30, NONE, NONE, NONE, 3, 0),
            request(0x20, NONE, NONE, NONE, 3, 0),
            request(0x21, NONE, b("PLAIN"), b("\0u\0p"), 3, 0),
            request(0x10, NONE, b("nosuchgroup"), NONE, 3, 0),
            request(0x10, NONE, b("reset"), NONE, 3, 0)))));
        c.add(tcp("unknown-with-key-misaligns-and-closes",
            step(cas -> concat(BinaryWire.noop(1), request(0x30, NONE, b("whatever"), b("body"), 3, 0),
                request(0x20, NONE, NONE, NONE, 3, 0)))));
        c.add(tcp("version", step(cas -> request(0x0b, NONE, NONE, NONE, 5, 0))));
        c.add(tcp("noop-only", step(cas -> BinaryWire.noop(1))));
        c.add(tcp("get-with-extras-closes", step(cas -> request(0x00, new byte[] {1, 2, 3, 4}, k("gx", "a"), NONE, 4, 0))));
        c.add(tcp("key-too-long-closes", step(cas -> keyOnly(0x00, "k".repeat(251).getBytes(), 0))));
        c.add(tcp("body-shorter-than-key-closes", step(cas -> {
            final byte[] r = keyOnly(0x00, k("bs", "a"), 0);
            r[11] = 1; // total body 1 < key length
            return r;
        })));
        c.add(tcp("set-without-extras-closes", step(cas -> request(0x01, NONE, k("se", "a"), b("v"), 4, 0))));
        c.add(tcp("quit", step(cas -> concat(BinaryWire.noop(2), request(0x07, NONE, NONE, NONE, 6, 0)))));
        c.add(tcp("quitq", step(cas -> request(0x17, NONE, NONE, NONE, 6, 0))));
        c.add(tcp("text-after-binary-closes", step(cas -> concat(BinaryWire.noop(2), b("set abcdefghijklmnop 0 0 1\r\nx\r\n")))));
        c.add(tcp("flush-delay",
            step(cas -> concat(store(0x01, k("fd", "a"), 0, 0, "x", 0), request(0x08, ByteBuffer.allocate(4).putInt(3).array(),
                NONE, NONE, 8, 0), keyOnly(0x00, k("fd", "a"), 0))),
            new Step(cas -> concat(keyOnly(0x00, k("fd", "a"), 0), request(0x18, NONE, NONE, NONE, 8, 0),
                store(0x01, k("fd", "b"), 0, 0, "y", 0), request(0x08, NONE, NONE, NONE, 8, 0),
                keyOnly(0x00, k("fd", "b"), 0)), 4_100))); // a 3 s delay: no second boundary decides the first get
        return c;
    }

    static byte[] b(final String s)
    {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    // ------------------------------------------------------------------------------------------ running

    @TestFactory
    List<DynamicTest> shouldAnswerTheBinaryProtocolByteForByteLikeMemcached()
    {
        final List<DynamicTest> tests = new ArrayList<>();
        for (final Case c : cases())
        {
            tests.add(DynamicTest.dynamicTest("tcp " + c.name(), () -> assertEquals(
                runTcp(reference, c, "m-"), runTcp(target, c, "m-"), "binary case " + c.name() + " over TCP")));
            if (compareUdp(c))
            {
                tests.add(DynamicTest.dynamicTest("udp " + c.name(), () -> assertEquals(
                    runUdp(reference, c), runUdp(target, c), "binary case " + c.name() + " over UDP")));
            }
        }
        return tests;
    }

    private static String runTcp(final Target server, final Case c, final String unused) throws InterruptedException
    {
        final StringBuilder transcript = new StringBuilder();
        final Map<Long, Integer> casOrder = BinaryWire.newCasOrder();
        try (BinaryWire wire = new BinaryWire(server.host(), server.tcpPort()))
        {
            long lastCas = 0;
            int n = 0;
            for (final Step s : c.steps())
            {
                Thread.sleep(s.sleepMsBefore());
                final List<byte[]> responses = wire.exchange(prefixed(s.requests().apply(lastCas), server));
                lastCas = BinaryWire.lastCas(responses);
                transcript.append("step ").append(n++).append('\n').append(normalise(responses, casOrder));
            }
        }
        return transcript.toString();
    }

    /** The requests as they are (one key namespace per server process: each server is its own). */
    private static byte[] prefixed(final byte[] requests, final Target server)
    {
        return requests;
    }

    private static String normalise(final List<byte[]> responses, final Map<Long, Integer> casOrder)
    {
        final List<byte[]> out = new ArrayList<>();
        for (final byte[] r : responses)
        {
            if (r.length >= BinaryWire.HEADER && (r[0] & 0xFF) == 0x81 && r[1] == 0x0b && r[7] == 0)
            {
                final byte[] header = Arrays.copyOf(r, BinaryWire.HEADER); // VERSION: the body is the server's own
                Arrays.fill(header, 8, 12, (byte)0);
                out.add(header);
                continue;
            }
            out.add(r);
        }
        return BinaryWire.render(out, casOrder);
    }

    private static boolean isSentinel(final byte[] payload)
    {
        return payload.length == BinaryWire.HEADER && payload[1] == 0x0a &&
            ByteBuffer.wrap(payload, 12, 4).getInt() == BinaryWire.SENTINEL_OPAQUE;
    }

    private static String runUdp(final Target server, final Case c) throws Exception
    {
        final StringBuilder transcript = new StringBuilder();
        final Map<Long, Integer> casOrder = BinaryWire.newCasOrder();
        try (UdpWire udp = server.openUdpWire())
        {
            long lastCas = 0;
            int requestId = 100;
            for (final Step s : c.steps())
            {
                Thread.sleep(s.sleepMsBefore());
                final byte[] payload = concat(s.requests().apply(lastCas), BinaryWire.noop(BinaryWire.SENTINEL_OPAQUE));
                final UdpWire.Reply reply =
                    udp.exchangeRaw(UdpWire.frame(requestId, 0, 1, 0, payload), requestId, BinaryDifferentialTest::isSentinel);
                final List<byte[]> responses = new ArrayList<>();
                for (final UdpWire.Datagram d : reply.datagrams())
                {
                    transcript.append("datagram ").append(d.seq()).append('/').append(d.count()).append(' ')
                        .append(HexFormat.of().formatHex(d.payload(), 0, Math.min(2, d.payload().length))).append('\n');
                    if (d.payload().length > 0 && !isSentinel(d.payload()))
                    {
                        responses.add(d.payload());
                    }
                }
                transcript.append(reply.timedOut() ? "timeout\n" : "");
                lastCas = BinaryWire.lastCas(responses);
                transcript.append(normalise(responses, casOrder));
                requestId++;
            }
        }
        assertTrue(transcript.length() > 0);
        return transcript.toString();
    }
}
