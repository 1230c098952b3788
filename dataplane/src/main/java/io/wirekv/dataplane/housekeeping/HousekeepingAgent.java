package io.wirekv.dataplane.housekeeping;

import io.wirekv.dataplane.cnc.AdminProtocol;
import io.wirekv.dataplane.cnc.CncFile;
import io.wirekv.dataplane.cnc.CncFileDescriptor;
import io.wirekv.dataplane.cnc.CncMetric;
import io.wirekv.dataplane.cnc.CounterRegistry;
import io.wirekv.dataplane.cnc.CounterRegistryDescriptor;
import io.wirekv.dataplane.port.PortCounters;
import io.wirekv.dataplane.table.TableCounters;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.function.LongSupplier;

/**
 * The appliance's low-rate housekeeping duty cycle, on its own thread (never an lcore's):
 * <ol>
 *   <li>drain admin commands from the CnC command ring (a few per cycle) and answer each on the
 *       response broadcast with its correlation id;</li>
 *   <li>once per period (100 ms by default): publish the gauges computed from a clock ({@link #PUBLISHED}:
 *       the table's grace-period age and stalled readers, see {@link TableCounters}, and the uptime), record
 *       newly seen dataplane drops and I/O errors in the distinct error log, and write the heartbeat.</li>
 * </ol>
 * Every counter, the table's included, is a slot of the CnC file's {@link CounterRegistry} that the counting
 * thread writes itself; this thread copies none of them, only reads the port counters and malformed frames
 * (opaque loads) to notice new errors.
 * <p>
 * The heartbeat means "the dataplane is making progress": it is written only when the dataplane's clock
 * (the table's cached clock, ticked by writer 0's duty cycle) has moved since the previous period, so a
 * stuck writer and a stuck housekeeping thread both show as a stale heartbeat.
 */
public final class HousekeepingAgent implements Agent
{
    /** Default period between publications of {@link #PUBLISHED} and heartbeats. */
    public static final long PERIOD_MS = 100;
    /**
     * What this thread publishes, in its own registry block, in this order: gauges computed from a clock, not
     * counts anyone keeps; every other metric is a slot its counting thread writes.
     */
    static final CncMetric[] PUBLISHED = {
        CncMetric.GRACE_PERIOD_AGE_MS, CncMetric.STALLED_READERS, CncMetric.UPTIME_SECONDS};
    private static final int COMMANDS_PER_CYCLE = 4;

    private final CncFile cnc;
    private final CncSources sources;
    private final EpochClock clock;
    private final LongSupplier dataplaneClock;
    private final long periodMs;
    private final LoopbackAdmin admin;
    private final Runnable shutdown;
    private final SnapshotCommand snapshots;
    private final DigestCommand digests;
    private final ReplicationCommands replication;
    /**
     * Snapshot, digest, promote and demote commands, answered once their work on another thread is done (this
     * thread only).
     */
    private final java.util.List<PendingAnswer> pendingAnswers = new java.util.ArrayList<>();
    private final AtomicBuffer counterValues;
    private final int publishedOffset;
    private final long[] lastMalformed;
    private final long[] lastRxErrors;
    private final long[] lastTxErrors;
    private final MalformedFrames[] malformedErrors;
    private final long[] lastNotAllowed;
    private final long[] lastCapped;
    private final GuardRefusal[] notAllowedErrors;
    private final GuardRefusal[] cappedErrors;
    private final MutableDirectBuffer responseBuffer =
        new UnsafeBuffer(new byte[CncFileDescriptor.RESPONSE_BUFFER_CAPACITY / 8]);
    private final MessageHandler commandHandler = this::onCommand;
    private long nextPeriodMs;
    private long lastDataplaneMs = Long.MIN_VALUE;
    private boolean shutdownRequested;

    /**
     * Allocates the counters it publishes in the file's registry (on the constructing thread).
     *
     * @param dataplaneClock the table's cached clock, advanced by the dataplane's duty cycle.
     * @param listenAddress  where the admin executor reaches the server's TCP listener.
     * @param tcpPort        the bound TCP port, -1 when TCP is disabled.
     * @param shutdown       starts an orderly shutdown of the server from another thread.
     */
    public HousekeepingAgent(
        final CncFile cnc, final CncSources sources, final EpochClock clock, final LongSupplier dataplaneClock,
        final long periodMs, final String listenAddress, final int tcpPort, final Runnable shutdown)
    {
        this(cnc, sources, clock, dataplaneClock, periodMs, listenAddress, tcpPort, shutdown, null, null, null);
    }

