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
import org.openjdk.jcstress.infra.results.III_Result;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Reclamation: the writer replaces an item several times and reclaims as hard as it can, with freed
 * chunks poisoned (0xA5). A reader that found the old item before its quiescent state must still read
 * intact bytes: the old item is freed only after the reader's next quiescent state.
 * Result: (first byte, middle byte, last byte) of the value read; -1s for a miss (never happens here).
 */
@JCStressTest
@Outcome(id = "120, 120, 120", expect = ACCEPTABLE, desc = "original item, intact")
@Outcome(id = "121, 121, 121", expect = ACCEPTABLE, desc = "first replacement, intact")
@Outcome(id = "122, 122, 122", expect = ACCEPTABLE, desc = "second replacement, intact")
@Outcome(id = "123, 123, 123", expect = ACCEPTABLE, desc = "third replacement, intact")
@Outcome(expect = FORBIDDEN, desc = "read freed (poisoned) or mixed memory")
@State
public class ItemReclamationJcstressTest
{
    static final MemorySegment KEY = MemorySegment.ofArray("jcstress-key-002".getBytes());
    static final MemorySegment[] VALUES = {
        ItemPublicationJcstressTest.filled(64, 'x'),
        ItemPublicationJcstressTest.filled(64, 'y'),
        ItemPublicationJcstressTest.filled(64, 'z'),
        ItemPublicationJcstressTest.filled(64, '{')};

    final Table table = TableJcstressAccess.newPoisoningTable(
        new TableConfig(1, 256 * 1024, MemoryMode.STORE, 1024, false), SystemEpochClock.INSTANCE);
    final PartitionWriter writer = table.writer(0);
    final QsbrReader reader = table.registerReader("jcstress-reader");
    final ItemView writerView = new ItemView();
    final StoreSemantics semantics = new StoreSemantics();
    final ItemView readerView = new ItemView();

    public ItemReclamationJcstressTest()
    {
        semantics.store(writer, StoreSemantics.MODE_SET, KEY, 0, 16, VALUES[0], 0, 64, 0, 0, 0, writerView);
    }

    @Actor
    public void write()
    {
        for (int i = 1; i < VALUES.length; i++)
        {
            semantics.store(writer, StoreSemantics.MODE_SET, KEY, 0, 16, VALUES[i], 0, 64, 0, 0, 0, writerView);
            TableJcstressAccess.reclaim(table, 0);
        }
    }

    @Actor
    public void read(final III_Result r)
    {
        if (table.get(KEY, 0, 16, readerView))
        {
            final MemorySegment segment = readerView.segment();
            final long offset = readerView.valueOffset();
            final int length = readerView.valueLength();
            r.r1 = segment.get(ValueLayout.JAVA_BYTE, offset);
            r.r2 = segment.get(ValueLayout.JAVA_BYTE, offset + length / 2);
            r.r3 = segment.get(ValueLayout.JAVA_BYTE, offset + length - 1);
        }
        else
        {
            r.r1 = -1;
            r.r2 = -1;
            r.r3 = -1;
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
