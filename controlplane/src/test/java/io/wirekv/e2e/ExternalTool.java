package io.wirekv.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs an installed command-line tool with a time limit; kills it by its PID if it overruns. */
final class ExternalTool
{
    /** What a finished tool printed and returned. */
    record Result(int exitCode, byte[] stdout, String stderr)
    {
        String stdoutText()
        {
            return new String(stdout, StandardCharsets.ISO_8859_1);
        }
    }

    private ExternalTool()
    {
    }

    /** Fails with the Debian package to install when {@code /usr/bin/name} is missing. */
    static String require(final String name, final String debianPackage)
    {
        final String path = "/usr/bin/" + name;
        MemcachedProcess.requireExecutable(path, debianPackage);
        return path;
    }

    static Result run(final List<String> command, final Path workDir, final long timeoutMs)
    {
        Path out = null;
        Path err = null;
        try
        {
            out = Files.createTempFile("tool-", ".out");
            err = Files.createTempFile("tool-", ".err");
            final Process p = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
            try
            {
                if (!p.waitFor(timeoutMs, TimeUnit.MILLISECONDS))
                {
                    MemcachedProcess.stop(p);
                    throw new AssertionError(command + " did not finish within " + timeoutMs + " ms; stderr: " +
                        Files.readString(err, StandardCharsets.ISO_8859_1));
                }
            }
            catch (final InterruptedException ex)
            {
                MemcachedProcess.stop(p);
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", ex);
            }
            return new Result(p.exitValue(), Files.readAllBytes(out), Files.readString(err, StandardCharsets.ISO_8859_1));
        }
        catch (final IOException ex)
        {
            throw new AssertionError("cannot run " + command + ": " + ex.getMessage(), ex);
        }
        finally
        {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    private static void deleteQuietly(final Path p)
    {
        if (p != null)
        {
            try
            {
                Files.deleteIfExists(p);
            }
            catch (final IOException ignore)
            {
                // temp file under target/: harmless.
            }
        }
    }
}