    /**
     * @param snapshots   the {@code snapshot} command's action, or null without persistence (the command fails).
     * @param digests     the {@code digest} command's action, or null (the command fails).
     * @param replication the promote/demote/replication commands' actions, or null without replication (they fail).
     */
    public HousekeepingAgent(
        final CncFile cnc, final CncSources sources, final EpochClock clock, final LongSupplier dataplaneClock,
        final long periodMs, final String listenAddress, final int tcpPort, final Runnable shutdown,
        final SnapshotCommand snapshots, final DigestCommand digests, final ReplicationCommands replication)
    {
        this.snapshots = snapshots;
        this.digests = digests;
        this.replication = replication;
        this.cnc = cnc;
        this.sources = sources;
        this.clock = clock;
        this.dataplaneClock = dataplaneClock;
        this.periodMs = periodMs;
        this.admin = new LoopbackAdmin(listenAddress, tcpPort);
        this.shutdown = shutdown;
        final CounterRegistry registry = cnc.counters();
        this.counterValues = registry.values();
        this.publishedOffset = registry.allocate(
            PUBLISHED, CounterRegistryDescriptor.NONE, CounterRegistryDescriptor.NONE, 1);
        final int lcores = sources.lcores();
        this.lastMalformed = new long[lcores];
        this.lastRxErrors = new long[lcores];
        this.lastTxErrors = new long[lcores];
        this.malformedErrors = new MalformedFrames[lcores];
        this.lastNotAllowed = new long[lcores];
        this.lastCapped = new long[lcores];
        this.notAllowedErrors = new GuardRefusal[lcores];
        this.cappedErrors = new GuardRefusal[lcores];
        for (int i = 0; i < lcores; i++)
        {
            malformedErrors[i] = new MalformedFrames(i);
            notAllowedErrors[i] = new GuardRefusal(i, "UDP datagrams dropped: their source is outside udp.allow " +
                "(counted in udp_dropped_not_allowed); to serve it, add its network to udp.allow");
            cappedErrors[i] = new GuardRefusal(i, "UDP replies capped to a source not validated by a TCP connection: " +
                "larger than udp.unvalidated.reply.factor times the request (counted in udp_replies_capped), or over " +
                "udp.unvalidated.reply.rate bytes/s (counted in udp_replies_rate_limited); a client that holds a TCP " +
                "connection to the server is not capped, or set udp.unvalidated.reply.factor = 0 and " +
                "udp.unvalidated.reply.rate = 0");
        }
        publish(clock.time());
    }

    /** How many counters this agent registers. */
    public static int counterCount()
    {
        return PUBLISHED.length;
    }

    /** Bytes of value blocks this agent allocates. */
    public static int valuesBytes()
    {
        return CounterRegistryDescriptor.blockLength(PUBLISHED.length);
    }

    @Override
    public int doWork()
    {
        int work = shutdownRequested ? 0 : cnc.commandRing().read(commandHandler, COMMANDS_PER_CYCLE);
        final long nowMs = clock.time();
        if (!pendingAnswers.isEmpty())
        {
            work += answerPending(nowMs);
        }
        if (nowMs >= nextPeriodMs)
        {
            publish(nowMs);
            work++;
        }
        return work;
    }

    @Override
    public String roleName()
    {
        return "wirekv-housekeeping";
    }

    private void publish(final long nowMs)
    {
        nextPeriodMs = nowMs + periodMs;
        for (int k = 0; k < PUBLISHED.length; k++)
        {
            // opaque: this thread owns the block; pairs with getLongOpaque in CounterRegistryReader.value
            counterValues.putLongOpaque(publishedOffset + k * Long.BYTES, read(PUBLISHED[k], nowMs));
        }
        recordDataplaneErrors();
        final long dataplaneMs = dataplaneClock.getAsLong();
        if (dataplaneMs != lastDataplaneMs)
        {
            lastDataplaneMs = dataplaneMs;
            cnc.heartbeat(nowMs);
        }
    }

    private long read(final CncMetric metric, final long nowMs)
    {
        final TableCounters table = sources.table();
        return switch (metric)
        {
            case GRACE_PERIOD_AGE_MS -> table.gracePeriodAgeMs();
            case STALLED_READERS -> table.stalledReaders();
            case UPTIME_SECONDS -> Math.max(0, nowMs - sources.startMs()) / 1000;
            default -> throw new IllegalStateException(metric + " is a registry slot, not published here");
        };
    }

