package io.wirekv.dataplane.table.jcstress;

import org.junit.jupiter.api.Test;
import org.openjdk.jcstress.JCStress;
import org.openjdk.jcstress.Options;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Runs the table's jcstress tests (publication and reclamation orderings) in jcstress's own forked VMs and
 * fails on any FORBIDDEN outcome or error. Mode from {@code -Dwirekv.jcstress.mode} (default {@code sanity},
 * ~15 s in CI; {@code -Dwirekv.jcstress.mode=quick} (~3.5 min on 2 cores) or {@code default} for a real search).
 */
class JcstressRunnerTest
{
    @Test
    void shouldObserveNoForbiddenOutcomesInPublicationAndReclamation() throws Exception
    {
        final String mode = System.getProperty("wirekv.jcstress.mode", "sanity");
        final Path results = Path.of("target", "jcstress-results");
        Files.createDirectories(results);
        final String[] args = {
            "-t", "io\\.wirekv\\.dataplane\\.table\\.jcstress\\..*JcstressTest",
            "-m", mode,
            "-r", results.toString(),
            "-jvmArgsPrepend", "--enable-native-access=ALL-UNNAMED",
        };
        final Options options = new Options(args);
        assertTrue(options.parse());

        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        final PrintStream original = System.out;
        System.setOut(new PrintStream(new TeeStream(original, captured), true, StandardCharsets.UTF_8));
        try
        {
            new JCStress(options).run();
        }
        finally
        {
            System.setOut(original);
            // jcstress 0.16 always writes its result blob to the working directory: keep it under target/
            try (var blobs = Files.newDirectoryStream(Path.of("."), "jcstress-results-*.bin.gz"))
            {
                for (final Path blob : blobs)
                {
                    Files.move(blob, results.resolve(blob.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        final String output = captured.toString(StandardCharsets.UTF_8);
        // jcstress 0.16 progress line: "(Results: 28 planned; 28 passed, 0 failed, 0 soft errs, 0 hard errs)"
        final Matcher m = Pattern.compile(
            "Results: (\\d+) planned; (\\d+) passed, (\\d+) failed, (\\d+) soft errs, (\\d+) hard errs").matcher(output);
        String last = null;
        long planned = -1, passed = -1, failed = -1, hardErrors = -1;
        while (m.find())
        {
            last = m.group();
            planned = Long.parseLong(m.group(1));
            passed = Long.parseLong(m.group(2));
            failed = Long.parseLong(m.group(3));
            hardErrors = Long.parseLong(m.group(5));
        }
        assertNotNull(last, "jcstress printed its results line");
        assertTrue(planned > 0, last);
        assertEquals(0, failed, "FORBIDDEN outcomes: " + last);
        assertEquals(0, hardErrors, "hard errors: " + last);
        assertEquals(planned, passed, last);
        assertTrue(output.contains("Failed tests: No matches."), "jcstress summary lists no failed test");
        assertTrue(output.contains("Error tests: No matches."), "jcstress summary lists no error test");
        assertTrue(output.contains("All remaining tests: 2 matching test results"), "both table jcstress tests ran");
    }

    private static final class TeeStream extends OutputStream
    {
        private final OutputStream a;
        private final OutputStream b;

        TeeStream(final OutputStream a, final OutputStream b)
        {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(final int value) throws java.io.IOException
        {
            a.write(value);
            b.write(value);
        }

        @Override
        public void write(final byte[] bytes, final int offset, final int length) throws java.io.IOException
        {
            a.write(bytes, offset, length);
            b.write(bytes, offset, length);
        }
    }
}
