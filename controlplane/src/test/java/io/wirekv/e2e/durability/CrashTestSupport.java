package io.wirekv.e2e.durability;


import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** What the crash tests share: whether serve has persistence yet, and data directories on the work tree's disk. */
final class CrashTestSupport
{
    private CrashTestSupport()
    {
    }

    /**
     * A fresh data directory under the module's target/ (the work tree's ext4 disk: never /dev/shm, whose "fsync"
     * proves nothing).
     */
    static Path newDataDir(final String prefix)
    {
        try
        {
            final Path target = Path.of("target").toAbsolutePath();
            Files.createDirectories(target);
            final String fs = Files.getFileStore(target).type();
            if (fs.equals("tmpfs") || fs.equals("ramfs"))
            {
                throw new IllegalStateException(target + " is on " + fs + ", where a sync proves nothing: run the crash " +
                    "tests from a work tree on a disk");
            }
            return Files.createTempDirectory(target, prefix);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static void deleteTree(final Path dir)
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir))
        {
            for (final Path p : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot remove " + dir, ex);
        }
    }
}
