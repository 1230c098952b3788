package io.wirekv.controlplane.systemd;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Gives every line written to stdout or stderr a syslog level prefix ({@code <3>} error, {@code <4>} warning,
 * {@code <6>} info) that journald reads and strips ({@code SyslogLevelPrefix=yes}, its default), so
 * {@code journalctl -p warning -u wirekv@NAME} shows what needs attention. Installed only when systemd's
 * {@code JOURNAL_STREAM} says the output goes to the journal; a terminal sees the lines unchanged.
 * <p>
 * The level of a line: errors on stderr (the CLI writes only failures there), {@code wirekv: error...} and
 * java.util.logging's {@code SEVERE:} lines; warnings for {@code wirekv: warning...}, {@code WARNING...} (also
 * java.util.logging's, made one line a record here) and the fallbacks wirekv reports as {@code wirekv: no ...}
 * (e.g. no hugepages); {@code INFO:} and everything else on stdout info. Lines are buffered until their newline
 * (the prefix needs the whole line); the serve and shutdown threads write here, never the dataplane.
 */
public final class JournalOutputStream extends OutputStream
{
    /** syslog levels, as journald reads them from a {@code <N>} prefix. */
    public static final int LEVEL_ERR = 3;
    public static final int LEVEL_WARNING = 4;
    public static final int LEVEL_INFO = 6;

    /** The environment variable systemd sets when stdout or stderr is connected to the journal. */
    public static final String JOURNAL_STREAM = "JOURNAL_STREAM";

    private static final String JUL_FORMAT = "java.util.logging.SimpleFormatter.format";

    private final OutputStream out;
    private final int defaultLevel;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);

    /**
     * @param out          the stream the prefixed lines go to.
     * @param defaultLevel the level of a line nothing else classifies ({@link #LEVEL_INFO} for stdout,
     *                     {@link #LEVEL_ERR} for stderr).
     */
    public JournalOutputStream(final OutputStream out, final int defaultLevel)
    {
        this.out = out;
        this.defaultLevel = defaultLevel;
    }

    /** True when systemd connected this process's output to the journal. */
    public static boolean journalConnected()
    {
        final String stream = System.getenv(JOURNAL_STREAM);
        return stream != null && !stream.isBlank();
    }

    /** Replaces System.out and System.err with level-prefixing streams when the output goes to the journal. */
    public static void installIfJournal()
    {
        if (journalConnected())
        {
            // java.util.logging's default is two lines a record (date and source, then LEVEL: message); the journal
            // has its own timestamps, and one line keeps the level with its message.
            if (System.getProperty(JUL_FORMAT) == null)
            {
                System.setProperty(JUL_FORMAT, "%4$s: %5$s%6$s%n");
            }
            System.setOut(new PrintStream(new JournalOutputStream(System.out, LEVEL_INFO), true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(new JournalOutputStream(System.err, LEVEL_ERR), true, StandardCharsets.UTF_8));
        }
    }

    /** The level of one line (without its newline). */
    public static int levelOf(final String text, final int defaultLevel)
    {
        if (text.startsWith("wirekv: error") || text.startsWith("ERROR") || text.startsWith("SEVERE"))
        {
            return LEVEL_ERR;
        }
        if (text.startsWith("INFO: "))
        {
            return LEVEL_INFO;
        }
        if (text.startsWith("wirekv: warning") || text.startsWith("WARNING") || text.startsWith("wirekv: no "))
        {
            return LEVEL_WARNING;
        }
        return defaultLevel;
    }

    @Override
    public synchronized void write(final int b) throws IOException
    {
        if (b == '\n')
        {
            emitLine();
        }
        else
        {
            line.write(b);
        }
    }

    @Override
    public synchronized void write(final byte[] b, final int off, final int len) throws IOException
    {
        int start = off;
        final int end = off + len;
        for (int i = off; i < end; i++)
        {
            if (b[i] == '\n')
            {
                line.write(b, start, i - start);
                emitLine();
                start = i + 1;
            }
        }
        line.write(b, start, end - start);
    }

    private void emitLine() throws IOException
    {
        final String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        final String stripped = text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
        out.write(('<' + Integer.toString(levelOf(stripped, defaultLevel)) + '>' + stripped + '\n')
            .getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public synchronized void flush() throws IOException
    {
        // a partial line waits for its newline: journald would otherwise see it without its level.
        out.flush();
    }

    @Override
    public synchronized void close() throws IOException
    {
        if (line.size() > 0)
        {
            emitLine();
        }
        out.close();
    }
}
