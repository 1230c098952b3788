package io.wirekv.benchmarks.ceiling;

import io.wirekv.dataplane.cnc.CounterRegistry;
import io.wirekv.dataplane.guard.UdpGuard;
import io.wirekv.dataplane.lcore.UdpLcoreAgent;
import io.wirekv.dataplane.lcore.UdpLcoreSettings;
import io.wirekv.dataplane.log.Durability;
import io.wirekv.dataplane.log.PersistenceSettings;
import io.wirekv.dataplane.net.NetAddress;
import io.wirekv.dataplane.net.NetCounters;
import io.wirekv.dataplane.net.NetStack;
import io.wirekv.dataplane.port.BypassPort;
import io.wirekv.dataplane.port.PortCounters;
import io.wirekv.dataplane.proto.ProtocolSettings;
import io.wirekv.dataplane.proto.ServerStats;
import io.wirekv.dataplane.proto.WriteApplier;
import io.wirekv.dataplane.ring.WriteRings;
import io.wirekv.dataplane.table.ClockTicker;
import io.wirekv.dataplane.table.MemoryMode;
import io.wirekv.dataplane.table.Table;
import io.wirekv.dataplane.table.TableConfig;
import io.wirekv.dataplane.writer.WriterAgent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.SystemEpochClock;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * The per-core server ceiling with the link taken out (issue 16): one pinned thread runs the real lcore duty
 * cycle of the bypass backends, {@link BypassPort} (the L2/L3 stack) -> request processor -> table -> reply, with
 * the writer colocated on the same thread as {@code --colocate} runs it, fed by {@link ReplayFrameQueue}, which
 * hands it a full burst of pre-built request frames on every poll and takes the replies back. No device, no
 * generator, no second core: what one core can serve when the NIC is not the limit.
 * <pre>
 *   java $WIREKV_JVM_FLAGS -cp benchmarks.jar io.wirekv.benchmarks.ceiling.PerCoreCeiling \
 *     [--keys 10000] [--get-ratio 1.0] [--seconds 10] [--warmup 5] [--cpu 1] [--key-size 16] [--value-size 32]
 *     [--multiget 1] [--persistence none|async|sync --data-dir DIR]
 * </pre>
 * {@code --multiget N} makes every get ask for N keys. Over UDP each hit is its own response datagram (memcached's
 * framing, which wirekv keeps), so with every key a hit, replies/s are keys/s and ns/request is ns per key.
 * Prints one line per measured second (replies/s) and a summary line starting {@code ceiling:} with the median,
 * ns per request, hits/misses/stores and the collections during the measured seconds (the path allocates
 * nothing, so 0 is expected). {@code deploy/bench-ceiling.sh} runs it several times and takes medians.
 * <p>
 * {@code --persistence async|sync} gives the writer its partitions' logs in {@code --data-dir} (an empty directory on
 * a real disk; the log's sync and snapshot threads run unpinned beside it): the figure is then what the log costs the
 * writer's core, which the end-to-end benchmarks cannot separate from the other threads' share of a shared CPU.
 */
public final class PerCoreCeiling
{
    private static final int PARTITIONS = 4;
    private static final int ITEM_SIZE_MAX = 1024 * 1024;
    private static final int UDP_MAX_PAYLOAD = 1472;
    private static final int BURST = 32;
    private static final int SERVER_PORT = 11211;