    /** Drops and I/O errors the lcores counted since the last period become (de-duplicated) error log entries. */
    private void recordDataplaneErrors()
    {
        for (int i = 0; i < sources.lcores(); i++)
        {
            final long malformed = sources.malformed().applyAsLong(i);
            if (malformed > lastMalformed[i])
            {
                lastMalformed[i] = malformed;
                cnc.errorLog().record(malformedErrors[i]);
            }
            final long notAllowed = sources.notAllowed().applyAsLong(i);
            if (notAllowed > lastNotAllowed[i])
            {
                lastNotAllowed[i] = notAllowed;
                cnc.errorLog().record(notAllowedErrors[i]);
            }
            final long capped = sources.capped().applyAsLong(i);
            if (capped > lastCapped[i])
            {
                lastCapped[i] = capped;
                cnc.errorLog().record(cappedErrors[i]);
            }
            final PortCounters portCounters = sources.ports()[i].counters();
            final long rxErrors = portCounters.get(PortCounters.RX_ERRORS);
            if (rxErrors > lastRxErrors[i])
            {
                lastRxErrors[i] = rxErrors;
                cnc.errorLog().record(new PortError(i, "receive", portCounters.get(PortCounters.LAST_RX_ERRNO)));
            }
            final long txErrors = portCounters.get(PortCounters.TX_ERRORS);
            if (txErrors > lastTxErrors[i])
            {
                lastTxErrors[i] = txErrors;
                cnc.errorLog().record(new PortError(i, "send", portCounters.get(PortCounters.LAST_TX_ERRNO)));
            }
        }
    }

    private void onCommand(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final long correlationId = buffer.getLong(index + AdminProtocol.CORRELATION_ID_OFFSET);
        final LoopbackAdmin.Result result;
        if (msgTypeId == AdminProtocol.SHUTDOWN)
        {
            result = LoopbackAdmin.Result.ok("shutting down");
        }
        else if (msgTypeId == AdminProtocol.SNAPSHOT)
        {
            if (null == snapshots)
            {
                result = LoopbackAdmin.Result.error("persistence is none: there is no log to snapshot (start with " +
                    "--persistence async or sync and a --data-dir)");
            }
            else
            {
                // answered from doWork once durable: the housekeeping thread must not wait for the disk
                pendingAnswers.add(new PendingAnswer(correlationId, "snapshot", snapshots.snapshotAll(),
                    clock.time() + SNAPSHOT_TIMEOUT_MS));
                return;
            }
        }
        else if (msgTypeId == AdminProtocol.DIGEST && null != digests && length >= AdminProtocol.EXPTIME_OFFSET)
        {
            // answered from doWork: the scan runs on a thread of its own
            pendingAnswers.add(new PendingAnswer(correlationId, "digest",
                digests.digest(buffer.getInt(index + AdminProtocol.FLAGS_OFFSET)), clock.time() + SNAPSHOT_TIMEOUT_MS));
            return;
        }
        else if (msgTypeId == AdminProtocol.DIGEST)
        {
            result = LoopbackAdmin.Result.error(null == digests ? "this server computes no digests" :
                "malformed digest command (" + length + " bytes)");
        }
        else if (msgTypeId == AdminProtocol.PROMOTE || msgTypeId == AdminProtocol.DEMOTE ||
            msgTypeId == AdminProtocol.REPLICATION_STATUS)
        {
            if (null == replication)
            {
                result = LoopbackAdmin.Result.error("replication.role is none: start with --replication-role " +
                    "primary or backup (and persistence async or sync)");
            }
            else if (msgTypeId == AdminProtocol.REPLICATION_STATUS)
            {
                result = LoopbackAdmin.Result.ok(replication.status());
            }
            else
            {
                final String peer = length >= AdminProtocol.KEY_OFFSET && fits(buffer, index, length) ?
                    AdminProtocol.text(AdminProtocol.key(buffer, index)) : "";
                final boolean promote = msgTypeId == AdminProtocol.PROMOTE;
                pendingAnswers.add(new PendingAnswer(correlationId, promote ? "promote" : "demote",
                    promote ? replication.promote(peer) : replication.demote(peer), clock.time() + SNAPSHOT_TIMEOUT_MS));
                return;
            }
        }
        else if (length < AdminProtocol.KEY_OFFSET || !fits(buffer, index, length))
        {
            result = LoopbackAdmin.Result.error("malformed admin command (type " + msgTypeId + ", " + length + " bytes)");
        }
        else
        {
            result = admin.execute(msgTypeId, AdminProtocol.key(buffer, index), AdminProtocol.value(buffer, index),
                buffer.getInt(index + AdminProtocol.FLAGS_OFFSET), buffer.getInt(index + AdminProtocol.EXPTIME_OFFSET));
        }
        respond(correlationId, result);
        if (msgTypeId == AdminProtocol.SHUTDOWN && !shutdownRequested)
        {
            shutdownRequested = true;
            shutdown.run();
        }
    }

