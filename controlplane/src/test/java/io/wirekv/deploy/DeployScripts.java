package io.wirekv.deploy;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs the scripts in deploy/ as processes and reads kernel files, for the deploy tests.
 * Every run is bounded in time; output is captured whole.
 */
final class DeployScripts
{
    /** Longest any script may take; they finish in well under a second here. */
    static final long TIMEOUT_SECONDS = 60;

    /** deploy/, found from the module directory surefire runs in (or any directory below the repository). */
    static final Path DEPLOY = findDeploy();

    private DeployScripts()
    {
    }

    /** Exit status and output of one script run. */
    record Result(int exitCode, String stdout, String stderr)
    {
        String all()
        {
            return stdout + stderr;
        }

        List<String> lines()
        {
            return stdout.lines().toList();
        }

        @Override
        public String toString()
        {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    static Path script(final String name)
    {
        return DEPLOY.resolve(name);
    }

    static Result run(final String script, final String... args)
    {
        return run(Map.of(), List.of(), script, args);
    }

    static Result runWithEnv(final Map<String, String> env, final String script, final String... args)
    {
        return run(env, List.of(), script, args);
    }

    /**
     * @param env    extra environment variables.
     * @param prefix a command to run the script under (e.g. setpriv ... to drop root), or empty.
     * @param script a file name in deploy/, or an absolute path.
     */
    static Result run(final Map<String, String> env, final List<String> prefix, final String script, final String... args)
    {
        final List<String> command = new ArrayList<>(prefix);
        command.add(script.startsWith("/") ? script : script(script).toString());
        command.addAll(List.of(args));
        return exec(env, command);
    }

    /** Runs any command (searched on PATH) with extra environment variables. */
    static Result exec(final Map<String, String> env, final List<String> command)
    {
        final ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        pb.environment().put("LC_ALL", "C");
        try
        {
            final Process process = pb.start();
            process.getOutputStream().close();
            final CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
            final CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new AssertionError(command + " did not finish in " + TIMEOUT_SECONDS + " s");
            }
            return new Result(process.exitValue(), out.join(), err.join());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

    /** Output of a plain command, trimmed; fails the test when it exits non-zero. */
    static String command(final String... command)
    {
        final Result r = exec(Map.of(), List.of(command));
        if (r.exitCode() != 0)
        {
            throw new AssertionError(String.join(" ", command) + " failed: " + r);
        }
        return r.stdout().trim();
    }

    private static String readAll(final InputStream in)
    {
        try (in)
        {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** Reads a /proc or /sys file whole (FileInputStream: NIO's size-based reads see too little there). */
    static String readKernelFile(final String path)
    {
        try (FileInputStream in = new FileInputStream(path))
        {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** A value from /proc/meminfo, e.g. HugePages_Total. */
    static long meminfo(final String key)
    {
        final Matcher m = Pattern.compile("(?m)^" + Pattern.quote(key) + ":\\s+(\\d+)").matcher(readKernelFile("/proc/meminfo"));
        if (!m.find())
        {
            throw new AssertionError(key + " not in /proc/meminfo");
        }
        return Long.parseLong(m.group(1));
    }

    static boolean isRoot()
    {
        return "0".equals(command("id", "-u"));
    }

    static boolean onPath(final String program)
    {
        return exec(Map.of(), List.of("/bin/sh", "-c", "command -v " + program)).exitCode() == 0;
    }

    /** The options a script's argument parser accepts: its `--name)` and `--name|` case labels. */
    static List<String> parsedOptions(final String script)
    {
        try
        {
            final Matcher m = Pattern.compile("(?m)^\\s+(?:-[a-z]\\|)?(--[a-z0-9-]+)(?:\\|[^)]*)?\\)").matcher(Files.readString(script(script)));
            final List<String> options = new ArrayList<>();
            while (m.find())
            {
                options.add(m.group(1));
            }
            return options;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static void deleteTree(final Path root)
    {
        if (root == null || !Files.exists(root))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(root))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static void write(final Path file, final String content)
    {
        try
        {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static String read(final Path file)
    {
        try
        {
            return Files.readString(file).trim();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static Path findDeploy()
    {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null)
        {
            if (Files.isRegularFile(dir.resolve("deploy/hugepages.sh")))
            {
                return dir.resolve("deploy");
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("deploy/hugepages.sh not found above " + Path.of("").toAbsolutePath());
    }
}
