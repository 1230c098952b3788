package io.wirekv.dataplane.housekeeping;

import io.wirekv.dataplane.cnc.AdminProtocol;
import io.wirekv.dataplane.cnc.CncFile;
import io.wirekv.dataplane.cnc.CncFileDescriptor;
import io.wirekv.dataplane.cnc.CncMetric;
import io.wirekv.dataplane.port.KernelPorts;
import io.wirekv.dataplane.port.PacketPort;
import io.wirekv.dataplane.port.PortCounters;
import io.wirekv.dataplane.proto.ServerStats;
import io.wirekv.dataplane.table.TableCounters;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.ErrorLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramSocket;
import java.util.ArrayList;
import java.util.List;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The housekeeping duty cycle with injected clocks: publication period, heartbeat rule, shutdown command. */
class HousekeepingAgentTest
{
    private static final int DATAPLANE_COUNTERS = ServerStats.COUNTERS;
    private static final int DATAPLANE_VALUES_BYTES = ServerStats.valuesBytes(1);

    private final AtomicLong graceAgeMs = new AtomicLong(7);
    private final TableCounters table = new TableCounters()
    {
        public long items()
        {
            return 0;
        }

        public long bytes()
        {
            return 0;
        }

        public long hits()
        {
            return 0;
        }

        public long misses()
        {
            return 0;
        }

        public long evictions()
        {
            return 0;
        }

        public long expirations()
        {
            return 0;
        }

        public long retiredNotFreedBytes()
        {
            return 0;
        }

        public long gracePeriodAgeMs()
        {
            return graceAgeMs.get();
        }

        public long stalledReaders()
        {
            return 0;
        }

        public long resizes()
        {
            return 0;
        }

        public long totalItems()
        {
            return 0;
        }
    };

    private final CachedEpochClock clock = new CachedEpochClock();
    private final AtomicLong dataplaneClock = new AtomicLong(1);
    private final AtomicInteger shutdowns = new AtomicInteger();
    private final CncSources sources = new CncSources(new PacketPort[0], i -> 0, table, 0);

    private static CncFile create(final Path dir, final String instance, final CachedEpochClock clock)
    {
        return CncFile.create(dir, instance, DATAPLANE_COUNTERS + HousekeepingAgent.counterCount(),
            DATAPLANE_VALUES_BYTES + HousekeepingAgent.valuesBytes(), "", clock);
    }

    private HousekeepingAgent agent(final CncFile cnc)
    {
        return new HousekeepingAgent(cnc, sources, clock, dataplaneClock::get, 100, "127.0.0.1", -1,
            shutdowns::incrementAndGet);
    }

    private static long heartbeat(final CncFile cnc) throws IOException
    {
        return new UnsafeBuffer(Files.readAllBytes(cnc.path())).getLong(CncFileDescriptor.HEARTBEAT_OFFSET);
    }

    private static long counter(final CncFile cnc, final String label)
    {
        final long[] value = {-1};
        cnc.counters().reader().forEach((id, typeId, kind, lcore, port, name, v) ->
        {
            if (CncMetric.label(name, lcore, port).equals(label))
            {
                value[0] = v;
            }
        });
        return value[0];
    }

    @Test
    void shouldBeatOnlyWhileTheDataplaneClockMoves(@TempDir final Path dir) throws IOException
    {
        clock.update(10_000);
        try (CncFile cnc = create(dir, "hb", clock))
        {
            final HousekeepingAgent agent = agent(cnc);
            assertEquals(10_000, heartbeat(cnc));

            clock.update(10_200);
            agent.doWork();
            assertEquals(10_000, heartbeat(cnc), "the dataplane made no progress: no beat");

            dataplaneClock.incrementAndGet();
            clock.update(10_400);
            agent.doWork();
            assertEquals(10_400, heartbeat(cnc));
        }
    }

