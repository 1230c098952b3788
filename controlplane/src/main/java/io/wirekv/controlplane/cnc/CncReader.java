package io.wirekv.controlplane.cnc;

import io.wirekv.dataplane.cnc.CncFile;
import io.wirekv.dataplane.cnc.CncFileDescriptor;
import io.wirekv.dataplane.cnc.CounterRegistryReader;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.broadcast.BroadcastReceiver;
import org.agrona.concurrent.errors.ErrorConsumer;
import org.agrona.concurrent.errors.ErrorLogReader;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A reader's view of an appliance's CnC file. Needs no cooperation from the appliance: it maps the file
 * and reads it, so it works while the dataplane is stuck (and says so through {@link #health}).
 * Read-only unless opened {@code writable} (needed to send admin commands).
 */
public final class CncReader implements AutoCloseable
{
    /** A heartbeat older than this means the dataplane is not making progress. */
    public static final long STALE_HEARTBEAT_MS = 3000;

    /** What the heartbeat and the pid say. */
    public enum Health
    {
        /** The process runs and the heartbeat is recent. */
        OK,
        /** The process runs but the heartbeat is older than {@link #STALE_HEARTBEAT_MS}: stuck or paused. */
        STALLED,
        /** The process that wrote the file is gone: a stale file left by a crash. */
        DEAD
    }

    private final Path path;
    private final String instance;
    private final Arena arena;
    private final CncFileDescriptor.Buffers buffers;
    private final CounterRegistryReader counters;

    private CncReader(final Path path, final String instance, final Arena arena, final CncFileDescriptor.Buffers buffers)
    {
        this.path = path;
        this.instance = instance;
        this.arena = arena;
        this.buffers = buffers;
        this.counters = new CounterRegistryReader(buffers.counterMetadata(), buffers.counterValues());
    }

    /**
     * Maps the CnC file of {@code instance} under {@code base}.
     *
     * @throws CncException when there is no file, it is not ready, or its layout version differs.
     */
    public static CncReader open(final Path base, final String instance, final boolean writable)
    {
        final Path path = CncFileDescriptor.cncFile(base, instance);
        final Arena arena = Arena.ofShared();
        try (FileChannel channel = writable ?
            FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE) :
            FileChannel.open(path, StandardOpenOption.READ))
        {
            final long size = channel.size();
            if (size < CncFileDescriptor.HEADER_LENGTH)
            {
                throw new CncException("CnC file " + path + " is too short (" + size + " bytes) to be one; " +
                    "is the instance still starting?");
            }
            final MemorySegment mapped = channel.map(
                writable ? FileChannel.MapMode.READ_WRITE : FileChannel.MapMode.READ_ONLY, 0, size, arena);
            final UnsafeBuffer file = new UnsafeBuffer(mapped.address(), (int)size);
            checkHeader(path, instance, file);
            return new CncReader(path, instance, arena, CncFileDescriptor.Buffers.wrap(file));
        }
        catch (final NoSuchFileException ex)
        {
            arena.close();
            throw new CncException("no instance '" + instance + "' is running (no CnC file " + path + ")");
        }
        catch (final java.nio.file.AccessDeniedException ex)
        {
            arena.close();
            throw new CncException("cannot open " + path + ": permission denied (the file is 0600, owned by the " +
                "user running the appliance; run as that user)");
        }
        catch (final IOException ex)
        {
            arena.close();
            throw new CncException("cannot open " + path + ": " + ex.getMessage());
        }
        catch (final RuntimeException ex)
        {
            arena.close();
            throw ex;
        }
    }

    private static void checkHeader(final Path path, final String instance, final UnsafeBuffer file)
    {
        final int magic = file.getInt(CncFileDescriptor.MAGIC_OFFSET);
        if (magic != CncFileDescriptor.MAGIC)
        {
            throw new CncException(path + " is not a wirekv CnC file (bad magic 0x" + Integer.toHexString(magic) + ")");
        }
        // acquire: pairs with putIntRelease in CncFile.publishReady
        final int version = file.getIntVolatile(CncFileDescriptor.VERSION_OFFSET);
        if (version == 0)
        {
            final long pid = file.getLong(CncFileDescriptor.PID_OFFSET);
            throw new CncException(CncFile.isAlive(pid) ?
                "instance '" + instance + "' (pid " + pid + ") is still starting; try again in a moment" :
                "instance '" + instance + "' crashed while starting (pid " + pid + " is gone); stale CnC file " + path);
        }
        if (version != CncFileDescriptor.LAYOUT_VERSION)
        {
            throw new CncException("CnC file " + path + " has layout version " + version + " but this wirekv reads " +
                "version " + CncFileDescriptor.LAYOUT_VERSION + "; use the wirekv CLI of the appliance's release");
        }
    }

    public Path path()
    {
        return path;
    }

    public String instance()
    {
        return CncFileDescriptor.text(buffers.header(), CncFileDescriptor.INSTANCE_NAME_LENGTH_OFFSET,
            CncFileDescriptor.INSTANCE_NAME_OFFSET, CncFileDescriptor.INSTANCE_NAME_CAPACITY);
    }

    public long pid()
    {
        return buffers.header().getLong(CncFileDescriptor.PID_OFFSET);
    }

    public long startTimeMs()
    {
        return buffers.header().getLong(CncFileDescriptor.START_TIME_OFFSET);
    }

    /** Epoch ms of the last heartbeat. */
    public long heartbeatMs()
    {
        // acquire: pairs with putLongRelease in CncFile.heartbeat
        return buffers.header().getLongVolatile(CncFileDescriptor.HEARTBEAT_OFFSET);
    }

    public String configText()
    {
        return CncFileDescriptor.text(buffers.header(), CncFileDescriptor.CONFIG_TEXT_LENGTH_OFFSET,
            CncFileDescriptor.CONFIG_TEXT_OFFSET, CncFileDescriptor.CONFIG_TEXT_CAPACITY);
    }

    public String statusText()
    {
        return CncFileDescriptor.text(buffers.header(), CncFileDescriptor.STATUS_TEXT_LENGTH_OFFSET,
            CncFileDescriptor.STATUS_TEXT_OFFSET, CncFileDescriptor.STATUS_TEXT_CAPACITY);
    }

    public boolean isProcessAlive()
    {
        return CncFile.isAlive(pid());
    }

    public Health health(final long nowMs)
    {
        if (!isProcessAlive())
        {
            return Health.DEAD;
        }
        return nowMs - heartbeatMs() > STALE_HEARTBEAT_MS ? Health.STALLED : Health.OK;
    }

    /** Whether the file this reader mapped is still the instance's file (not removed at shutdown). */
    public boolean isFilePresent()
    {
        return Files.exists(path);
    }

    /** Throws, naming the instance, when its process is gone. */
    public void checkAlive()
    {
        if (!isProcessAlive())
        {
            throw new CncException("instance '" + instance + "' is not running: stale CnC file " + path +
                " left by pid " + pid() + ", which crashed or was killed (starting the instance again replaces it)");
        }
    }

    /** The appliance's counters, read live from the file (each the sum of its per-thread slots). */
    public CounterRegistryReader counters()
    {
        return counters;
    }

    /**
     * Reads the distinct error log.
     *
     * @return how many distinct errors there are.
     */
    public int readErrors(final ErrorConsumer consumer)
    {
        return ErrorLogReader.read(buffers.errorLog(), consumer);
    }

    /** The command ring, to write admin commands into (the reader must be writable). */
    public ManyToOneRingBuffer commandRing()
    {
        return new ManyToOneRingBuffer(buffers.commandRing());
    }

    /** A receiver of the response broadcast, positioned at its current end. */
    public BroadcastReceiver responseReceiver()
    {
        return new BroadcastReceiver(buffers.responses());
    }

    @Override
    public void close()
    {
        arena.close();
    }
}
