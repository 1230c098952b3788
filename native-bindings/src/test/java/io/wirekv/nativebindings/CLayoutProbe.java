package io.wirekv.nativebindings;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Reads sizes, offsets and constants from the installed C headers, for the layout tests: compiles a
 * small C program with the system compiler and runs it; the program prints {@code name=value} lines.
 */
public final class CLayoutProbe
{
    private CLayoutProbe()
    {
    }

    /**
     * @return the system C compiler's path, or null when there is none (the layout tests then skip).
     */
    public static String compiler()
    {
        for (final String candidate : List.of("/usr/bin/cc", "/usr/bin/gcc", "/usr/bin/clang"))
        {
            if (Files.isExecutable(Path.of(candidate)))
            {
                return candidate;
            }
        }
        return null;
    }

    /**
     * Compiles {@code source} in {@code dir} with {@code compiler} and {@code flags}, runs it and parses
     * what it printed.
     *
     * @return every printed {@code name=value}, by name.
     */
    public static Map<String, Long> probe(
        final String compiler, final Path dir, final String name, final String source, final List<String> flags)
        throws IOException, InterruptedException
    {
        final Path c = dir.resolve(name + ".c");
        final Path exe = dir.resolve(name);
        Files.writeString(c, source);
        final List<String> compile = new ArrayList<>(List.of(compiler));
        compile.addAll(flags);
        compile.addAll(List.of("-o", exe.toString(), c.toString()));
        run(compile);
        final Map<String, Long> values = new HashMap<>();
        for (final String line : run(List.of(exe.toString())).split("\n"))
        {
            final int eq = line.indexOf('=');
            values.put(line.substring(0, eq), Long.parseLong(line.substring(eq + 1).trim()));
        }
        return values;
    }

    private static String run(final List<String> command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new IllegalStateException("timed out: " + command);
        }
        assertEquals(0, process.exitValue(), () -> command + " failed: " + output);
        return output;
    }
}
