package io.wirekv.dataplane.table;

import io.wirekv.dataplane.proto.StoreSemantics;
import org.agrona.concurrent.CachedEpochClock;
import org.jetbrains.kotlinx.lincheck.LinChecker;
import org.jetbrains.kotlinx.lincheck.LincheckAssertionError;
import org.jetbrains.kotlinx.lincheck.annotations.Operation;
import org.jetbrains.kotlinx.lincheck.annotations.Param;
import org.jetbrains.kotlinx.lincheck.paramgen.IntGen;
import org.jetbrains.kotlinx.lincheck.strategy.managed.modelchecking.ModelCheckingOptions;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Negative control for {@link TableLincheckTest}: the same harness over a deliberately broken overwrite
 * (unlink, then publish: a reader can miss a key that always exists) must be rejected, which shows the
 * harness can see interleavings between the writer's steps on the real table.
 */
@Param(name = "value", gen = IntGen.class, conf = "1:9")
public class TableLincheckNegativeControlTest
{
    private static final MemorySegment KEY = MemorySegment.ofArray("neg-key".getBytes(StandardCharsets.US_ASCII));

    private static final class State
    {
        final Table table;
        final ThreadLocal<QsbrReader> reader = new ThreadLocal<>();
        final ItemView writerView = new ItemView();
        final StoreSemantics semantics = new StoreSemantics();

        State()
        {
            final CachedEpochClock clock = new CachedEpochClock();
            clock.update(1_700_000_000_000L);
            table = new Table(new TableConfig(1, 1L << 20, MemoryMode.STORE, 4096, false), clock, true);
            final MemorySegment v = MemorySegment.ofArray("0".getBytes(StandardCharsets.US_ASCII));
            semantics.store(table.writer(0), StoreSemantics.MODE_SET, KEY, 0, (int)KEY.byteSize(), v, 0, 1, 0, 0, 0,
                writerView);
        }
    }

    private static final class Registry
    {
        static final java.util.concurrent.ConcurrentHashMap<Integer, State> STATES =
            new java.util.concurrent.ConcurrentHashMap<>();
        static final java.util.concurrent.atomic.AtomicInteger IDS = new java.util.concurrent.atomic.AtomicInteger();
    }

    private final int id = Registry.IDS.incrementAndGet();

    private State state()
    {
        return Registry.STATES.computeIfAbsent(id, i -> new State());
    }

    @Operation
    public boolean present()
    {
        final State state = state();
        QsbrReader r = state.reader.get();
        if (r == null)
        {
            r = state.table.registerReader(Thread.currentThread().getName());
            state.reader.set(r);
        }
        final boolean hit = state.table.get(KEY, 0, (int)KEY.byteSize(), new ItemView());
        r.quiescent();
        return hit;
    }

    /** BROKEN on purpose: two publications where the real set makes one. */
    @Operation(nonParallelGroup = "writer")
    public void brokenSet(@Param(name = "value") final int value)
    {
        final State state = state();
        final PartitionWriter writer = state.table.writer(0);
        final MemorySegment v = MemorySegment.ofArray(Integer.toString(value).getBytes(StandardCharsets.US_ASCII));
        writer.unlink(KEY, 0, (int)KEY.byteSize());
        state.semantics.store(writer, StoreSemantics.MODE_SET, KEY, 0, (int)KEY.byteSize(), v, 0, (int)v.byteSize(), 0, 0, 0,
            state.writerView);
    }

    @Test
    void shouldRejectNonAtomicOverwrite()
    {
        final LincheckAssertionError error = assertThrows(LincheckAssertionError.class,
            () -> LinChecker.check(TableLincheckNegativeControlTest.class,
                new ModelCheckingOptions().iterations(30).invocationsPerIteration(200).threads(2).actorsPerThread(2)));
        org.junit.jupiter.api.Assertions.assertTrue(error.getMessage().contains("Invalid execution results"),
            "rejected as non-linearizable, not for another reason");
    }
}
