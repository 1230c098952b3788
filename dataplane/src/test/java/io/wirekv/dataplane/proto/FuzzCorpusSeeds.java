package io.wirekv.dataplane.proto;

import io.wirekv.dataplane.testnet.TestFrames;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.wirekv.dataplane.testnet.TestFrames.*;

/**
 * Writes the seed inputs of the Jazzer targets from real requests: text and meta commands (TCP streams and
 * UDP datagrams), the write records those requests become, and frames of every kind the L2/L3 stack sees.
 * Run once, and again when the formats change (files of the same name are overwritten);
 * the output is committed under src/test/resources. From dataplane/, after a test-compile:
 * <pre>
 *   ../mvnw -o -q -B dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt
 *   source ../deploy/lib/jdk.sh
 *   "$(wirekv_find_jdk25)/bin/java" --enable-native-access=ALL-UNNAMED \
 *     --add-exports java.base/jdk.internal.misc=ALL-UNNAMED \
 *     -cp "$(cat target/test-classpath.txt):target/classes:target/test-classes" \
 *     io.wirekv.dataplane.proto.FuzzCorpusSeeds src/test/resources
 * </pre>
 */
public final class FuzzCorpusSeeds
{
    /** Real requests, one seed each: every text and meta command, well formed and not. */
    static final String[] REQUESTS = {
        "set foo 5 0 3\r\nbar\r\nget foo\r\n",
        "set k 0 0 5 noreply\r\nhello\r\ngets k\r\n",
        "add a 1 100 1\r\nx\r\nreplace a 2 0 1\r\ny\r\nappend a 0 0 2\r\nzz\r\nprepend a 0 0 2\r\nww\r\nget a\r\n",
        "set c 0 0 1\r\n1\r\ngets c\r\ncas c 0 0 1 1\r\n2\r\ncas c 0 0 1 999\r\n3\r\n",
        "set n 0 0 2\r\n10\r\nincr n 5\r\ndecr n 100\r\nincr n 18446744073709551615\r\nincr missing 1\r\n",
        "delete foo\r\ndelete foo noreply\r\ndelete foo 0\r\n",
        "touch foo 10\r\ngat 100 foo bar\r\ngats 0 foo\r\n",
        "get a b c d e f g h i j k l m n o p q r s t u v w x y z\r\n",
        "flush_all\r\nflush_all 10\r\nflush_all noreply\r\n",
        "version\r\nverbosity 1\r\nstats\r\nstats reset\r\n",
        "quit\r\n",
        "shutdown\r\n",
        "bogus command\r\n",
        "set toolong 0 0 100000000\r\n",
        "set bad 0 0 3\r\nabcd\r\n",
        "set k 0 0 -1\r\n",
        "get " + "k".repeat(251) + "\r\n",
        "mg foo v f t c s k O123 q\r\n",
        "ms foo 3 T100 F5 C0 I q\r\nbar\r\nmg foo v\r\n",
        "ms b64 2 b\r\nhi\r\nmg YjY0 b v k\r\n",
        "ms foo 3 MA\r\nbaz\r\nms foo 3 MP\r\nqux\r\nms foo 3 ME\r\nnew\r\nms foo 3 MR\r\nrep\r\n",
        "md foo q\r\nmd foo I T30\r\nmd missing\r\n",
        "ma cnt N0 J13 v\r\nma cnt MD D5 v\r\nma cnt MI D18446744073709551615\r\n",
        "mg foo R30 N30 v c t\r\nmg foo E99 v\r\n",
        "mn\r\nme foo\r\n",
        "mg\r\nms\r\nmd\r\nma\r\nmg foo zz\r\nms foo abc\r\n",
        "get foo\nset x 0 0 1\nA\nget x\n",
        "gets\r\nget\r\n\r\n",
    };

    private FuzzCorpusSeeds()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        final Path resources = Path.of(args.length > 0 ? args[0] : "src/test/resources");
        final Path proto = resources.resolve("io/wirekv/dataplane/proto");
        final Path stream = proto.resolve("RequestProcessorFuzzTestInputs/textAndMetaStream");
        final Path datagram = proto.resolve("RequestProcessorFuzzTestInputs/udpDatagram");
        final Path records = proto.resolve("WriteApplierFuzzTestInputs/arbitraryRecord");
        final Path frames = resources.resolve("io/wirekv/dataplane/net/NetStackFuzzTestInputs/arbitraryFrame");
        for (final Path p : new Path[]{stream, datagram, records, frames})
        {
            Files.createDirectories(p);
        }

