package io.wirekv.dataplane;

import io.wirekv.dataplane.server.WirekvServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.classfile.constantpool.Utf8Entry;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No package cycles among {@code io.wirekv.dataplane.*}: a package that uses another must not be used by it,
 * directly or through others. Dependencies are read from the compiled main classes' constant pools (every
 * class, field and method type they name) and from the main sources' imports (which also catch constants
 * that javac inlined). A cycle fails with its path, e.g. {@code lcore -> server -> lcore}.
 */
class PackageCycleTest
{
    private static final String PREFIX = "io.wirekv.dataplane.";
    private static final Pattern BINARY_NAME = Pattern.compile("io/wirekv/dataplane/([a-z0-9_]+)/");
    private static final Pattern IMPORT = Pattern.compile(
        "^import\\s+(?:static\\s+)?io\\.wirekv\\.dataplane\\.([a-z0-9_]+)\\.", Pattern.MULTILINE);

    @Test
    void shouldHaveNoCycleAmongTheDataplanePackages() throws IOException
    {
        final Map<String, Set<String>> uses = new TreeMap<>();
        final Path classes = mainClasses();
        addClassFileDependencies(classes, uses);
        addImportDependencies(classes.resolve("../../src/main/java/io/wirekv/dataplane").normalize(), uses);

        assertTrue(uses.keySet().containsAll(List.of("lcore", "proto", "server", "table", "writer")),
            "the scan found the dataplane's packages: " + uses.keySet());
        assertTrue(uses.get("server").contains("lcore"), "the scan sees server's use of lcore: " + uses.get("server"));

        final List<String> cycle = findCycle(uses);
        assertTrue(cycle.isEmpty(), "package cycle: " + String.join(" -> ", cycle) + "; dependencies: " + uses);
    }

    @Test
    void shouldReportACyclePlantedInAGraph()
    {
        // the detector itself: a cycle two steps away from the start is found, a diamond is not a cycle
        final Map<String, Set<String>> diamond = new TreeMap<>(Map.of(
            "a", Set.of("b", "c"), "b", Set.of("d"), "c", Set.of("d"), "d", Set.of()));
        assertTrue(findCycle(diamond).isEmpty());
        final Map<String, Set<String>> cyclic = new TreeMap<>(Map.of(
            "a", Set.of("b"), "b", Set.of("c"), "c", Set.of("d"), "d", Set.of("b")));
        assertEquals(List.of("b", "c", "d", "b"), findCycle(cyclic));
    }

    private static Path mainClasses()
    {
        try
        {
            final Path root = Path.of(WirekvServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            assertTrue(Files.isDirectory(root.resolve("io/wirekv/dataplane")), "main classes in a directory: " + root);
            return root;
        }
        catch (final URISyntaxException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static void addClassFileDependencies(final Path classes, final Map<String, Set<String>> uses)
        throws IOException
    {
        final Path base = classes.resolve("io/wirekv/dataplane");
        try (Stream<Path> files = Files.walk(base))
        {
            for (final Path file : files.filter(f -> f.toString().endsWith(".class")).toList())
            {
                final String from = base.relativize(file).getName(0).toString();
                if (!Files.isDirectory(base.resolve(from)))
                {
                    continue; // a class directly in io.wirekv.dataplane belongs to no subpackage
                }
                final Set<String> to = uses.computeIfAbsent(from, k -> new TreeSet<>());
                final ClassModel model = ClassFile.of().parse(file);
                for (final PoolEntry entry : model.constantPool())
                {
                    if (entry instanceof Utf8Entry utf8)
                    {
                        final Matcher m = BINARY_NAME.matcher(utf8.stringValue());
                        while (m.find())
                        {
                            to.add(m.group(1));
                        }
                    }
                }
                to.remove(from);
            }
        }
    }

    private static void addImportDependencies(final Path sources, final Map<String, Set<String>> uses)
        throws IOException
    {
        assertTrue(Files.isDirectory(sources), "main sources next to the classes: " + sources);
        try (Stream<Path> files = Files.walk(sources))
        {
            files.filter(f -> f.toString().endsWith(".java") && f.getNameCount() > sources.getNameCount() + 1)
                .forEach(file ->
                {
                    final String from = sources.relativize(file).getName(0).toString();
                    final Set<String> to = uses.computeIfAbsent(from, k -> new TreeSet<>());
                    final Matcher m = IMPORT.matcher(read(file));
                    while (m.find())
                    {
                        to.add(m.group(1));
                    }
                    to.remove(from);
                });
        }
        assertFalse(uses.isEmpty(), "no " + PREFIX + "* sources under " + sources);
    }

    /** A cycle as the list of packages along it (first = last), or empty; deterministic for sorted maps. */
    static List<String> findCycle(final Map<String, Set<String>> uses)
    {
        final Set<String> done = new TreeSet<>();
        for (final String start : uses.keySet())
        {
            final List<String> cycle = walk(start, uses, new ArrayDeque<>(), done);
            if (!cycle.isEmpty())
            {
                return cycle;
            }
        }
        return List.of();
    }

    private static List<String> walk(
        final String node, final Map<String, Set<String>> uses, final Deque<String> path, final Set<String> done)
    {
        if (path.contains(node))
        {
            final List<String> cycle = new ArrayList<>();
            boolean in = false;
            for (final String p : path.reversed())
            {
                in |= p.equals(node);
                if (in)
                {
                    cycle.add(p);
                }
            }
            cycle.add(node);
            return cycle;
        }
        if (done.contains(node))
        {
            return List.of();
        }
        path.push(node);
        for (final String next : new TreeSet<>(uses.getOrDefault(node, Set.of())))
        {
            final List<String> cycle = walk(next, uses, path, done);
            if (!cycle.isEmpty())
            {
                return cycle;
            }
        }
        path.pop();
        done.add(node);
        return List.of();
    }

    private static String read(final Path file)
    {
        try
        {
            return Files.readString(file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
