package io.wirekv.dataplane.replication;

import io.wirekv.dataplane.cnc.CounterRegistry;
import io.wirekv.dataplane.log.DataDirectory;
import io.wirekv.dataplane.log.Durability;
import io.wirekv.dataplane.log.PartitionLog;
import io.wirekv.dataplane.log.PersistenceSettings;
import io.wirekv.dataplane.snapshot.SnapshotDirectory;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A node's replication, assembled at start-up after recovery: its {@link ReplicationState} (role, epoch from
 * {@code data.dir/REPLICATION}), the rings to the writers, the listener ({@code replication.listen}) and one thread,
 * {@code wirekv-replication}, that runs the {@link ReplicationSenderAgent} (active while this node is an unfenced
 * primary with a peer) and the {@link ReplicationReceiverAgent} (when it listens; it takes a stream only as a
 * backup). Run-time roles change by {@link #promote} and {@link #demote} (the admin commands).
 * <p>
 * The transport is behind {@link ReplicationChannel}, made by the settings' {@link ReplicationConnector} (TCP, or
 * RDMA set up over TCP: the {@code rdma} package); the partition tests drive two processes through
 * {@code replication.listen}/{@code replication.peer} and read {@link #statusText()} ({@code wirekv replication} /
 * {@code wirekv status}).
 */
public final class Replication implements AutoCloseable, io.wirekv.dataplane.housekeeping.ReplicationCommands
{
    private final ReplicationSettings settings;
    private final ReplicationState state;
    private final ReplicationCounters counters;
    private final ReplicationRings rings;
    private final DataDirectory directory;
    private final List<PartitionLog> logs;
    private final ReplicationSenderAgent sender;
    private final ReplicationReceiverAgent receiver;
    private final TcpReplicationListener listener;
    private final List<String> notes;
    private AgentRunner runner;

    private Replication(final ReplicationSettings settings, final ReplicationState state,
        final ReplicationCounters counters, final ReplicationRings rings, final Durability durability,
        final ReplicationSenderAgent sender, final ReplicationReceiverAgent receiver,
        final TcpReplicationListener listener, final List<String> notes)
    {
        this.settings = settings;
        this.state = state;
        this.counters = counters;
        this.rings = rings;
        this.directory = durability.directory();
        this.logs = durability.logs();
        this.sender = sender;
        this.receiver = receiver;
        this.listener = listener;
        this.notes = notes;
    }

    /**
     * Before recovery: a partition whose full sync did not complete (its marker is there) is emptied (log segments
     * and snapshots deleted; the marker stays), so recovery starts it empty and the primary full-syncs it again
     * rather than this node serving half a partition as if whole.
     * @return the start-up report's notes.
     */
    public static List<String> prepare(final ReplicationSettings settings, final PersistenceSettings persistence,
        final int partitions)
    {
        final List<String> notes = new ArrayList<>();
        if (!settings.enabled() || null == persistence.dataDir())
        {
            return notes;
        }
        final Path logDir = persistence.dataDir().resolve(DataDirectory.LOG_DIR);
        for (int p = 0; p < partitions; p++)
        {
            final Path dir = logDir.resolve("p" + p);
            if (Files.exists(ReplicationRings.marker(dir)))
            {
                try (var files = Files.list(dir))
                {
                    for (final Path f : files.toList())
                    {
                        if (f.getFileName().toString().endsWith(".log"))
                        {
                            Files.delete(f);
                        }
                    }
                    new SnapshotDirectory(persistence.dataDir().resolve(DataDirectory.SNAPSHOT_DIR))
                        .deleteOlder(p, Long.MAX_VALUE);
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException("replication: cannot empty partition " + p +
                        " after an incomplete full sync", ex);
                }
                notes.add("partition " + p + ": incomplete full sync, needs a full sync (started empty; the primary " +
                    "sends it whole)");
            }
        }
        return notes;
    }

    /**
     * Registers replication's counters (always, so every metric is listed) and, unless the role is none, opens the
     * state, binds replication.listen and builds the agents; {@link #startThread} starts them once the writers run.
     * @return null with replication.role = none.
     * @throws IllegalStateException naming the key and the fix (the listen address taken, the state file unreadable).
     */
    public static Replication create(final ReplicationSettings settings, final List<String> notes,
        final io.wirekv.dataplane.table.Table table, final Durability durability, final CounterRegistry registry,
        final String nodeName, final int writers, final ErrorHandler errors)
    {
        final int maxRecordBytes = io.wirekv.dataplane.record.WriteRecordDescriptor.recordLength(
            io.wirekv.dataplane.record.WriteRecordDescriptor.KEY_MAX_LENGTH, table.config().itemSizeMaxBytes());
        final ReplicationCounters counters = new ReplicationCounters(registry, table.partitionCount());
        if (!settings.enabled())
        {
            return null;
        }
        final ReplicationState state = ReplicationState.open(settings, durability.directory().root(),
            table.partitionCount(), counters);
        final ReplicationRings rings = new ReplicationRings(writers, table.partitionCount(), maxRecordBytes);
        final TcpReplicationListener listener = null != settings.listen() ?
            new TcpReplicationListener(settings.listen(), settings.transport(), errors) : null;
        final ReplicationSenderAgent sender = new ReplicationSenderAgent(table, state, counters, durability.logs(),
            durability.directory(), settings.transport(), nodeName, maxRecordBytes, errors);
        final ReplicationReceiverAgent receiver = null == listener ? null : new ReplicationReceiverAgent(table, state,
            counters, rings, durability.logs(), durability.directory(), listener, durability.holdsReplies(),
            maxRecordBytes, () -> durability.snapshotAll(), errors);
        return new Replication(settings, state, counters, rings, durability, sender, receiver, listener, notes);
    }

