package io.wirekv.controlplane.systemd;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class JournalOutputStreamTest
{
    @Test
    void shouldPrefixEveryStdoutLineWithItsSyslogLevel()
    {
        final ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(new JournalOutputStream(sink, JournalOutputStream.LEVEL_INFO), true,
            StandardCharsets.UTF_8))
        {
            out.print("wirekv 0.1.0 instance 'main'\n  udp   kernel");
            out.flush();
            assertEquals("<6>wirekv 0.1.0 instance 'main'\n", sink.toString(StandardCharsets.UTF_8),
                "a partial line waits for its newline");
            out.println(" 127.0.0.1:11211");
            out.println("wirekv: no 2 MiB hugepages for 'table': mmap failed");
            out.println("wirekv: error on a dataplane thread (reported once): x");
            out.print("crlf\r\n");
        }
        assertEquals("<6>wirekv 0.1.0 instance 'main'\n<6>  udp   kernel 127.0.0.1:11211\n" +
            "<4>wirekv: no 2 MiB hugepages for 'table': mmap failed\n" +
            "<3>wirekv: error on a dataplane thread (reported once): x\n<6>crlf\n", sink.toString(StandardCharsets.UTF_8));
    }

    @Test
    void shouldMarkStderrAsErrorsExceptWarnings()
    {
        final ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (PrintStream err = new PrintStream(new JournalOutputStream(sink, JournalOutputStream.LEVEL_ERR), true,
            StandardCharsets.UTF_8))
        {
            err.println("wirekv: cannot start the server: port 11211 is in use");
            err.println("wirekv: warning: cannot notify systemd at /run/x: No such file or directory");
            err.println("WARNING: wirekv: mlock(1 bytes for 'x') failed");
            err.println("SEVERE: boom");
            err.println("INFO: fine");
            err.print("unterminated");
        }
        assertEquals("<3>wirekv: cannot start the server: port 11211 is in use\n" +
            "<4>wirekv: warning: cannot notify systemd at /run/x: No such file or directory\n" +
            "<4>WARNING: wirekv: mlock(1 bytes for 'x') failed\n<3>SEVERE: boom\n<6>INFO: fine\n<3>unterminated\n",
            sink.toString(StandardCharsets.UTF_8));
    }
}
