package io.wirekv.controlplane.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A start-up slower than the report interval says where the starting thread is; a fast one says nothing. */
class StartupWatchTest
{
    @Test
    void shouldSayWhereASlowStartUpIsAndStopWhenClosed() throws Exception
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (StartupWatch ignored = StartupWatch.start(Thread.currentThread(), out, 100))
        {
            slowRecovery(450);
        }
        final String said = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(said.startsWith("wirekv: start-up still running after "), said);
        assertTrue(said.contains("StartupWatchTest.slowRecovery"), () -> "the frame is not named: " + said);
        assertTrue(said.contains("load average "), said);
        final int lines = said.split("\n").length;
        Thread.sleep(300);
        assertEquals(lines, bytes.toString(StandardCharsets.UTF_8).split("\n").length, "it went on after close");
    }

    @Test
    void shouldSayNothingWhenTheStartUpIsQuick()
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (StartupWatch ignored = StartupWatch.start(Thread.currentThread(),
            new PrintStream(bytes, true, StandardCharsets.UTF_8), 10_000))
        {
            // started at once
        }
        assertEquals("", bytes.toString(StandardCharsets.UTF_8));
    }

    private static void slowRecovery(final long ms) throws InterruptedException
    {
        Thread.sleep(ms);
    }
}
