package io.wirekv.benchmarks.ceiling;

import io.wirekv.dataplane.net.Checksums;
import io.wirekv.dataplane.net.NetAddress;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Whole request frames (Ethernet, IPv4, UDP with its checksum, memcached's UDP frame header, a text
 * {@code get} or {@code set}) built once, before measuring, in fixed-size slots of off-heap memory: what a
 * NIC would have written into packet buffers. The ceiling benchmark replays them, so the lcore under test
 * parses, checks and answers real frames and nothing builds them while it is measured.
 */
final class RequestFrames implements AutoCloseable
{
    /** Frame slot size: a get or set of the default sizes fits; a 32-key get needs {@link #slotBytesFor}. */
    static final int SLOT_BYTES = 192;
    private static final ValueLayout.OfShort BE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final int ETHERNET = 14;
    private static final int IPV4 = 20;
    private static final int UDP = 8;
    private static final int CLIENT_PORT = 40_000;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment memory;
    private final int[] lengths;
    private final int slotBytes;

    private RequestFrames(final int count, final int slotBytes)
    {
        this.slotBytes = slotBytes;
        this.memory = arena.allocate((long)count * slotBytes, 64);
        this.lengths = new int[count];
    }

    /** A slot that holds a get of {@code keysPerGet} keys of {@code keySize} bytes, at least {@link #SLOT_BYTES}. */
    static int slotBytesFor(final int keysPerGet, final int keySize)
    {
        return Math.max(SLOT_BYTES, (ETHERNET + IPV4 + UDP + 8 + 6 + keysPerGet * (keySize + 1) + 63) & ~63);
    }

    /** One {@code set} of every key, in key order: fills the table before the workload. */
    static RequestFrames fill(
        final NetAddress server, final NetAddress client, final int serverPort, final int keys, final int keySize,
        final int valueSize)
    {
        final RequestFrames frames = new RequestFrames(keys, SLOT_BYTES);
        for (int k = 0; k < keys; k++)
        {
            frames.put(k, server, client, serverPort, k, set(k, keySize, valueSize));
        }
        return frames;
    }

    /**
     * {@code count} requests on uniformly random keys, a {@code getRatio} share of them gets of {@code keysPerGet}
     * keys each, the rest sets.
     */
    static RequestFrames workload(
        final NetAddress server, final NetAddress client, final int serverPort, final int keys, final int keySize,
        final int valueSize, final double getRatio, final int keysPerGet, final int count, final long seed)
    {
        final RequestFrames frames = new RequestFrames(count, slotBytesFor(keysPerGet, keySize));
        final SplittableRandom random = new SplittableRandom(seed);
        final StringBuilder get = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            final String command;
            if (random.nextDouble() < getRatio)
            {
                get.setLength(0);
                get.append("get");
                for (int n = 0; n < keysPerGet; n++)
                {
                    get.append(' ').append(key(random.nextInt(keys), keySize));
                }
                command = get.append("\r\n").toString();
            }
            else
            {
                command = set(random.nextInt(keys), keySize, valueSize);
            }
            frames.put(i, server, client, serverPort, i, command);
        }
        return frames;
    }

    int count()
    {
        return lengths.length;
    }

    MemorySegment memory()
    {
        return memory;
    }

    long offset(final int frame)
    {
        return (long)frame * slotBytes;
    }

    int length(final int frame)
    {
        return lengths[frame];
    }

    @Override
    public void close()
    {
        arena.close();
    }

    static String key(final int k, final int keySize)
    {
        final String digits = Integer.toString(k);
        return "k" + "0".repeat(Math.max(0, keySize - 1 - digits.length())) + digits;
    }

    private static String set(final int k, final int keySize, final int valueSize)
    {
        return "set " + key(k, keySize) + " 0 0 " + valueSize + "\r\n" + "v".repeat(valueSize) + "\r\n";
    }

    private void put(
        final int slot, final NetAddress server, final NetAddress client, final int serverPort, final int requestId,
        final String command)
    {
        final byte[] text = command.getBytes(StandardCharsets.US_ASCII);
        final int udpLength = UDP + 8 + text.length;
        final int length = ETHERNET + IPV4 + udpLength;
        if (length > slotBytes)
        {
            throw new IllegalArgumentException("a request frame of " + length + " bytes: keys and values this large " +
                "do not fit the benchmark's " + slotBytes + "-byte frame slots");
        }
        final long f = offset(slot);
        putMac(f, server.mac());
        putMac(f + 6, client.mac());
        memory.set(BE_SHORT, f + 12, (short)0x0800);
        final long ip = f + ETHERNET;
        memory.set(ValueLayout.JAVA_BYTE, ip, (byte)0x45);
        memory.set(ValueLayout.JAVA_BYTE, ip + 1, (byte)0);
        memory.set(BE_SHORT, ip + 2, (short)(IPV4 + udpLength));
        memory.set(BE_SHORT, ip + 4, (short)slot);
        memory.set(BE_SHORT, ip + 6, (short)0x4000); // DF
        memory.set(ValueLayout.JAVA_BYTE, ip + 8, (byte)64);
        memory.set(ValueLayout.JAVA_BYTE, ip + 9, (byte)17);
        memory.set(BE_SHORT, ip + 10, (short)0);
        memory.set(BE_INT, ip + 12, client.ipv4());
        memory.set(BE_INT, ip + 16, server.ipv4());
        memory.set(BE_SHORT, ip + 10, (short)Checksums.checksum(memory, ip, IPV4));
        final long udp = ip + IPV4;
        memory.set(BE_SHORT, udp, (short)CLIENT_PORT);
        memory.set(BE_SHORT, udp + 2, (short)serverPort);
        memory.set(BE_SHORT, udp + 4, (short)udpLength);
        memory.set(BE_SHORT, udp + 6, (short)0);
        final long frameHeader = udp + UDP;
        memory.set(BE_SHORT, frameHeader, (short)requestId);
        memory.set(BE_SHORT, frameHeader + 2, (short)0); // sequence
        memory.set(BE_SHORT, frameHeader + 4, (short)1); // datagrams in the request
        memory.set(BE_SHORT, frameHeader + 6, (short)0); // reserved
        MemorySegment.copy(text, 0, memory, ValueLayout.JAVA_BYTE, frameHeader + 8, text.length);
        final int checksum = Checksums.finish(Checksums.pseudoHeaderSum(client.ipv4(), server.ipv4(), 17, udpLength) +
            Checksums.sum(memory, udp, udpLength));
        memory.set(BE_SHORT, udp + 6, (short)(0 == checksum ? 0xFFFF : checksum));
        lengths[slot] = length;
    }

    private void putMac(final long offset, final long mac)
    {
        memory.set(BE_SHORT, offset, (short)(mac >>> 32));
        memory.set(BE_INT, offset + 2, (int)mac);
    }
}
