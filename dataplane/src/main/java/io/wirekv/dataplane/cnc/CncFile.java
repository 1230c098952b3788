package io.wirekv.dataplane.cnc;

import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.broadcast.BroadcastTransmitter;
import org.agrona.concurrent.errors.DistinctErrorLog;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;

/**
 * The appliance's side of the CnC file (see {@link CncFileDescriptor} for the layout): creates and maps
 * it (directory 0700, file 0600, owned by the user running the appliance), hands out the counter
 * registry and Agrona's structures over its sections, and removes it on {@link #close()}.
 * <p>
 * Threading: created and closed by the thread that starts and stops the server; counters are allocated
 * at start-up and then written by their owner threads (see {@link CounterRegistry}); {@link #heartbeat},
 * the command ring's consumer side and the response transmitter are used by the housekeeping thread
 * only; the error log may be written from any thread (Agrona's DistinctErrorLog is thread safe).
 * {@link #close()} removes the file; the mapping itself is freed once nothing references its buffers
 * (counters may still be read, or even written, after close: they no longer reach any reader).
 */
public final class CncFile implements AutoCloseable
{
    private final Path path;
    private final Object fileKey;
    private final CncFileDescriptor.Buffers buffers;
    private final CounterRegistry counters;
    private final DistinctErrorLog errorLog;
    private final ManyToOneRingBuffer commandRing;
    private final BroadcastTransmitter responses;
    private final String replaced;
    private boolean closed;

    private CncFile(
        final Path path, final Object fileKey, final UnsafeBuffer file, final EpochClock clock,
        final String replaced)
    {
        this.path = path;
        this.fileKey = fileKey;
        this.buffers = CncFileDescriptor.Buffers.wrap(file);
        this.counters = new CounterRegistry(buffers.counterMetadata(), buffers.counterValues());
        this.errorLog = new DistinctErrorLog(buffers.errorLog(), clock, StandardCharsets.UTF_8);
        this.commandRing = new ManyToOneRingBuffer(buffers.commandRing());
        this.responses = new BroadcastTransmitter(buffers.responses());
        this.replaced = replaced;
    }

