package io.wirekv.dataplane.table.jcstress;

import io.wirekv.dataplane.proto.StoreSemantics;
import io.wirekv.dataplane.table.ItemView;
import io.wirekv.dataplane.table.MemoryMode;
import io.wirekv.dataplane.table.PartitionWriter;
import io.wirekv.dataplane.table.QsbrReader;
import io.wirekv.dataplane.table.Table;
import io.wirekv.dataplane.table.TableConfig;
import io.wirekv.dataplane.table.TableJcstressAccess;
import org.agrona.concurrent.SystemEpochClock;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Publication: a reader racing a writer that replaces an item sees either the old item or the new one,
 * completely (length, first byte, last byte, flags all from the same item), never a partial one.
 * Result: (valueLength, first byte, last byte, clientFlags).
 */
@JCStressTest
@Outcome(id = "64, 120, 120, 1", expect = ACCEPTABLE, desc = "old item, complete")
@Outcome(id = "96, 121, 121, 2", expect = ACCEPTABLE, desc = "new item, complete")
@Outcome(expect = FORBIDDEN, desc = "partial, torn or freed item")
@State
public class ItemPublicationJcstressTest
{
    static final MemorySegment KEY = MemorySegment.ofArray("jcstress-key-001".getBytes());
    static final MemorySegment OLD_VALUE = filled(64, 'x');
    static final MemorySegment NEW_VALUE = filled(96, 'y');

    final Table table = TableJcstressAccess.newPoisoningTable(
        new TableConfig(1, 256 * 1024, MemoryMode.STORE, 1024, false), SystemEpochClock.INSTANCE);
    final PartitionWriter writer = table.writer(0);
    final QsbrReader reader = table.registerReader("jcstress-reader");
    final ItemView writerView = new ItemView();
    final StoreSemantics semantics = new StoreSemantics();
    final ItemView readerView = new ItemView();

    public ItemPublicationJcstressTest()
    {
        semantics.store(writer, StoreSemantics.MODE_SET, KEY, 0, 16, OLD_VALUE, 0, 64, 1, 0, 0, writerView);
    }

    static MemorySegment filled(final int length, final char c)
    {
        final byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte)c);
        return MemorySegment.ofArray(bytes);
    }

    @Actor
    public void write()
    {
        semantics.store(writer, StoreSemantics.MODE_SET, KEY, 0, 16, NEW_VALUE, 0, 96, 2, 0, 0, writerView);
    }

    @Actor
    public void read(final IIII_Result r)
    {
        if (table.get(KEY, 0, 16, readerView))
        {
            final int length = readerView.valueLength();
            r.r1 = length;
            r.r2 = readerView.segment().get(ValueLayout.JAVA_BYTE, readerView.valueOffset());
            r.r3 = readerView.segment().get(ValueLayout.JAVA_BYTE, readerView.valueOffset() + length - 1);
            r.r4 = readerView.clientFlags();
        }
        else
        {
            r.r1 = -1;
        }
        reader.quiescent();
    }

    @Arbiter
    public void close()
    {
        reader.close();
        table.close();
    }
}
