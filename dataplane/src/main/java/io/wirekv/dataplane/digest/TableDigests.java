package io.wirekv.dataplane.digest;

import io.wirekv.dataplane.table.ItemView;
import io.wirekv.dataplane.table.ItemVisitor;
import io.wirekv.dataplane.table.PartitionScanner;
import io.wirekv.dataplane.table.QsbrReader;
import io.wirekv.dataplane.table.Table;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * Computes {@link PartitionDigest}s of a running table for the admin {@code digest} command: each request scans on a
 * new platform thread ({@code wirekv-digest}) registered as a table reader, lock-free, while the writers go on (see
 * the package comment for what a scan under writes means). One digest runs at a time; a second request meanwhile
 * fails at once rather than doubling the scan's cost.
 * <p>
 * Threading: {@link #digest} and {@link #close} from any thread. {@link #close} stops a running scan at its next chunk
 * and waits for the thread to deregister, so the table may be closed after it.
 */
public final class TableDigests implements AutoCloseable
{
    /** The {@code partition} argument that asks for every partition. */
    public static final int ALL = -1;

    private final Table table;
    private Thread running;
    /** A digest was started and has not yet answered (guarded by this). */
    private boolean busy;
    private volatile boolean closed;

    public TableDigests(final Table table)
    {
        this.table = table;
    }

    /**
     * Starts a digest of one partition, or of every one ({@link #ALL}); never blocks.
     *
     * @return the digests, by partition; failed when the partition does not exist, another digest is running, or
     * the server is closing.
     */
    public synchronized CompletableFuture<List<PartitionDigest>> digest(final int partition)
    {
        final int partitions = table.partitionCount();
        if (partition != ALL && (partition < 0 || partition >= partitions))
        {
            return CompletableFuture.failedFuture(new IllegalArgumentException("there is no partition " + partition +
                ": this instance has " + partitions + " (0.." + (partitions - 1) + ")"));
        }
        if (closed)
        {
            return CompletableFuture.failedFuture(new IllegalStateException("the server is closing"));
        }
        if (busy)
        {
            return CompletableFuture.failedFuture(new IllegalStateException(
                "another digest is running; try again when it is done"));
        }
        final CompletableFuture<List<PartitionDigest>> result = new CompletableFuture<>();
        final int from = partition == ALL ? 0 : partition;
        final int to = partition == ALL ? partitions : partition + 1;
        busy = true;
        running = Thread.ofPlatform().name("wirekv-digest").daemon().start(() -> scan(from, to, result));
        return result;
    }

    /** {@link #digest}, as the lines ({@link PartitionDigest#wireLine()}) the admin channel carries. */
    public CompletableFuture<String> digestText(final int partition)
    {
        return digest(partition).thenApply(digests -> digests.stream().map(PartitionDigest::wireLine)
            .collect(Collectors.joining("\n", "", "\n")));
    }

    private void scan(final int from, final int to, final CompletableFuture<List<PartitionDigest>> result)
    {
        final Accumulator accumulator = new Accumulator();
        final PartitionScanner scanner = new PartitionScanner(table);
        final List<PartitionDigest> digests = new ArrayList<>(to - from);
        RuntimeException failure = null;
        try (QsbrReader reader = table.registerReader("wirekv-digest"))
        {
            for (int p = from; p < to && null == failure; p++)
            {
                accumulator.reset();
                if (scanner.scan(p, reader, accumulator) < 0)
                {
                    failure = new IllegalStateException("the server is closing");
                }
                digests.add(new PartitionDigest(p, accumulator.items, accumulator.sum, accumulator.xor));
            }
        }
        catch (final RuntimeException ex)
        {
            failure = ex;
        }
        synchronized (this)
        {
            busy = false; // before the answer: whoever it wakes may start the next digest at once
        }
        if (null == failure)
        {
            result.complete(digests);
        }
        else
        {
            result.completeExceptionally(failure);
        }
    }

    /** Stops a running scan at its next chunk and waits (at most 10 s) for its thread. */
    @Override
    public void close()
    {
        final Thread thread;
        synchronized (this)
        {
            closed = true;
            thread = running;
        }
        if (null != thread)
        {
            try
            {
                thread.join(10_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Sums one partition's content hashes; allocates nothing per item. */
    private final class Accumulator implements ItemVisitor
    {
        long items;
        long sum;
        long xor;

        void reset()
        {
            items = 0;
            sum = 0;
            xor = 0;
        }

        @Override
        public boolean visit(final ItemView item)
        {
            final long h = item.contentHash();
            items++;
            sum += h;
            xor ^= h;
            return true;
        }

        @Override
        public boolean endChunk()
        {
            return !closed;
        }
    }
}
