package io.wirekv.dataplane.replication;

import io.wirekv.dataplane.record.WriteReplyDescriptor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Properties;

/**
 * This node's replication state, shared by the writers (which refuse client writes by it and, in sync mode, hold
 * replies until the backup covers them), the sender and receiver agents and the admin commands:
 * <ul>
 *   <li>role and epoch, persisted in {@code data.dir/REPLICATION} (temp file, fsync, rename, fsync of the
 *       directory) whenever they change, so a promoted node stays at its epoch across a restart;</li>
 *   <li>fenced: a newer primary refused this one's stream; every client write is refused until a demote;</li>
 *   <li>per partition, the sequence the backup's acknowledgements cover (applied, or durable when the backup syncs
 *       its log), and whether a stream is up and since when it is down.</li>
 * </ul>
 * Threading: role, epoch and fencing change under this object's lock (admin commands, the sender on a refusal,
 * the receiver on a newer epoch) and are read with volatile loads; {@code covered} is written by the sender only.
 */
public final class ReplicationState
{
    public static final String FILE = "REPLICATION";
    private static final VarHandle COVERED = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle RECEIVER_CYCLES;

    static
    {
        try
        {
            RECEIVER_CYCLES = MethodHandles.lookup().findVarHandle(ReplicationState.class, "receiverCycles", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final ReplicationSettings settings;
    private final Path file;
    private final ReplicationCounters counters;
    private volatile ReplicationSettings.Role role;
    private volatile long epoch;
    private volatile String fencedReason;
    private volatile ReplicationSettings.HostPort peer;
    private volatile boolean connected;
    /** A promote is waiting for the writers to apply what the receiver queued: no stream is taken meanwhile. */
    private volatile boolean promoting;
    /** Through RECEIVER_CYCLES: the receiver's finished duty cycles. */
    @SuppressWarnings("unused")
    private long receiverCycles;
    /** System.nanoTime() when the stream went down (or start-up); meaningful while !connected. */
    private volatile long downSinceNs = System.nanoTime();
    private final long[] covered;

    private ReplicationState(final ReplicationSettings settings, final Path file, final long epoch,
        final int partitions, final ReplicationCounters counters)
    {
        this.settings = settings;
        this.file = file;
        this.counters = counters;
        this.role = settings.role();
        this.epoch = epoch;
        this.peer = settings.peer();
        this.covered = new long[partitions];
        counters.state(ReplicationCounters.EPOCH, epoch);
        counters.state(ReplicationCounters.ROLE, role.ordinal());
    }

    /**
     * Reads the persisted epoch from {@code dataDir/REPLICATION} (0 when absent) and takes the configured role.
     * @throws IllegalStateException naming the file when it cannot be read.
     */
    public static ReplicationState open(final ReplicationSettings settings, final Path dataDir, final int partitions,
        final ReplicationCounters counters)
    {
        final Path file = dataDir.resolve(FILE);
        long epoch = 0;
        if (Files.exists(file))
        {
            final Properties p = new Properties();
            try (var in = Files.newBufferedReader(file, StandardCharsets.US_ASCII))
            {
                p.load(in);
                epoch = Long.parseLong(p.getProperty("epoch", "0").trim());
            }
            catch (final IOException | NumberFormatException ex)
            {
                throw new IllegalStateException(file + " cannot be read: " + ex + " (it holds the replication epoch; " +
                    "restore it, or remove it to start at epoch 0 and let the primary full-sync this node)", ex);
            }
        }
        final ReplicationState state = new ReplicationState(settings, file, epoch, partitions, counters);
        state.persist();
        return state;
    }

    public ReplicationSettings settings()
    {
        return settings;
    }

    public ReplicationSettings.Role role()
    {
        return role;
    }

    public long epoch()
    {
        return epoch;
    }

    public ReplicationSettings.HostPort peer()
    {
        return peer;
    }

    /** The reason this node is fenced, or null. */
    public String fencedReason()
    {
        return fencedReason;
    }

    public boolean connected()
    {
        return connected;
    }

    public boolean promoting()
    {
        return promoting;
    }

    /** Receiver thread, at the end of each duty cycle: one more cycle done (the promote handshake counts them). */
    void receiverCycleDone()
    {
        RECEIVER_CYCLES.setRelease(this, receiverCycles + 1); // single writer: the receiver thread
    }

    /** Duty cycles the receiver has finished; any thread. */
    long receiverCycles()
    {
        return (long)RECEIVER_CYCLES.getAcquire(this); // acquire: pairs with setRelease in receiverCycleDone
    }

    void promoting(final boolean on)
    {
        promoting = on;
    }

    // ------------------------------------------------------------------------------------------ writers

    /**
     * A partition writer, before a client write touches the table: the {@link WriteReplyDescriptor} status that
     * refuses it, or -1 when it may go on. Allocation-free.
     */
    public int clientWriteRefusal()
    {
        final ReplicationSettings.Role r = role;
        if (r == ReplicationSettings.Role.BACKUP)
        {
            return WriteReplyDescriptor.STATUS_REPLICA_READ_ONLY;
        }
        if (r == ReplicationSettings.Role.PRIMARY)
        {
            if (null != fencedReason)
            {
                return WriteReplyDescriptor.STATUS_FENCED;
            }
            if (settings.mode() == ReplicationSettings.Mode.SYNC && !connected)
            {
                return WriteReplyDescriptor.STATUS_NO_BACKUP;
            }
        }
        return -1;
    }

    /** Sync mode on a primary: replies wait for the backup's acknowledgement. */
    public boolean holdsForBackup()
    {
        return settings.mode() == ReplicationSettings.Mode.SYNC && role == ReplicationSettings.Role.PRIMARY;
    }

    /** The highest sequence of {@code partition} the backup's acknowledgements cover (any thread). */
    public long covered(final int partition)
    {
        return (long)COVERED.getAcquire(covered, partition); // acquire: pairs with setRelease in cover
    }

    /** True when the stream has been down for longer than replication.sync.timeout at {@code nowNs}. */
    public boolean syncTimedOut(final long nowNs)
    {
        return !connected && nowNs - downSinceNs > settings.syncTimeoutMs() * 1_000_000L;
    }

    /**
     * A partition writer answered a held reply not acknowledged after replication.sync.timeout (counted in
     * {@code repl_writes_refused}; the sender puts the reason in the error log). The writer of {@code partition} only.
     */
    public void refusedAfterTimeout(final int partition)
    {
        counters.refused(partition);
    }

    // ------------------------------------------------------------------------------------------ sender / receiver

    void cover(final int partition, final long sequence)
    {
        COVERED.setRelease(covered, partition, sequence); // release: pairs with getAcquire in covered
    }

    void connected(final boolean up)
    {
        if (!up && connected)
        {
            downSinceNs = System.nanoTime();
        }
        connected = up;
        counters.state(ReplicationCounters.CONNECTED, up ? 1 : 0);
    }

    /** The sender was refused by a newer primary: writes are refused until a demote. */
    synchronized void fence(final String reason)
    {
        fencedReason = reason;
        counters.state(ReplicationCounters.FENCED, 1);
    }

    /** The receiver met a primary at a newer epoch: this backup adopts it (persisted before the HELLO_REPLY). */
    synchronized void adoptEpoch(final long newer)
    {
        if (newer > epoch)
        {
            epoch = newer;
            persist();
        }
    }

    /** promote: role primary at epoch + 1 (persisted first), unfenced; returns the new epoch. */
    synchronized long promote(final ReplicationSettings.HostPort newPeer)
    {
        epoch = epoch + 1;
        role = ReplicationSettings.Role.PRIMARY;
        if (null != newPeer)
        {
            peer = newPeer;
        }
        persist();
        promoting = false;
        fencedReason = null;
        counters.state(ReplicationCounters.FENCED, 0);
        return epoch;
    }

    /** demote: role backup (persisted), unfenced; the peer is the new primary's address (informational). */
    synchronized void demote(final ReplicationSettings.HostPort newPrimary)
    {
        role = ReplicationSettings.Role.BACKUP;
        peer = newPrimary;
        persist();
        fencedReason = null;
        counters.state(ReplicationCounters.FENCED, 0);
    }

    /** Writes epoch and role: temp file, fsync, rename over the old one, fsync of the directory. */
    private void persist()
    {
        final Path temp = file.resolveSibling(FILE + ".tmp");
        final String text = "epoch=" + epoch + "\nrole=" + role.name().toLowerCase() + "\n";
        try
        {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING))
            {
                ch.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
                ch.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ))
            {
                dir.force(true);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write " + file + " (the replication epoch)", ex);
        }
        counters.state(ReplicationCounters.EPOCH, epoch);
        counters.state(ReplicationCounters.ROLE, role.ordinal());
    }
}