    /**
     * Creates the instance's CnC file. A file left by a crashed instance (its pid no longer alive) is
     * replaced; a file of a live process other than this one means the instance is running, and is refused.
     *
     * @param base       directory of the instance directories, e.g. /dev/shm.
     * @param instance   instance name (already validated: letters, digits, '.', '_', '-').
     * @param counters   how many counters (metadata records) the file must hold.
     * @param valuesBytes how many bytes of counter value blocks it must hold
     *                   (see {@link CounterRegistryDescriptor#blockLength}).
     * @param configText the concluded configuration, {@code key = value} lines.
     * @param clock      clock of the error log's first/last observation times.
     */
    public static CncFile create(
        final Path base, final String instance, final int counters, final int valuesBytes, final String configText,
        final EpochClock clock)
    {
        final Path file = CncFileDescriptor.cncFile(base, instance);
        final long pid = ProcessHandle.current().pid();
        final String replaced = checkNotRunning(file, instance, pid);
        final CncFileDescriptor.Sections sections = CncFileDescriptor.Sections.forCounters(counters, valuesBytes);
        // Automatic: the mapping lives while any view of it is reachable (every counter's buffer keeps the
        // ByteBuffer, which keeps the segment), so a counter read after close() reads memory, never a hole.
        final Arena arena = Arena.ofAuto();
        try
        {
            Files.createDirectories(file.getParent(),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.deleteIfExists(file);
            final MemorySegment mapped;
            try (FileChannel channel = FileChannel.open(file,
                java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))))
            {
                mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, sections.fileLength(), arena);
            }
            final Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
            final UnsafeBuffer buffer = new UnsafeBuffer(mapped.asByteBuffer());
            buffer.setMemory(0, CncFileDescriptor.HEADER_LENGTH, (byte)0);
            buffer.putInt(CncFileDescriptor.MAGIC_OFFSET, CncFileDescriptor.MAGIC);
            buffer.putLong(CncFileDescriptor.PID_OFFSET, pid);
            buffer.putLong(CncFileDescriptor.START_TIME_OFFSET, clock.time());
            buffer.putLong(CncFileDescriptor.HEARTBEAT_OFFSET, clock.time());
            sections.writeTo(buffer);
            CncFileDescriptor.putText(buffer, CncFileDescriptor.INSTANCE_NAME_LENGTH_OFFSET,
                CncFileDescriptor.INSTANCE_NAME_OFFSET, CncFileDescriptor.INSTANCE_NAME_CAPACITY, instance);
            CncFileDescriptor.putText(buffer, CncFileDescriptor.CONFIG_TEXT_LENGTH_OFFSET,
                CncFileDescriptor.CONFIG_TEXT_OFFSET, CncFileDescriptor.CONFIG_TEXT_CAPACITY, configText);
            return new CncFile(file, key, buffer, clock, replaced);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create the CnC file " + file + ": " + ex.getMessage() +
                " (is " + base + " a writable tmpfs? set -D" + CncFileDescriptor.DIR_PROPERTY + "=DIR to use another)", ex);
        }
    }

    private static String checkNotRunning(final Path file, final String instance, final long ownPid)
    {
        if (!Files.exists(file))
        {
            return null;
        }
        final long pid = pidIn(file);
        if (pid > 0 && pid != ownPid && isAlive(pid))
        {
            throw new IllegalStateException("instance '" + instance + "' is already running as pid " + pid +
                " (CnC file " + file + "); stop it with 'wirekv shutdown --instance " + instance +
                "' or choose another instance name");
        }
        return pid == ownPid ? "a CnC file of this process (an instance of the same name that was not closed)" :
            "the CnC file of a crashed instance (pid " + pid + " is not running)";
    }

    private static long pidIn(final Path file)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final java.nio.ByteBuffer header = java.nio.ByteBuffer.allocate(CncFileDescriptor.PID_OFFSET + Long.BYTES)
                .order(java.nio.ByteOrder.nativeOrder());
            channel.read(header, 0);
            return header.position() == header.capacity() ? header.getLong(CncFileDescriptor.PID_OFFSET) : -1;
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    /** Whether a process with this pid exists. */
    public static boolean isAlive(final long pid)
    {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** When create replaced an older file, what it was (for the start-up report); otherwise null. */
    public String replaced()
    {
        return replaced;
    }

    public Path path()
    {
        return path;
    }

    /**
     * The counter registry over the file's counter sections: allocate every dataplane counter here, and
     * the file's readers see it live. The file must outlive every thread that writes a counter.
     */
    public CounterRegistry counters()
    {
        return counters;
    }

    public DistinctErrorLog errorLog()
    {
        return errorLog;
    }

    public ManyToOneRingBuffer commandRing()
    {
        return commandRing;
    }

    public BroadcastTransmitter responses()
    {
        return responses;
    }

    /**
     * Marks the file ready: writes the status text (ports, lcores, memory), then the layout version.
     * Readers that see the version see every field written before it.
     */
    public void publishReady(final String statusText)
    {
        CncFileDescriptor.putText(buffers.header(), CncFileDescriptor.STATUS_TEXT_LENGTH_OFFSET,
            CncFileDescriptor.STATUS_TEXT_OFFSET, CncFileDescriptor.STATUS_TEXT_CAPACITY, statusText);
        // release: publishes the header and sections; pairs with getIntVolatile in CncReader.open
        buffers.header().putIntRelease(CncFileDescriptor.VERSION_OFFSET, CncFileDescriptor.LAYOUT_VERSION);
    }

    /** The housekeeping thread's proof of life, in epoch ms. */
    public void heartbeat(final long nowMs)
    {
        // release: pairs with getLongVolatile in CncReader.heartbeatMs
        buffers.header().putLongRelease(CncFileDescriptor.HEARTBEAT_OFFSET, nowMs);
    }

    /**
     * Deletes the file (unless another instance of the same name has replaced it since). The memory stays
     * mapped until the file's buffers and every counter over them are unreachable.
     */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            final Object current = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
            if (Objects.equals(current, fileKey))
            {
                Files.delete(path);
                try
                {
                    Files.delete(path.getParent());
                }
                catch (final IOException ignore)
                {
                    // another file in the directory: leave it
                }
            }
        }
        catch (final NoSuchFileException ignore)
        {
            // removed already
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot remove the CnC file " + path, ex);
        }
    }
}