    /** {@link #startThread} of {@code replication} unless it is null (replication.role = none). */
    public static void startThread(final Replication replication, final ErrorHandler errors)
    {
        if (null != replication)
        {
            replication.startThread(errors);
        }
    }

    /**
     * Starts {@code wirekv-replication}: a thread of its own, never an lcore's. Idle, it backs off to sleeping up to
     * 1 ms (a fixed 50 us sleep cost each side some 20,000 wake-ups and socket reads a second, measured to take a
     * good part of a shared core); with work it stays awake, so sync mode's round trip is not a sleep per step. It
     * yields rather than spins first: a spinning thread keeps the writer it waits for off a shared core.
     */
    public void startThread(final ErrorHandler errors)
    {
        // the ACK watch reports a connected backup that stopped acknowledging (sync mode) to the error log
        final BackupAckWatch ackWatch = new BackupAckWatch(state, logs, errors);
        final org.agrona.concurrent.Agent agent = null == receiver ? new CompositeAgent(sender, ackWatch) :
            new CompositeAgent(sender, receiver, ackWatch);
        runner = new AgentRunner(new org.agrona.concurrent.BackoffIdleStrategy(0, 20, 1_000, 1_000_000), errors, null,
            agent);
        AgentRunner.startOnThread(runner);
    }

    public ReplicationState state()
    {
        return state;
    }

    public ReplicationCounters counters()
    {
        return counters;
    }

    public ReplicationRings rings()
    {
        return rings;
    }

    public DataDirectory directory()
    {
        return directory;
    }

    /** The replication thread's id (allocation tests), or -1 before it started. */
    public long threadId()
    {
        return null == runner || null == runner.thread() ? -1 : runner.thread().threadId();
    }

    /** The listener's bound port, or -1 without replication.listen. */
    public int listenPort()
    {
        return null == listener ? -1 : listener.port();
    }

    /**
     * {@code wirekv promote}: on a backup, stops applying the stream, persists epoch + 1 and role primary, and accepts
     * writes; pushes to {@code peer} (or replication.peer) when one is known. Any thread; completes at once.
     */
    public synchronized CompletableFuture<String> promote(final ReplicationSettings.HostPort peer)
    {
        if (state.role() != ReplicationSettings.Role.BACKUP || state.promoting())
        {
            return CompletableFuture.failedFuture(new IllegalStateException("this node is " +
                state.role().name().toLowerCase() + " at epoch " + state.epoch() + ", not a backup: nothing to promote"));
        }
        // the receiver drops the stream first; records already checked and queued are applied before any client write
        state.promoting(true);
        return CompletableFuture.supplyAsync(() -> promoteOnceDrained(peer),
            r -> Thread.ofPlatform().name("wirekv-promote").start(r));
    }

