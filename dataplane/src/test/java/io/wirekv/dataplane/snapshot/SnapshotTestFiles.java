package io.wirekv.dataplane.snapshot;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** Directories for snapshot tests: under the module's target/, on the work tree's disk (real files, real fsync). */
final class SnapshotTestFiles
{
    private SnapshotTestFiles()
    {
    }

    static Path newDirectory(final String name) throws IOException
    {
        final Path directory = Path.of("target", "snapshot-tests", name + "-" + System.nanoTime()).toAbsolutePath();
        Files.createDirectories(directory);
        final FileStore store = Files.getFileStore(directory);
        assertNotEquals("tmpfs", store.type(), "snapshot tests need a real disk, not " + store + " (" + directory + ")");
        return directory;
    }

    static void delete(final Path directory) throws IOException
    {
        if (directory != null && Files.exists(directory))
        {
            try (Stream<Path> files = Files.walk(directory))
            {
                for (final Path file : files.sorted(Comparator.reverseOrder()).toList())
                {
                    Files.delete(file);
                }
            }
        }
    }
}
