package io.wirekv.controlplane.systemd;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SystemdNotifierTest
{
    @Test
    void shouldSendReadyToAFileSocket(@TempDir final Path dir) throws Exception
    {
        final String path = dir.resolve("notify.sock").toString();
        try (UnixDatagramReceiver systemd = new UnixDatagramReceiver(path))
        {
            final SystemdNotifier notifier = SystemdNotifier.forSocket(path);
            assertTrue(notifier.isEnabled());
            assertNull(notifier.ready("serving udp 127.0.0.1:11211"));
            assertEquals("READY=1\nSTATUS=serving udp 127.0.0.1:11211\nMAINPID=" + ProcessHandle.current().pid(),
                systemd.receive(2_000));
        }
    }

    @Test
    void shouldSendToAnAbstractSocketAndKeepStatusOnOneLine() throws Exception
    {
        final String path = "@wirekv-notify-test-" + ProcessHandle.current().pid();
        try (UnixDatagramReceiver systemd = new UnixDatagramReceiver(path))
        {
            assertNull(SystemdNotifier.forSocket(path).stopping("shutting\ndown"));
            assertEquals("STOPPING=1\nSTATUS=shutting down", systemd.receive(2_000));
        }
    }

    @Test
    void shouldDoNothingOutsideSystemd()
    {
        final SystemdNotifier notifier = SystemdNotifier.forSocket(null);
        assertFalse(notifier.isEnabled());
        assertNull(notifier.ready("serving"));
        assertFalse(SystemdNotifier.forSocket("  ").isEnabled());
    }

    @Test
    void shouldReportNotThrowWhenNobodyListens(@TempDir final Path dir)
    {
        final String problem = SystemdNotifier.forSocket(dir.resolve("none.sock").toString()).ready("serving");
        assertNotNull(problem);
        assertTrue(problem.startsWith("cannot notify systemd at " + dir.resolve("none.sock")), problem);
        final String tooLong = SystemdNotifier.forSocket("/" + "x".repeat(200)).ready("serving");
        assertNotNull(tooLong);
        assertTrue(tooLong.contains("not a Unix socket address"), tooLong);
    }
}