    private PerCoreCeiling()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        int keys = 10_000;
        double getRatio = 1.0;
        int seconds = 10;
        int warmup = 5;
        int cpu = 1;
        int keySize = 16;
        int valueSize = 32;
        int multiget = 1;
        PersistenceSettings.Mode persistence = PersistenceSettings.Mode.NONE;
        Path dataDir = null;
        for (int i = 0; i < args.length; i += 2)
        {
            final String value = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i])
            {
                case "--keys" -> keys = Integer.parseInt(value);
                case "--get-ratio" -> getRatio = Double.parseDouble(value);
                case "--seconds" -> seconds = Integer.parseInt(value);
                case "--warmup" -> warmup = Integer.parseInt(value);
                case "--cpu" -> cpu = Integer.parseInt(value);
                case "--key-size" -> keySize = Integer.parseInt(value);
                case "--value-size" -> valueSize = Integer.parseInt(value);
                case "--multiget" -> multiget = Integer.parseInt(value);
                case "--persistence" -> persistence = PersistenceSettings.Mode.valueOf(value.toUpperCase(Locale.ROOT));
                case "--data-dir" -> dataDir = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (see the class's Javadoc)");
            }
        }
        final NetAddress server = new NetAddress(0x02_00_00_00_00_01L, NetAddress.parseIpv4("10.77.0.1"));
        final NetAddress client = new NetAddress(0x02_00_00_00_00_02L, NetAddress.parseIpv4("10.77.0.2"));
        if (multiget < 1 || multiget > 64)
        {
            throw new IllegalArgumentException("--multiget must be 1..64, got " + multiget);
        }
        if (persistence != PersistenceSettings.Mode.NONE && (null == dataDir || !Files.isDirectory(dataDir)))
        {
            throw new IllegalArgumentException("--persistence " + persistence.name().toLowerCase(Locale.ROOT) +
                " needs --data-dir DIR, an existing (empty) directory on a real disk");
        }
        final PersistenceSettings settings = persistence == PersistenceSettings.Mode.NONE ? PersistenceSettings.none() :
            new PersistenceSettings(persistence, dataDir, PersistenceSettings.DEFAULT_ASYNC_INTERVAL_MS,
                PersistenceSettings.DEFAULT_SEGMENT_SIZE_BYTES, false);
        final int loopFrames = Math.max(1 << 20, Math.min(keys, 1 << 22)) / multiget; // about as many keys drawn
        System.out.printf(Locale.ROOT, "ceiling: building %,d fill and %,d workload frames (%,d keys of %d B, values %d B, " +
            "%.0f%% gets of %d key(s))%n", keys, loopFrames, keys, keySize, valueSize, getRatio * 100, multiget);
        try (RequestFrames fill = RequestFrames.fill(server, client, SERVER_PORT, keys, keySize, valueSize);
            RequestFrames loop = RequestFrames.workload(
                server, client, SERVER_PORT, keys, keySize, valueSize, getRatio, multiget, loopFrames, 42))
        {
            run(server, fill, loop, keys, seconds, warmup, cpu, settings);
        }
    }

    private static void run(
        final NetAddress server, final RequestFrames fill, final RequestFrames loop, final int keys, final int seconds,
        final int warmup, final int cpu, final PersistenceSettings persistence) throws InterruptedException
    {
        final int readers = 1;
        final int writers = 1;
        final CounterRegistry counters = CounterRegistry.inArena(
            ServerStats.COUNTERS + Table.counterCount() + PortCounters.count() + NetCounters.count() +
                UdpLcoreAgent.counterCount() + Durability.counterCount(),
            ServerStats.valuesBytes(readers + writers) + Table.valuesBytes(PARTITIONS, readers) +
                PortCounters.valuesBytes() + NetCounters.valuesBytes() + UdpLcoreAgent.valuesBytes() +
                Durability.valuesBytes(PARTITIONS));
        final CachedEpochClock tableClock = new CachedEpochClock();
        tableClock.update(System.currentTimeMillis());
        final long memory = Math.max(256L << 20, (long)keys * 256);
        final int maxCommandBytes = ITEM_SIZE_MAX + 64 * 1024;
        try (Table table = new Table(
                new TableConfig(PARTITIONS, memory, MemoryMode.CACHE, ITEM_SIZE_MAX, false), tableClock, counters, readers);
            WriteRings rings = new WriteRings(readers, writers, maxCommandBytes, maxCommandBytes);
            Durability durability = Durability.start(persistence, table, counters, Throwable::printStackTrace))
        {
            for (int p = 0; p < PARTITIONS; p++)
            {
                table.writer(p).sharesThreadWithReaders(); // colocated, as --colocate
            }
            final ServerStats stats = new ServerStats(counters, readers + writers, System.currentTimeMillis());
            final WriterAgent writer = new WriterAgent(0, table, rings, new WriteApplier(table, stats, readers),
                maxCommandBytes, new ClockTicker(SystemEpochClock.INSTANCE, tableClock),
                null != durability ? durability.logsOfWriter(0, writers) : null,
                null != durability && durability.holdsReplies());
            final ReplayFrameQueue queue = new ReplayFrameQueue(fill, loop, 4096);
            final NetCounters net = new NetCounters(counters, 0);
            final BypassPort port = new BypassPort(queue, new NetStack(server, SERVER_PORT, net, true), net,
                new PortCounters(counters, 0), server.mac(), SERVER_PORT, BURST);
            final UdpLcoreAgent lcore = new UdpLcoreAgent(0, port, cpu,
                new UdpLcoreSettings(UDP_MAX_PAYLOAD, BURST, 4 * BURST, ITEM_SIZE_MAX), table,
                new ProtocolSettings(ITEM_SIZE_MAX, UDP_MAX_PAYLOAD, "ceiling"), stats, rings, counters, UdpGuard.OPEN);
            final AgentRunner runner = new AgentRunner(
                new BusySpinIdleStrategy(), Throwable::printStackTrace, null, new CompositeAgent(lcore, writer));
            AgentRunner.startOnThread(runner);
            try
            {
                measure(queue, keys, seconds, warmup, cpu);
            }
            finally
            {
                runner.close();
            }
        }
    }

    private static void measure(
        final ReplayFrameQueue queue, final int keys, final int seconds, final int warmup, final int cpu)
        throws InterruptedException
    {
        final long fillDeadline = System.nanoTime() + 120_000_000_000L;
        while (queue.firstReplayed.get() < keys || queue.replies.get() < keys)
        {
            if (System.nanoTime() > fillDeadline)
            {
                throw new IllegalStateException("the table was not filled within 120 s: " + queue.replies.get() + " replies");
            }
            Thread.sleep(10);
        }
        Thread.sleep(warmup * 1000L);
        final long[] perSecond = new long[seconds];
        final long gcBefore = collections();
        final long hits0 = queue.hits.get();
        final long misses0 = queue.misses.get();
        final long stored0 = queue.stored.get();
        final long other0 = queue.other.get();
        long last = queue.replies.get();
        long lastNs = System.nanoTime();
        for (int s = 0; s < seconds; s++)
        {
            Thread.sleep(1000);
            final long now = queue.replies.get();
            final long nowNs = System.nanoTime();
            perSecond[s] = (now - last) * 1_000_000_000L / (nowNs - lastNs);
            System.out.printf(Locale.ROOT, "second %2d: %,12d replies/s%n", s + 1, perSecond[s]);
            last = now;
            lastNs = nowNs;
        }
        final long gc = collections() - gcBefore;
        final long[] sorted = perSecond.clone();
        Arrays.sort(sorted);
        final long median = sorted[seconds / 2];
        System.out.printf(Locale.ROOT, "ceiling: %d replies/s median of %d s on CPU %d, %.1f ns/request; hits %d, misses %d, " +
            "stored %d, other %d; %d collections while measuring%n", median, seconds, cpu, 1e9 / Math.max(1, median),
            queue.hits.get() - hits0, queue.misses.get() - misses0, queue.stored.get() - stored0,
            queue.other.get() - other0, gc);
    }

    private static long collections()
    {
        long count = 0;
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            count += Math.max(0, gc.getCollectionCount());
        }
        return count;
    }
}