    private String promoteOnceDrained(final ReplicationSettings.HostPort peer)
    {
        final long deadline = System.nanoTime() + 30_000_000_000L;
        // the receiver may be midway through a cycle that began before it could see promoting and still be queueing
        // records: wait for the end of the next whole cycle (which sees promoting and queues nothing), then drain.
        // Without it, a record could reach a writer after the rings looked empty, and land after the first client
        // writes of the new primary (the 500-cycle failover test saw keys appear after promotion).
        final long cycle = state.receiverCycles();
        while (null != receiver && state.receiverCycles() < cycle + 2 && System.nanoTime() - deadline < 0)
        {
            java.util.concurrent.locks.LockSupport.parkNanos(100_000);
        }
        for (int w = 0; w < rings.writers(); w++)
        {
            while (rings.ring(w).ring().size() > 0 && System.nanoTime() - deadline < 0)
            {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
        }
        final long epoch = state.promote(peer);
        sender.resume();
        final ReplicationSettings.HostPort pushTo = state.peer();
        return "promoted: role primary, epoch " + epoch + "; accepting writes; " +
            (null == pushTo ? "no peer to push to (give wirekv promote --peer host:port, or demote/restart the old " +
                "primary as a backup and promote with its address)" : "pushing to " + pushTo);
    }

    /**
     * {@code wirekv demote}: on a primary (fenced or not), stops sending, becomes a backup listening on
     * replication.listen; the new primary full-syncs it because the epochs differ.
     */
    public synchronized CompletableFuture<String> demote(final ReplicationSettings.HostPort newPrimary)
    {
        if (null == listener)
        {
            return CompletableFuture.failedFuture(new IllegalStateException("this node has no replication.listen: " +
                "set replication.listen / --replication-listen and restart it with --replication-role backup"));
        }
        if (state.role() == ReplicationSettings.Role.BACKUP)
        {
            return CompletableFuture.failedFuture(new IllegalStateException("this node is already a backup (epoch " +
                state.epoch() + ")"));
        }
        state.demote(newPrimary);
        return CompletableFuture.completedFuture("demoted: role backup at epoch " + state.epoch() + ", listening on " +
            settings.listen() + (null == newPrimary ? "" : "; the primary is " + newPrimary) +
            "; client writes are refused");
    }

    @Override
    public CompletableFuture<String> promote(final String peer)
    {
        final ReplicationSettings.HostPort address = parsePeer(peer);
        return null == address && !peer.isBlank() ? badPeer(peer) : promote(address);
    }

    @Override
    public CompletableFuture<String> demote(final String peer)
    {
        final ReplicationSettings.HostPort address = parsePeer(peer);
        return null == address && !peer.isBlank() ? badPeer(peer) : demote(address);
    }

    @Override
    public String status()
    {
        return statusText();
    }

    private static ReplicationSettings.HostPort parsePeer(final String peer)
    {
        return peer.isBlank() ? null : ReplicationSettings.HostPort.parse(peer);
    }

    private static CompletableFuture<String> badPeer(final String peer)
    {
        return CompletableFuture.failedFuture(new IllegalArgumentException("--peer " + peer +
            " is not host:port (e.g. 10.0.0.2:11311)"));
    }

    /** {@code wirekv replication} and the replication lines of {@code wirekv status}. */
    public String statusText()
    {
        final StringBuilder sb = new StringBuilder();
        sb.append(String.format("replication  role %s, mode %s, epoch %d, peer %s, listen %s, %s%n",
            state.role().name().toLowerCase(), settings.mode().name().toLowerCase(), state.epoch(),
            null == state.peer() ? "-" : state.peer(), null == settings.listen() ? "-" : settings.listen(),
            state.connected() ? "connected" : "not connected"));
        if (null != state.fencedReason())
        {
            sb.append("fenced       ").append(state.fencedReason()).append("; run wirekv demote\n");
        }
        if (state.role() == ReplicationSettings.Role.PRIMARY)
        {
            sb.append(String.format("lag          %d records, %d ms; %d records sent, %d full syncs, %d partial resumes, " +
                    "%d connection drops%n", counters.senderValue(ReplicationCounters.LAG_RECORDS),
                counters.senderValue(ReplicationCounters.LAG_MS), counters.senderValue(ReplicationCounters.SENT_RECORDS),
                counters.senderValue(ReplicationCounters.FULL_SYNCS),
                counters.senderValue(ReplicationCounters.PARTIAL_RESUMES),
                counters.senderValue(ReplicationCounters.SENDER_DROPS)));
            for (int p = 0; p < logs.size(); p++)
            {
                final long appended = logs.get(p).appendedSequence();
                final long covered = state.covered(p);
                sb.append(String.format("  partition %d: appended %d, acknowledged %d, lag %d records%n", p, appended,
                    covered, Math.max(0, appended - covered)));
            }
        }
        else
        {
            sb.append(String.format("applied      %d records received, %d connection drops%n",
                counters.receiverValue(ReplicationCounters.APPLIED_RECORDS),
                counters.receiverValue(ReplicationCounters.RECEIVER_DROPS)));
            for (int p = 0; p < logs.size(); p++)
            {
                sb.append(String.format("  partition %d: applied %d, durable %d%s%n", p, logs.get(p).appendedSequence(),
                    logs.get(p).durableSequence(), Files.exists(ReplicationRings.marker(directory.partitionLogDir(p))) ?
                        ", full sync incomplete" : ""));
            }
        }
        return sb.toString();
    }

    /** The start-up report's lines. */
    public List<String> describe()
    {
        final List<String> lines = new ArrayList<>();
        lines.add("replication: " + settings.describe() + ", epoch " + state.epoch() + " (" +
            directory.root().resolve(ReplicationState.FILE) + "), transport " + settings.transport().describe());
        notes.forEach(note -> lines.add("replication: " + note));
        return lines;
    }

    /** Stops the thread: before the writers stop, so the receiver never waits for a stopped writer. */
    public void stopThread()
    {
        sender.stop();
        CloseHelper.close(runner);
    }

    /** After the writers stopped: frees the rings (and the listener, if the thread never ran). */
    @Override
    public void close()
    {
        stopThread();
        if (null == runner)
        {
            CloseHelper.quietClose(listener);
        }
        rings.close();
    }
}