    @Test
    void shouldPublishTheClockGaugesOncePerPeriodAndCopyNoSlot(@TempDir final Path dir)
    {
        clock.update(10_000);
        try (CncFile cnc = create(dir, "period", clock))
        {
            final ServerStats stats = new ServerStats(cnc.counters(), 1, 0);
            final HousekeepingAgent agent = agent(cnc);
            assertEquals(7, counter(cnc, "grace_period_age_ms"));
            assertEquals(10, counter(cnc, "uptime_seconds"));
            assertEquals(0, counter(cnc, "cmd_get"));
            assertEquals(-1, counter(cnc, "items"), "the table's counters are its own slots, not published here");
            assertEquals(-1, counter(cnc, "table_hits"));

            stats.increment(0, ServerStats.CMD_GET);
            graceAgeMs.set(8);
            assertEquals(1, counter(cnc, "cmd_get"), "a slot is the file's bytes: seen at once, no copy");

            clock.update(10_050);
            agent.doWork();
            assertEquals(7, counter(cnc, "grace_period_age_ms"), "within the period: not yet");

            clock.update(10_100);
            agent.doWork();
            assertEquals(8, counter(cnc, "grace_period_age_ms"), "published values lag by at most one period");
        }
    }

    @Test
    void shouldAnswerAndRunShutdownOnce(@TempDir final Path dir)
    {
        clock.update(10_000);
        try (CncFile cnc = create(dir, "down", clock))
        {
            final HousekeepingAgent agent = agent(cnc);
            final UnsafeBuffer command = new UnsafeBuffer(new byte[64]);
            final int length = AdminProtocol.encodeCommand(command, 1, 0, 0, new byte[0], new byte[0]);
            assertTrue(cnc.commandRing().write(AdminProtocol.SHUTDOWN, command, 0, length));
            assertTrue(cnc.commandRing().write(AdminProtocol.SHUTDOWN, command, 0, length));
            agent.doWork();
            agent.doWork();
            assertEquals(1, shutdowns.get());
        }
    }

    @Test
    void shouldLogTheGuardsRefusalsOncePerReasonWithTheirCounters(@TempDir final Path dir) throws IOException
    {
        clock.update(10_000);
        final AtomicLong notAllowed = new AtomicLong();
        final AtomicLong capped = new AtomicLong();
        final int udpPort;
        try (DatagramSocket probe = new DatagramSocket(0))
        {
            udpPort = probe.getLocalPort();
        }
        try (CncFile cnc = CncFile.create(dir, "guard", PortCounters.count() + HousekeepingAgent.counterCount(),
            PortCounters.valuesBytes() + HousekeepingAgent.valuesBytes(), "", clock);
            PacketPort port = new KernelPorts("127.0.0.1", udpPort).openPort(0, cnc.counters()))
        {
            final HousekeepingAgent agent = new HousekeepingAgent(cnc,
                new CncSources(new PacketPort[] {port}, i -> 0, table, 0, i -> notAllowed.get(), i -> capped.get()),
                clock, dataplaneClock::get, 100, "127.0.0.1", -1, shutdowns::incrementAndGet);
            notAllowed.set(5);
            clock.update(10_100);
            agent.doWork();
            notAllowed.set(9);
            capped.set(1);
            clock.update(10_200);
            agent.doWork();
            clock.update(10_300);
            agent.doWork(); // nothing new: nothing recorded

            final List<String> errors = new ArrayList<>();
            final List<Integer> counts = new ArrayList<>();
            ErrorLogReader.read(cnc.errorLog().buffer(), (count, first, last, text) ->
            {
                errors.add(text);
                counts.add(count);
            });
            assertEquals(2, errors.size(), errors.toString());
            assertTrue(errors.get(0).startsWith("lcore 0: UDP datagrams dropped: their source is outside udp.allow"), errors.get(0));
            assertEquals(2, counts.get(0), "recorded in the two periods that dropped datagrams");
            assertTrue(errors.get(1).startsWith("lcore 0: UDP replies capped"), errors.get(1));
            assertEquals(1, counts.get(1));
        }
    }
}
