package io.wirekv.nativebindings.xdp;

import io.wirekv.nativebindings.NativeLibrary;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Routes libxdp's and libbpf's messages (which they print to stderr by default) to {@link System.Logger}s
 * named {@code io.wirekv.xdp.libxdp} and {@code io.wirekv.xdp.libbpf}, and keeps the last ones so setup code
 * can put what libxdp said (e.g. that it attached without its dispatcher) into its report.
 * <p>
 * Levels: WARN is WARNING; libxdp's INFO is INFO; libbpf's INFO (e.g. "skipping unrecognized data section
 * .xdp_run_config", which libxdp reads itself) is DEBUG; DEBUG is TRACE.
 * <p>
 * The print callbacks are FFM upcalls that format with {@code vsnprintf} ({@code va_list} passed as a pointer,
 * which is how both x86_64 and aarch64 pass it to a function). Only setup-time calls print; none of the
 * per-packet paths goes through libxdp or libbpf. Never throws out of an upcall.
 */
public final class XdpLog
{
    private static final System.Logger LIBXDP_LOGGER = System.getLogger("io.wirekv.xdp.libxdp");
    private static final System.Logger LIBBPF_LOGGER = System.getLogger("io.wirekv.xdp.libbpf");
    private static final int LINE_BYTES = 1024;
    private static final int KEPT = 64;
    private static final ArrayDeque<String> RECENT = new ArrayDeque<>();
    private static long sequence;
    private static boolean installed;

    private XdpLog()
    {
    }

    private static final class vsnprintf
    {
        static final MethodHandle HANDLE = NativeLibrary.libc().downcall(
            "vsnprintf", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS));
    }

    /**
     * Installs the print callbacks in both libraries (once, when {@link XdpLibraries} loads them).
     */
    @SuppressWarnings("restricted")
    static synchronized void install(final NativeLibrary libxdpLibrary, final NativeLibrary libbpfLibrary)
    {
        if (installed)
        {
            return;
        }
        installed = true;
        try
        {
            final FunctionDescriptor printFn = FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
            final MethodType type = MethodType.methodType(int.class, int.class, MemorySegment.class, MemorySegment.class);
            final MethodHandle libxdp = MethodHandles.lookup().findStatic(XdpLog.class, "libxdpPrint", type);
            final MethodHandle libbpf = MethodHandles.lookup().findStatic(XdpLog.class, "libbpfPrint", type);
            final Linker linker = Linker.nativeLinker();
            final MemorySegment libxdpStub = linker.upcallStub(libxdp, printFn, Arena.global());
            final MemorySegment libbpfStub = linker.upcallStub(libbpf, printFn, Arena.global());
            final MethodHandle setXdp = libxdpLibrary.downcall("libxdp_set_print", FunctionDescriptor.of(ADDRESS, ADDRESS));
            final MethodHandle setBpf = libbpfLibrary.downcall("libbpf_set_print", FunctionDescriptor.of(ADDRESS, ADDRESS));
            final MemorySegment previousXdp = (MemorySegment)setXdp.invokeExact(libxdpStub);
            final MemorySegment previousBpf = (MemorySegment)setBpf.invokeExact(libbpfStub);
            assert previousXdp != null && previousBpf != null;
        }
        catch (final Throwable ex)
        {
            // Messages then keep going to stderr, which is where they went before.
            LIBXDP_LOGGER.log(System.Logger.Level.DEBUG, "could not route libxdp/libbpf messages to the logger", ex);
        }
    }

    /**
     * @return a marker for {@link #since(long)}.
     */
    public static synchronized long mark()
    {
        return sequence;
    }

    /**
     * @param mark a value {@link #mark()} returned.
     * @return the messages printed since (at most the last {@value #KEPT}), oldest first.
     */
    public static synchronized List<String> since(final long mark)
    {
        final long count = Math.min(sequence - mark, RECENT.size());
        final List<String> messages = new ArrayList<>(RECENT);
        return List.copyOf(messages.subList(messages.size() - (int)count, messages.size()));
    }

    private static int libxdpPrint(final int level, final MemorySegment format, final MemorySegment args)
    {
        return print(LIBXDP_LOGGER, "libxdp", level, level == 1 ? System.Logger.Level.INFO : null, format, args);
    }

    private static int libbpfPrint(final int level, final MemorySegment format, final MemorySegment args)
    {
        return print(LIBBPF_LOGGER, "libbpf", level, level == 1 ? System.Logger.Level.DEBUG : null, format, args);
    }

    private static int print(
        final System.Logger logger, final String library, final int level, final System.Logger.Level infoLevel,
        final MemorySegment format, final MemorySegment args)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment line = arena.allocate(LINE_BYTES);
            final int written = (int)vsnprintf.HANDLE.invokeExact(line, (long)LINE_BYTES, format, args);
            if (written < 0)
            {
                return 0;
            }
            final String text = line.getString(0).strip();
            final System.Logger.Level loggerLevel = switch (level)
            {
                case 0 -> System.Logger.Level.WARNING;
                case 1 -> infoLevel;
                default -> System.Logger.Level.TRACE;
            };
            // Both libraries usually start their messages with their own name already.
            final String message = text.startsWith(library + ":") ? text : library + ": " + text;
            if (level <= 1)
            {
                record(message);
            }
            logger.log(loggerLevel, message);
            return written;
        }
        catch (final Throwable ex)
        {
            return 0; // an upcall must not throw
        }
    }

    private static synchronized void record(final String message)
    {
        if (RECENT.size() == KEPT)
        {
            RECENT.removeFirst();
        }
        RECENT.addLast(message);
        sequence++;
    }
}
