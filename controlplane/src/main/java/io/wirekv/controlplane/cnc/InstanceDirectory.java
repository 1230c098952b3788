package io.wirekv.controlplane.cnc;

import io.wirekv.dataplane.cnc.CncFileDescriptor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The instances that have a CnC file under a base directory (/dev/shm by default). */
public final class InstanceDirectory
{
    /** One instance found, with what its file says. */
    public record Found(String instance, long pid, String state)
    {
    }

    private InstanceDirectory()
    {
    }

    public static List<Found> list(final Path base)
    {
        final List<Found> found = new ArrayList<>();
        if (!Files.isDirectory(base))
        {
            return found;
        }
        try (Stream<Path> dirs = Files.list(base))
        {
            for (final Path dir : dirs.sorted().toList())
            {
                final String name = dir.getFileName().toString();
                if (!name.startsWith(CncFileDescriptor.INSTANCE_DIR_PREFIX) ||
                    !Files.exists(dir.resolve(CncFileDescriptor.FILE_NAME)))
                {
                    continue;
                }
                final String instance = name.substring(CncFileDescriptor.INSTANCE_DIR_PREFIX.length());
                try (CncReader reader = CncReader.open(base, instance, false))
                {
                    final CncReader.Health health = reader.health(System.currentTimeMillis());
                    found.add(new Found(instance, reader.pid(), switch (health)
                    {
                        case OK -> "running";
                        case STALLED -> "stalled (heartbeat stale)";
                        case DEAD -> "crashed (stale file, pid gone)";
                    }));
                }
                catch (final CncException ex)
                {
                    found.add(new Found(instance, -1, ex.getMessage()));
                }
            }
        }
        catch (final IOException ex)
        {
            throw new CncException("cannot list " + base + ": " + ex.getMessage());
        }
        return found;
    }
}
