package io.wirekv.dataplane.writer;

import io.wirekv.dataplane.proto.WriteApplier;
import io.wirekv.dataplane.record.WriteReplyEncoder;
import io.wirekv.dataplane.ring.SpscMessageRing;
import io.wirekv.dataplane.ring.WriteRings;
import io.wirekv.dataplane.table.ClockTicker;
import io.wirekv.dataplane.table.PartitionWriter;
import io.wirekv.dataplane.table.Table;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;


/**
 * The single writer of the partitions {@code p} with {@code p % writers == index}. Each duty
 * cycle it drains the request ring from every reader, applies each write record through
 * {@link WriteApplier} and puts the binary reply on that reader's reply ring; once a millisecond it
 * runs the table's housekeeping (expiry sweep, eviction, reclamation of retired memory), so
 * that it neither steals a shared core in every idle cycle nor starves under constant writes.
 * <p>
 * A command is taken off its ring only when the reply ring back to its reader has room for the
 * largest possible reply, so a write is never applied without its reply being deliverable.
 */
public final class WriterAgent implements Agent
{
    private static final int COMMANDS_PER_READER_PER_CYCLE = 64;
    private static final int HOUSEKEEPING_BUDGET = 256;
    /** Expiry sweep, eviction and reclamation run this often whether or not writes keep coming. */
    private static final long HOUSEKEEPING_INTERVAL_NS = 1_000_000;

    private final int index;
    private final WriteRings rings;
    private final WriteApplier applier;
    private final PartitionWriter[] writersByPartition;
    private final int[] ownedPartitions;
    private final WriteReplyEncoder scratch;
    private final Arena scratchArena = Arena.ofShared();
    private final int maxReplyBytes;
    private final CommandHandler handler = new CommandHandler();
    private final NanoClock clock = SystemNanoClock.INSTANCE;
    private final ClockTicker clockTicker;
    private long nextHousekeepingNs;

    public WriterAgent(
        final int index, final Table table, final WriteRings rings, final WriteApplier applier, final int maxReplyBytes)
    {
        this(index, table, rings, applier, maxReplyBytes, null);
    }

    /** @param clockTicker ticked once per duty cycle (it reads the system clock at most every 100 us), or null when another writer ticks the table's clock. */
    public WriterAgent(
        final int index, final Table table, final WriteRings rings, final WriteApplier applier, final int maxReplyBytes,
        final ClockTicker clockTicker)
    {
        this.index = index;
        this.clockTicker = clockTicker;
        this.rings = rings;
        this.applier = applier;
        this.maxReplyBytes = maxReplyBytes;
        final int partitions = table.partitionCount();
        final int writers = rings.writers();
        this.writersByPartition = new PartitionWriter[partitions];
        this.ownedPartitions = new int[(partitions - index + writers - 1) / writers];
        for (int p = index, i = 0; p < partitions; p += writers, i++)
        {
            writersByPartition[p] = table.writer(p);
            ownedPartitions[i] = p;
        }
        this.scratch = new WriteReplyEncoder(scratchArena.allocate(maxReplyBytes, 64));
    }

    @Override
    public int doWork()
    {
        final long nowNs = clock.nanoTime(); // once per cycle: the table clock's tick and housekeeping
        if (null != clockTicker)
        {
            clockTicker.tick(nowNs);
        }
        int work = 0;
        for (int r = 0, readers = rings.readers(); r < readers; r++)
        {
            final SpscMessageRing request = rings.request(r, index);
            handler.request = request;
            handler.reply = rings.reply(r, index);
            work += request.ring().controlledRead(handler, COMMANDS_PER_READER_PER_CYCLE);
        }
        if (nowNs - nextHousekeepingNs >= 0)
        {
            nextHousekeepingNs = nowNs + HOUSEKEEPING_INTERVAL_NS;
            for (final int p : ownedPartitions)
            {
                work += writersByPartition[p].doHousekeeping(HOUSEKEEPING_BUDGET);
            }
        }
        return work;
    }

    @Override
    public void onClose()
    {
        scratchArena.close();
    }

    @Override
    public String roleName()
    {
        return "wirekv-writer-" + index;
    }

    private final class CommandHandler implements ControlledMessageHandler
    {
        SpscMessageRing request;
        SpscMessageRing reply;

        @Override
        public Action onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int offset, final int length)
        {
            if (reply.freeBytes() < maxReplyBytes + 64)
            {
                return Action.ABORT; // the reader has not drained its replies yet: retry next cycle
            }
            applier.apply(request.memory(), offset, length, scratch); // the ring's buffer wraps exactly this memory
            final int replyLength = scratch.length();
            final int at = reply.tryClaim(WriteRings.MSG_WRITE, replyLength);
            // Cannot fail: free space was checked above and only this thread produces on the ring.
            MemorySegment.copy(scratch.buffer(), 0, reply.memory(), at, replyLength);
            reply.commit(at);
            return Action.CONTINUE;
        }
    }
}