    /**
     * The longest a pending command (snapshot, digest, promote, demote) waits before an error answers it (its work
     * goes on).
     */
    static final long SNAPSHOT_TIMEOUT_MS = 600_000;

    private record PendingAnswer(long correlationId, String what, java.util.concurrent.CompletableFuture<String> result,
        long deadlineMs)
    {
    }

    private int answerPending(final long nowMs)
    {
        int answered = 0;
        for (final java.util.Iterator<PendingAnswer> it = pendingAnswers.iterator(); it.hasNext(); )
        {
            final PendingAnswer p = it.next();
            if (p.result().isDone())
            {
                LoopbackAdmin.Result result;
                try
                {
                    result = LoopbackAdmin.Result.ok(p.result().join());
                }
                catch (final java.util.concurrent.CompletionException | java.util.concurrent.CancellationException ex)
                {
                    final Throwable cause = null != ex.getCause() ? ex.getCause() : ex;
                    result = LoopbackAdmin.Result.error(p.what() + " failed: " + cause.getMessage());
                }
                respond(p.correlationId(), result);
            }
            else if (nowMs >= p.deadlineMs())
            {
                respond(p.correlationId(), LoopbackAdmin.Result.error("the " + p.what() + " did not finish within " +
                    SNAPSHOT_TIMEOUT_MS / 1000 + " s; it goes on, see wirekv status"));
            }
            else
            {
                continue;
            }
            it.remove();
            answered++;
        }
        return answered;
    }

    private static boolean fits(final DirectBuffer buffer, final int index, final int length)
    {
        final long keyLength = buffer.getInt(index + AdminProtocol.KEY_LENGTH_OFFSET);
        final long valueLength = buffer.getInt(index + AdminProtocol.VALUE_LENGTH_OFFSET);
        return keyLength >= 0 && valueLength >= 0 && AdminProtocol.KEY_OFFSET + keyLength + valueLength <= length;
    }

    private void respond(final long correlationId, final LoopbackAdmin.Result result)
    {
        final int max = cnc.responses().maxMsgLength() - AdminProtocol.PAYLOAD_OFFSET;
        final LoopbackAdmin.Result sent = result.payload().length <= max ? result : LoopbackAdmin.Result.error(
            "the value is " + result.payload().length + " bytes, more than the admin channel carries (" + max +
            "); read it with 'wirekv get'");
        final int length = AdminProtocol.encodeResponse(
            responseBuffer, correlationId, sent.status(), sent.flags(), sent.payload());
        cnc.responses().transmit(AdminProtocol.RESPONSE, responseBuffer, 0, length);
    }

    /** One per lcore, recorded again each period with new drops: the error log counts the periods. */
    static final class MalformedFrames extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        MalformedFrames(final int lcore)
        {
            super("lcore " + lcore + ": UDP frames dropped as malformed (not a single-datagram memcached request; " +
                "the count is in malformed_frames{lcore=\"" + lcore + "\"})", null, false, false);
        }

        @Override
        public String toString()
        {
            return getMessage(); // the error log shows the message, not this class's name
        }
    }

    /** What the amplification guard refused on one lcore, recorded again each period with new refusals. */
    static final class GuardRefusal extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        GuardRefusal(final int lcore, final String what)
        {
            super("lcore " + lcore + ": " + what, null, false, false);
        }

        @Override
        public String toString()
        {
            return getMessage();
        }
    }

    /** A port's receive or send error, by errno (distinct per lcore, direction and errno). */
    static final class PortError extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        PortError(final int lcore, final String direction, final long errno)
        {
            super("lcore " + lcore + " port 0: " + direction + " failed with errno " + errno +
                " (counted in " + (direction.equals("send") ? "tx" : "rx") + "_errors)", null, false, false);
        }

        @Override
        public String toString()
        {
            return getMessage();
        }
    }
}
