package io.wirekv.dataplane.table;

import io.wirekv.dataplane.proto.StoreSemantics;
import org.agrona.concurrent.CachedEpochClock;
import org.jetbrains.kotlinx.lincheck.LinChecker;
import org.jetbrains.kotlinx.lincheck.annotations.Operation;
import org.jetbrains.kotlinx.lincheck.annotations.Param;
import org.jetbrains.kotlinx.lincheck.annotations.Validate;
import org.jetbrains.kotlinx.lincheck.paramgen.IntGen;
import org.jetbrains.kotlinx.lincheck.strategy.managed.modelchecking.ModelCheckingOptions;
import org.jetbrains.kotlinx.lincheck.strategy.stress.StressOptions;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Lincheck over the real threading: every write operation is in one non-parallel group, so Lincheck runs
 * them on a single thread (the partitions' writer); gets run on the other threads as registered QSBR
 * readers that quiesce after each get. The sequential specification is the table itself.
 * <p>
 * Lincheck 2.39 bundles ASM 9.6, which cannot read JDK 25 class files; dataplane/pom.xml overrides ASM to
 * 9.9.1 in test scope. Model checking cannot see switch points on native (FFM) memory accesses, only on
 * Java fields, so it adds schedule coverage but not the memory-ordering checks: those are jcstress's job.
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
@Param(name = "key", gen = IntGen.class, conf = "0:2")
@Param(name = "value", gen = IntGen.class, conf = "0:9")
public class TableLincheckTest
{
    private static final MemorySegment[] KEYS = new MemorySegment[3];

    static
    {
        for (int i = 0; i < KEYS.length; i++)
        {
            KEYS[i] = MemorySegment.ofArray(("lin-key-" + i).getBytes(StandardCharsets.US_ASCII));
        }
    }

    /**
     * Lincheck walks the test object's fields and cannot read record fields through Unsafe on JDK 25, so
     * the table lives in a static registry and the instance holds only its id.
     */
    private static final class State
    {
        final CachedEpochClock clock = new CachedEpochClock();
        final Table table;
        final ThreadLocal<QsbrReader> reader = new ThreadLocal<>();
        final ItemView writerView = new ItemView();
        final StoreSemantics semantics = new StoreSemantics();

        State()
        {
            clock.update(1_700_000_000_000L);
            table = new Table(new TableConfig(2, 1L << 20, MemoryMode.STORE, 4096, false), clock, true);
        }
    }

    /** Separate class so that Lincheck's walk over the test class's static fields does not reach it. */
    private static final class Registry
    {
        static final java.util.concurrent.ConcurrentHashMap<Integer, State> STATES =
            new java.util.concurrent.ConcurrentHashMap<>();
        static final java.util.concurrent.atomic.AtomicInteger IDS = new java.util.concurrent.atomic.AtomicInteger();

        static State get(final int id)
        {
            return STATES.computeIfAbsent(id, i -> new State());
        }
    }

    private final int id = Registry.IDS.incrementAndGet();

    private State state()
    {
        return Registry.get(id);
    }

    private PartitionWriter writer(final int key)
    {
        final Table table = state().table;
        return table.writer(table.partitionOf(KEYS[key], 0, (int)KEYS[key].byteSize()));
    }

    private static MemorySegment digits(final int value)
    {
        return MemorySegment.ofArray(Integer.toString(value).getBytes(StandardCharsets.US_ASCII));
    }

    @Operation
    public String get(@Param(name = "key") final int key)
    {
        final State state = state();
        final Table table = state.table;
        QsbrReader r = state.reader.get();
        if (r == null)
        {
            r = table.registerReader(Thread.currentThread().getName());
            state.reader.set(r);
        }
        final ItemView view = new ItemView();
        final String result = table.get(KEYS[key], 0, (int)KEYS[key].byteSize(), view) ?
            new String(view.valueBytes(), StandardCharsets.US_ASCII) + "/" + view.cas() : null;
        r.quiescent();
        return result;
    }

    @Operation(nonParallelGroup = "writer")
    public int set(@Param(name = "key") final int key, @Param(name = "value") final int value)
    {
        final MemorySegment v = digits(value);
        return state().semantics.store(writer(key), StoreSemantics.MODE_SET, KEYS[key], 0, (int)KEYS[key].byteSize(),
            v, 0, (int)v.byteSize(), 0, 0, 0, state().writerView);
    }

    @Operation(nonParallelGroup = "writer")
    public int add(@Param(name = "key") final int key, @Param(name = "value") final int value)
    {
        final MemorySegment v = digits(value);
        return state().semantics.store(writer(key), StoreSemantics.MODE_ADD, KEYS[key], 0, (int)KEYS[key].byteSize(),
            v, 0, (int)v.byteSize(), 0, 0, 0, state().writerView);
    }

    /** cas with a small guessed CAS value (CAS numbers are deterministic per history). */
    @Operation(nonParallelGroup = "writer")
    public int cas(@Param(name = "key") final int key, @Param(name = "value") final int casGuess)
    {
        final MemorySegment v = digits(casGuess);
        return state().semantics.store(writer(key), StoreSemantics.MODE_CAS, KEYS[key], 0, (int)KEYS[key].byteSize(),
            v, 0, (int)v.byteSize(), 0, 0, casGuess, state().writerView);
    }

    @Operation(nonParallelGroup = "writer")
    public int delete(@Param(name = "key") final int key)
    {
        return state().semantics.delete(writer(key), KEYS[key], 0, (int)KEYS[key].byteSize(), 0);
    }

    @Operation(nonParallelGroup = "writer")
    public String incr(@Param(name = "key") final int key, @Param(name = "value") final int delta)
    {
        final ItemView view = state().writerView;
        final int status =
            state().semantics.arithmetic(writer(key), KEYS[key], 0, (int)KEYS[key].byteSize(), true, delta, view);
        return status == Status.STORED ? new String(view.valueBytes(), StandardCharsets.US_ASCII) : "status" + status;
    }

    @Validate
    public void close()
    {
        final State state = Registry.STATES.remove(id);
        if (state != null)
        {
            state.table.close();
        }
    }

    /**
     * Closes the tables no {@link #close} reached: Lincheck does not validate every instance it builds (4,960 of the
     * stress run's 9,424 were left, likely those of its sequential specification), and each held a 1 MiB table until
     * the JVM ended: about 5 GB.
     */
    @org.junit.jupiter.api.AfterEach
    void closeLeftoverTables()
    {
        for (final Integer leftover : List.copyOf(Registry.STATES.keySet()))
        {
            final State state = Registry.STATES.remove(leftover);
            if (state != null)
            {
                state.table.close();
            }
        }
    }

    @Test
    @org.junit.jupiter.api.Order(2)
    void shouldBeLinearizableUnderStress()
    {
        LinChecker.check(TableLincheckTest.class, new StressOptions()
            .iterations(15)
            .invocationsPerIteration(200)
            .threads(3)
            .actorsPerThread(3));
    }

    /** Runs first: Lincheck 2.39's static-memory snapshot fails (CME) if a stress run preceded it in the JVM. */
    @Test
    @org.junit.jupiter.api.Order(1)
    void shouldBeLinearizableUnderModelChecking()
    {
        LinChecker.check(TableLincheckTest.class, new ModelCheckingOptions()
            .iterations(8)
            .invocationsPerIteration(100)
            .threads(2)
            .actorsPerThread(3));
    }
}
