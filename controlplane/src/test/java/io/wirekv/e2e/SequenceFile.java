package io.wirekv.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses the hand-written sequence files (format documented at the top of
 * {@code src/test/resources/e2e/sequences.txt}).
 */
public final class SequenceFile
{
    private SequenceFile()
    {
    }

    public static List<Sequence> load(final String resource)
    {
        try (InputStream in = SequenceFile.class.getResourceAsStream(resource))
        {
            if (in == null)
            {
                throw new IllegalStateException("missing test resource " + resource);
            }
            return parse(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot read " + resource, ex);
        }
    }

    public static List<Sequence> parse(final String source, final String text)
    {
        final List<Sequence> out = new ArrayList<>();
        Sequence.Builder current = null;
        String origin = null;
        StringBuilder step = null;
        int[] frame = {0, 1, 0};
        int[] pendingFrame = {0, 1, 0};
        String expect = null;
        StringBuilder pendingExpect = null;
        final String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++)
        {
            final String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            final String where = source + ":" + (i + 1);
            if (line.isBlank() || line.startsWith("#"))
            {
                continue;
            }
            if (line.startsWith("==="))
            {
                if (current != null)
                {
                    flush(current, step, frame, expect);
                    out.add(current.build(origin));
                }
                final String[] words = line.substring(3).trim().split("\\s+");
                current = new Sequence.Builder(words[0]);
                origin = where;
                step = null;
                frame = new int[] {0, 1, 0};
                pendingFrame = new int[] {0, 1, 0};
                expect = null;
                pendingExpect = null;
                for (int w = 1; w < words.length; w++)
                {
                    switch (words[w])
                    {
                        case "tcp" -> current.tcp();
                        case "udp" -> current.udp();
                        case "both" -> current.tcp().udp();
                        case "exclusive" -> current.exclusive();
                        default ->
                        {
                            if (!words[w].startsWith("differs="))
                            {
                                throw new IllegalArgumentException(where + ": unknown option " + words[w]);
                            }
                            DeliberateDifferences.requireKnown(words[w].substring(8), where);
                            current.differs(words[w].substring(8));
                        }
                    }
                }
                continue;
            }
            if (current == null)
            {
                throw new IllegalArgumentException(where + ": step before the first === header");
            }
            if (line.equals("@sleep"))
            {
                flush(current, step, frame, expect);
                step = null;
                current.sleep();
                continue;
            }
            if (line.equals("@target-silent"))
            {
                pendingExpect = new StringBuilder(Sequence.Step.SILENT);
                continue;
            }
            if (line.startsWith("@target ") || line.equals("@target"))
            {
                if (pendingExpect == null)
                {
                    pendingExpect = new StringBuilder();
                }
                pendingExpect.append(unescape(line.length() > 8 ? line.substring(8) : "", where)).append("\r\n");
                continue;
            }
            if (line.startsWith("@udp "))
            {
                final String[] f = line.substring(5).trim().split("\\s+");
                pendingFrame = new int[] {Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2])};
                continue;
            }
            final boolean newStep;
            final boolean crlf;
            final String body;
            if (line.startsWith(">> ") || line.equals(">>"))
            {
                newStep = true;
                crlf = false;
                body = line.length() > 3 ? line.substring(3) : "";
            }
            else if (line.startsWith("> ") || line.equals(">"))
            {
                newStep = true;
                crlf = true;
                body = line.length() > 2 ? line.substring(2) : "";
            }
            else if (line.startsWith("|| ") || line.equals("||"))
            {
                newStep = false;
                crlf = false;
                body = line.length() > 3 ? line.substring(3) : "";
            }
            else if (line.startsWith("| ") || line.equals("|"))
            {
                newStep = false;
                crlf = true;
                body = line.length() > 2 ? line.substring(2) : "";
            }
            else
            {
                throw new IllegalArgumentException(where + ": a line must start with >, >>, |, ||, @, === or #");
            }
            if (newStep)
            {
                if (step != null)
                {
                    flush(current, step, frame, expect);
                }
                frame = pendingFrame;
                pendingFrame = new int[] {0, 1, 0};
                expect = pendingExpect == null ? null : pendingExpect.toString();
                pendingExpect = null;
                step = new StringBuilder();
            }
            else if (step == null)
            {
                throw new IllegalArgumentException(where + ": continuation line without a step");
            }
            step.append(unescape(body, where));
            if (crlf)
            {
                step.append("\r\n");
            }
        }
        if (current != null)
        {
            flush(current, step, frame, expect);
            out.add(current.build(origin));
        }
        return out;
    }

    private static void flush(final Sequence.Builder b, final StringBuilder step, final int[] frame, final String expect)
    {
        if (step != null)
        {
            b.step(new Sequence.Step(step.toString(), frame[0], frame[1], frame[2], expect));
        }
    }

    /** \r \n \t \0 \\ \s (space) \xHH. */
    static String unescape(final String s, final String where)
    {
        final StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            if (c != '\\' || i + 1 == s.length())
            {
                sb.append(c);
                continue;
            }
            final char n = s.charAt(++i);
            switch (n)
            {
                case 'r' -> sb.append('\r');
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case '0' -> sb.append('\0');
                case 's' -> sb.append(' ');
                case '\\' -> sb.append('\\');
                case 'x' ->
                {
                    sb.append((char)Integer.parseInt(s.substring(i + 1, i + 3), 16));
                    i += 2;
                }
                default -> throw new IllegalArgumentException(where + ": unknown escape \\" + n);
            }
        }
        return sb.toString();
    }
}