        try (ProtoHarness h = new ProtoHarness(64 * 1024))
        {
            for (int i = 0; i < REQUESTS.length; i++)
            {
                final byte[] request = ProtoHarness.bytes(REQUESTS[i]);
                // whole, and in pieces of 3 bytes
                write(stream.resolve(String.format("request-%02d", i)), concat(new byte[]{(byte)(i % 2 == 0 ? 0 : 3)}, request));
                write(datagram.resolve(String.format("request-%02d", i)), TestFrames.memcachedDatagram(i, REQUESTS[i]));
                // the last write the request forwards becomes a record seed
                final int before = h.forwards;
                h.tcp(REQUESTS[i]);
                if (h.forwards > before)
                {
                    final byte[] record = new byte[h.lastRecordLength];
                    MemorySegment.copy(h.recordMemory, ValueLayout.JAVA_BYTE, 8, record, 0, record.length);
                    write(records.resolve(String.format("record-%02d", i)), record);
                }
            }
        }
        // the frame header variants memcached clients send
        write(datagram.resolve("multi-datagram"), header(7, 0, 2, 0, "get foo\r\n"));
        write(datagram.resolve("libmemcached-reserved"), header(7, 0, 1, 0x0100, "get foo\r\n"));
        write(datagram.resolve("pylibmc-reserved"), header(7, 3, 1, 0x7A00, "set k 0 0 1\r\nv\r\n"));
        write(datagram.resolve("header-only"), header(7, 0, 1, 0, ""));

        final byte[] get = memcachedDatagram(1, "get foo\r\n");
        final byte[][] stack = {
            udpRequest(get),
            udp(OUR_MAC, 7, PEER_IP, OUR_IP, PEER_PORT, PORT, get, NO_OPTIONS, 0, true),
            udp(OUR_MAC, NO_VLAN, PEER_IP, OUR_IP, PEER_PORT, PORT, get, new byte[]{1, 1, 1, 0}, 9, false),
            udp(OUR_MAC, NO_VLAN, PEER_IP, OUR_IP, PEER_PORT, PORT + 1, get, NO_OPTIONS, 0, true),
            udp(OTHER_MAC, NO_VLAN, PEER_IP, OTHER_IP, PEER_PORT, PORT, get, NO_OPTIONS, 0, true),
            arpRequest(OUR_IP),
            arp(BROADCAST, PEER_MAC, 9, 1, PEER_MAC, PEER_IP, 0, OUR_IP, 14),
            arpRequest(OTHER_IP),
            echoRequest(payload(56, 4)),
            icmp(OUR_MAC, 3, PEER_IP, OUR_IP, 8, payload(2, 5), new byte[]{1, 1, 1, 1}, 11),
        };
        for (int i = 0; i < stack.length; i++)
        {
            write(frames.resolve(String.format("frame-%02d", i)), concat(new byte[]{(byte)i}, stack[i]));
        }

        // ParsersFuzzTest: every seed above behind its target's selector byte
        final Path any = proto.resolve("ParsersFuzzTestInputs/anyParser");
        Files.createDirectories(any);
        final Path[] targets = {stream, datagram, records, frames};
        for (int t = 0; t < targets.length; t++)
        {
            try (var files = Files.list(targets[t]))
            {
                for (final Path f : files.sorted().toList())
                {
                    write(any.resolve(t + "-" + f.getFileName()), concat(new byte[]{(byte)t}, Files.readAllBytes(f)));
                }
            }
        }
    }

    private static byte[] header(final int id, final int sequence, final int count, final int reserved, final String text)
    {
        final byte[] b = concat(new byte[8], ProtoHarness.bytes(text));
        TestFrames.putU16(b, 0, id);
        TestFrames.putU16(b, 2, sequence);
        TestFrames.putU16(b, 4, count);
        TestFrames.putU16(b, 6, reserved);
        return b;
    }

    private static byte[] concat(final byte[] a, final byte[] b)
    {
        final byte[] c = new byte[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static void write(final Path file, final byte[] bytes) throws IOException
    {
        Files.write(file, bytes);
    }
}
