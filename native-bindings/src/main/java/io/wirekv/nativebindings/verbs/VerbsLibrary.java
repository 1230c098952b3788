package io.wirekv.nativebindings.verbs;

import io.wirekv.nativebindings.NativeException;
import io.wirekv.nativebindings.NativeLibrary;

/**
 * Loads libibverbs ({@value #LIBIBVERBS}, Debian package {@value #PACKAGE}) on first use, remembering why when
 * it is missing: a host without the library answers "RDMA unavailable" through {@link #unavailableReason()}
 * instead of failing class initialisation somewhere in the replication start-up.
 */
public final class VerbsLibrary
{
    /** libibverbs' soname (rdma-core 44: libibverbs.so.1.14.44.0). */
    public static final String LIBIBVERBS = "libibverbs.so.1";
    /** The Debian package that provides {@value #LIBIBVERBS}. */
    public static final String PACKAGE = "libibverbs1";

    private VerbsLibrary()
    {
    }

    private static final class Holder
    {
        static final NativeLibrary LIBRARY;
        static final NativeException FAILURE;

        static final String REASON;

        static
        {
            NativeLibrary library = null;
            NativeException failure = null;
            try
            {
                library = NativeLibrary.load(LIBIBVERBS, PACKAGE);
            }
            catch (final NativeException ex)
            {
                failure = ex;
            }
            LIBRARY = library;
            FAILURE = failure;
            REASON = failure == null ? null : notFound(LIBIBVERBS);
        }
    }

    /**
     * Tries to load {@code soname} the way the holder loads {@value #LIBIBVERBS}; for the test of the missing-library
     * answer (the real library cannot be hidden from {@code dlopen} on a host that has it).
     *
     * @return null when it loads, else the reason {@link #unavailableReason()} would give.
     */
    static String loadReason(final String soname)
    {
        try
        {
            NativeLibrary.load(soname, PACKAGE);
            return null;
        }
        catch (final NativeException ex)
        {
            return notFound(soname);
        }
    }

    private static String notFound(final String soname)
    {
        return "RDMA unavailable: " + soname + " not found (install Debian package " + PACKAGE + ")";
    }

    /**
     * @return libibverbs.
     * @throws NativeException naming the Debian package when the library is missing.
     */
    public static NativeLibrary library()
    {
        final NativeException failure = Holder.FAILURE;
        if (failure != null)
        {
            throw new NativeException(failure.call(), failure.errno(), failure.hint());
        }
        return Holder.LIBRARY;
    }

    /**
     * @return true when libibverbs loads (which says nothing about devices: see {@link RdmaDevices#discover()}).
     */
    public static boolean isAvailable()
    {
        return Holder.FAILURE == null;
    }

    /**
     * @return {@code "RDMA unavailable: libibverbs.so.1 not found (...)"}, or {@code null} when the library loads.
     */
    public static String unavailableReason()
    {
        return Holder.REASON;
    }

    static RuntimeException rethrow(final Throwable ex)
    {
        if (ex instanceof RuntimeException re)
        {
            throw re;
        }
        if (ex instanceof Error err)
        {
            throw err;
        }
        throw new IllegalStateException(ex);
    }
}
