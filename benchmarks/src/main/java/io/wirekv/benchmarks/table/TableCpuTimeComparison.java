package io.wirekv.benchmarks.table;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * A noise-resistant companion to {@link TableBenchmark} for a shared machine: the same data and the same
 * benchmark methods, but the variants run in interleaved rounds of {@code OPS} operations each and every
 * round is timed in the thread's CPU time, so time the thread spends descheduled by other tenants is not
 * counted. Prints the median ns/op of each variant and the median of the per-round ratios (each ratio taken
 * between neighbouring rounds, under the same conditions). {@code tableGetWithWriter} runs while a second
 * thread overwrites uniformly chosen keys; the reader's CPU time then includes the cost of the cache lines
 * the writer invalidates, not the time the two threads compete for a core.
 * <p>
 * Run: {@code java --enable-native-access=ALL-UNNAMED --add-exports java.base/jdk.internal.misc=ALL-UNNAMED
 * -Xmx3g -cp benchmarks/target/benchmarks.jar io.wirekv.benchmarks.table.TableCpuTimeComparison [rounds]}
 */
public final class TableCpuTimeComparison
{
    private static final int OPS = 1 << 20;
    private static final String[] VARIANTS =
        {"tableGet", "chmGet", "chmGetPrebuilt", "tableGetThreadLocal", "tableGetWithWriter", "keyLoadAndHash"};
    private static final int WITH_WRITER = 4;

    /** Overwrites uniformly chosen keys (TableBenchmark.mixedTableSet) until stopped; counts its writes. */
    private static final class Writer extends Thread
    {
        private final TableBenchmark benchmark;
        private final TableBenchmark.WriterState state = new TableBenchmark.WriterState();
        volatile boolean running = true;
        long writes;

        Writer(final TableBenchmark benchmark)
        {
            super("table-writer");
            this.benchmark = benchmark;
        }

        @Override
        public void run()
        {
            long n = 0;
            while (running)
            {
                benchmark.mixedTableSet(state);
                n++;
            }
            writes = n;
        }
    }

    private TableCpuTimeComparison()
    {
    }

    public static void main(final String[] args)
    {
        final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        final int variants = args.length > 1 ? Integer.parseInt(args[1]) : VARIANTS.length;
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (final String distribution : new String[]{"uniform", "zipf"})
        {
            final TableBenchmark b = new TableBenchmark();
            b.distribution = distribution;
            b.items = 1 << 20;
            b.hugepages = true; // as TableBenchmark's default (falls back to ordinary pages with a warning)
            b.setUp();
            final TableBenchmark.ReaderState state = new TableBenchmark.ReaderState();
            state.setUp(b);
            final long allocatedAtStart = b.table.allocatedBytes();
            final double[][] nsPerOp = new double[variants][rounds];
            long sink = 0;
            long writes = 0;
            for (int warm = 0; warm < 3; warm++)
            {
                for (int v = 0; v < variants; v++)
                {
                    sink += run(b, state, v);
                }
            }
            for (int r = 0; r < rounds; r++)
            {
                for (int v = 0; v < variants; v++)
                {
                    final Writer writer = v == WITH_WRITER ? new Writer(b) : null;
                    if (writer != null)
                    {
                        writer.start();
                    }
                    final long t0 = threads.getCurrentThreadCpuTime();
                    sink += run(b, state, v);
                    nsPerOp[v][r] = (threads.getCurrentThreadCpuTime() - t0) / (double)OPS;
                    if (writer != null)
                    {
                        writer.running = false;
                        join(writer);
                        writes += writer.writes;
                    }
                }
            }
            final long allocatedAtEnd = b.table.allocatedBytes();
            state.tearDown();
            b.tearDown();
            System.out.printf("%s (sink %d), %d rounds of %d ops, %d concurrent writes, table mapped %d -> %d MiB, "
                + "CPU ns/op median [min..max]:%n",
                distribution, sink & 1, rounds, OPS, writes, allocatedAtStart >> 20, allocatedAtEnd >> 20);
            for (int v = 0; v < variants; v++)
            {
                final double[] sorted = nsPerOp[v].clone();
                Arrays.sort(sorted);
                System.out.printf("  %-20s %7.1f ns/op [%6.1f..%6.1f]  %.2f ops/us%n",
                    VARIANTS[v], sorted[rounds / 2], sorted[0], sorted[rounds - 1], 1000 / sorted[rounds / 2]);
            }
            for (int v = 1; v < variants; v++)
            {
                final double[] ratios = new double[rounds];
                for (int r = 0; r < rounds; r++)
                {
                    ratios[r] = nsPerOp[v][r] / nsPerOp[0][r];
                }
                Arrays.sort(ratios);
                System.out.printf("  tableGet throughput / %-20s = %.2fx (median of per-round ratios)%n",
                    VARIANTS[v], ratios[rounds / 2]);
            }
        }
    }

    private static void join(final Thread thread)
    {
        try
        {
            thread.join();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static long run(final TableBenchmark b, final TableBenchmark.ReaderState state, final int variant)
    {
        long sink = 0;
        switch (variant)
        {
            case 0:
                for (int i = 0; i < OPS; i++)
                {
                    sink += b.tableGet(state);
                }
                break;
            case 1:
                for (int i = 0; i < OPS; i++)
                {
                    sink += b.chmGet(state);
                }
                break;
            case 2:
                for (int i = 0; i < OPS; i++)
                {
                    sink += b.chmGetPrebuilt(state);
                }
                break;
            case 3:
                for (int i = 0; i < OPS; i++)
                {
                    sink += b.tableGetThreadLocal(state);
                }
                break;
            case WITH_WRITER:
                for (int i = 0; i < OPS; i++)
                {
                    sink += b.mixedTableGet(state);
                }
                break;
            default:
                // the part of a get before the index: load the request's key bytes and hash them
                for (int i = 0; i < OPS; i++)
                {
                    final long keyOffset = TableBenchmark.requestOffset(state.cursor++);
                    sink += b.table.partitionOf(b.request, keyOffset, TableBenchmark.KEY_BYTES);
                }
                break;
        }
        return sink;
    }
}
