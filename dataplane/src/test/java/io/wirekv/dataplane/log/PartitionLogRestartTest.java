package io.wirekv.dataplane.log;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A backup's log restart on a full sync's RESET ({@link PartitionLog#restartAt}) on real files: a second RESET at the
 * same base (the primary's log did not move between two full-sync attempts, as when every client write was refused
 * meanwhile) must restart the log again, not fail on the segment file the first one created (the 500-cycle failover
 * run's livelock: every retry of the full sync was dropped with "cannot create the log segment: File exists").
 */
class PartitionLogRestartTest
{
    private final LogTestKit kit = new LogTestKit();
    private Path dir;

    @BeforeEach
    void setUp() throws IOException
    {
        dir = LogTestKit.freshDir("restart");
    }

    @AfterEach
    void tearDown() throws IOException
    {
        kit.close();
        LogTestKit.deleteTree(dir);
    }

    @Test
    void shouldRestartAtTheSameBaseTwiceAndKeepLoggingAfterIt() throws IOException
    {
        try (LogTestKit.Writing w = kit.new Writing(dir))
        {
            assertEquals(1, w.set("a", "1"));
            assertEquals(2, w.set("b", "2"));

            w.log.restartAt(2);
            w.log.restartAt(2); // the same base again: the segment 3 the first one made is replaced, not a failure
            assertEquals(2, w.log.appendedSequence());
            assertEquals(3, w.set("c", "3"), "the log goes on after the base");
            assertEquals(List.of(w.directory.segmentPath(0, 3)), w.directory.segments(0));
            try (var spares = Files.newDirectoryStream(w.directory.partitionLogDir(0), "spare-*.tmp"))
            {
                assertEquals(false, spares.iterator().hasNext(), "the restart's spare was renamed, not left behind");
            }
        }
    }
}
