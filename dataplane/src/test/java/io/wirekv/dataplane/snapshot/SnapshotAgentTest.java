package io.wirekv.dataplane.snapshot;

import io.wirekv.dataplane.table.ItemView;
import io.wirekv.dataplane.table.MemoryMode;
import io.wirekv.dataplane.table.PartitionWriter;
import io.wirekv.dataplane.table.Status;
import io.wirekv.dataplane.table.Table;
import io.wirekv.dataplane.table.TableConfig;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** {@link SnapshotAgent} on its own thread: snapshots on request, durable when the future completes, progress. */
class SnapshotAgentTest
{
    private Path directory;
    private Table table;
    private AgentRunner runner;

    @BeforeEach
    void setUp() throws IOException
    {
        directory = SnapshotTestFiles.newDirectory("agent");
        table = new Table(new TableConfig(2, 32L << 20, MemoryMode.STORE, 1 << 20, false), SystemEpochClock.INSTANCE);
    }

    @AfterEach
    void tearDown() throws IOException
    {
        CloseHelper.closeAll(runner, table);
        SnapshotTestFiles.delete(directory);
    }

    private SnapshotAgent start(final Path snapshots)
    {
        final SnapshotAgent agent = new SnapshotAgent(table, snapshots, SystemEpochClock.INSTANCE);
        runner = new AgentRunner(new SleepingMillisIdleStrategy(1), Throwable::printStackTrace, null, agent);
        AgentRunner.startOnThread(runner);
        return agent;
    }

    private int fill(final int partition, final int count)
    {
        final PartitionWriter writer = table.writer(partition);
        final ItemView out = new ItemView();
        int stored = 0;
        for (int i = 0; stored < count; i++)
        {
            final MemorySegment key = MemorySegment.ofArray(("agent-" + i).getBytes(StandardCharsets.ISO_8859_1));
            if (table.partitionOf(key, 0, (int)key.byteSize()) == partition)
            {
                assertEquals(Status.STORED, writer.publish(key, 0, (int)key.byteSize(), key, 0, (int)key.byteSize(),
                    key, 0, 0, 0, 0, 0, 0, out));
                stored++;
            }
        }
        return stored;
    }

    @Test
    void shouldWriteADurableSnapshotOnRequestAndDeleteTheOlderOne() throws Exception
    {
        fill(1, 5000);
        final SnapshotAgent agent = start(directory);
        final SnapshotInfo first = agent.request(1, 100).get(60, TimeUnit.SECONDS);
        assertEquals(directory.resolve("p1-00000000000000000100.snap"), first.file());
        assertEquals(5000, first.items());
        assertEquals(5000, new SnapshotReader().verify(first.file(), 1).items(), "complete on disk when the future completes");

        fill(1, 6000); // the first 5000 again (replaced) and 1000 more
        final CompletableFuture<SnapshotInfo> second = agent.request(1, 250);
        final CompletableFuture<SnapshotInfo> other = agent.request(0, 7);
        assertEquals(6000, second.get(60, TimeUnit.SECONDS).items());
        assertEquals(0, other.get(60, TimeUnit.SECONDS).items(), "an empty partition makes an empty snapshot");
        assertFalse(Files.exists(first.file()), "the older snapshot of the partition was deleted");
        assertEquals(250, new SnapshotDirectory(directory).newestValid(1, new SnapshotReader()).chosen().sequence());

        final SnapshotProgress progress = agent.progress();
        assertFalse(progress.running());
        assertEquals(3, progress.completed());
        assertEquals(0, progress.failed());
        assertEquals(0, progress.queued());
        assertNotNull(progress.last());
        fill(1, 6000); // replaces every item: 6000 retired
        assertTrue(table.counters().retiredNotFreedBytes() > 0);
        table.writer(1).doHousekeeping(16);
        assertEquals(0, table.counters().retiredNotFreedBytes(), "the idle snapshot thread holds back no grace period");

        final ExecutionException refused = assertThrows(ExecutionException.class,
            () -> agent.request(2, 1).get(10, TimeUnit.SECONDS));
        assertTrue(refused.getCause().getMessage().contains("partitions are 0..1"), refused.getCause().getMessage());
        assertEquals(1, agent.progress().failed());
    }

    @Test
    void shouldReportProgressWhileASnapshotRuns() throws Exception
    {
        final int items = fill(0, 100_000);
        final SnapshotAgent agent = start(directory);
        SnapshotProgress seen = null;
        for (int attempt = 1; attempt <= 20 && seen == null; attempt++)
        {
            final CompletableFuture<SnapshotInfo> done = agent.request(0, attempt);
            while (!done.isDone())
            {
                final SnapshotProgress progress = agent.progress();
                if (progress.running() && progress.items() > 0)
                {
                    seen = progress;
                }
                Thread.onSpinWait();
            }
            assertEquals(items, done.get().items());
        }
        assertNotNull(seen, "a running snapshot observed in 20 attempts");
        assertEquals(0, seen.partition());
        assertTrue(seen.items() <= items, seen.toString());
        assertTrue(seen.bytes() >= SnapshotDescriptor.HEADER_LENGTH + seen.items() * SnapshotDescriptor.ITEM_HEADER_LENGTH,
            seen.toString());
        assertTrue(seen.elapsedMs() >= 0, seen.toString());
        assertFalse(agent.progress().running());
    }

    @Test
    void shouldFailTheRequestWithTheIoErrorAndKeepServing() throws Exception
    {
        fill(0, 100);
        final Path notADirectory = directory.resolve("file");
        Files.write(notADirectory, new byte[]{1});
        final SnapshotAgent agent = start(notADirectory);
        final ExecutionException failed = assertThrows(ExecutionException.class,
            () -> agent.request(0, 1).get(60, TimeUnit.SECONDS));
        assertInstanceOf(IOException.class, failed.getCause());
        assertEquals(1, agent.progress().failed());
        Files.delete(notADirectory); // the disk is back: the next request succeeds
        assertEquals(100, agent.request(0, 2).get(60, TimeUnit.SECONDS).items());
        assertEquals(1, agent.progress().completed());
    }
}
