package io.wirekv.nativebindings;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * A native library found by name, with the Debian package that provides it so a missing library
 * fails with the fix in the message.
 * <p>
 * The C library is {@link #libc()} (the linker's default lookup; always present). Other bindings
 * (DPDK, libxdp, libibverbs) load theirs with {@link #load(String, String)} once, in a holder
 * class, and build their {@code static final} method handles from it with {@link #downcall}.
 */
public final class NativeLibrary
{
    /** Downcall option: errno is captured into the state segment passed as the first argument. */
    public static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    /**
     * Downcall option for short non-blocking calls: no thread-state transition, no heap segments.
     * Never use it for a call that may block (a critical call holds up safepoints while it runs).
     */
    public static final Linker.Option CRITICAL = Linker.Option.critical(false);

    private static final Linker LINKER = Linker.nativeLinker();
    private static final NativeLibrary LIBC = new NativeLibrary("libc", "libc6", LINKER.defaultLookup());

    private final String name;
    private final String debianPackage;
    private final SymbolLookup lookup;

    private NativeLibrary(final String name, final String debianPackage, final SymbolLookup lookup)
    {
        this.name = name;
        this.debianPackage = debianPackage;
        this.lookup = lookup;
    }

    /**
     * @return the C library (through the linker's default lookup).
     */
    public static NativeLibrary libc()
    {
        return LIBC;
    }

    /**
     * Loads a shared library by its soname or path for the life of the JVM.
     *
     * @param name          e.g. {@code "libxdp.so.1"}, or an absolute path.
     * @param debianPackage the Debian package that provides it, named in the error, e.g. {@code "libxdp1"}.
     * @return the library.
     * @throws NativeException when it cannot be loaded; the message says which package to install.
     */
    @SuppressWarnings("restricted")
    public static NativeLibrary load(final String name, final String debianPackage)
    {
        try
        {
            return new NativeLibrary(name, debianPackage, SymbolLookup.libraryLookup(name, Arena.global()));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new NativeException(
                "dlopen(" + name + ")", 0,
                "The shared library was not found: install it with `apt-get install " + debianPackage +
                "` (or set LD_LIBRARY_PATH to the directory that holds it) [" + ex.getMessage() + "]");
        }
    }

    /**
     * @return the soname or path the library was loaded by.
     */
    public String name()
    {
        return name;
    }

    /**
     * @return the Debian package that provides the library.
     */
    public String debianPackage()
    {
        return debianPackage;
    }

    /**
     * @param symbol a function or data symbol.
     * @return its address, if the library exports it.
     */
    public Optional<MemorySegment> find(final String symbol)
    {
        return lookup.find(symbol);
    }

    /**
     * Builds a downcall handle; call once per function and keep it in a {@code static final} field.
     *
     * @param symbol     the function's name.
     * @param descriptor its C signature.
     * @param options    e.g. {@link #CAPTURE_ERRNO}, {@link #CRITICAL}.
     * @return the handle.
     * @throws NativeException when the symbol is missing (e.g. an older library version).
     */
    @SuppressWarnings("restricted")
    public MethodHandle downcall(final String symbol, final FunctionDescriptor descriptor, final Linker.Option... options)
    {
        final MemorySegment address = lookup.find(symbol).orElseThrow(() -> new NativeException(
            "dlsym(" + name + ", " + symbol + ")", 0,
            "The symbol is missing: the installed " + name + " may be too old; check the version of Debian package " +
            debianPackage));
        return LINKER.downcallHandle(address, descriptor, options);
    }
}
