package io.wirekv.nativebindings.xdp;

import io.wirekv.nativebindings.NativeException;
import io.wirekv.nativebindings.NativeLibrary;

/**
 * Loads libxdp ({@value #LIBXDP}, Debian package {@value #LIBXDP_PACKAGE}) and libbpf ({@value #LIBBPF},
 * Debian package {@value #LIBBPF_PACKAGE}) once, remembering why when either is missing, so every binding
 * fails with the same message naming the package to install.
 */
public final class XdpLibraries
{
    /** libxdp's soname (libxdp 1.3: AF_XDP sockets and XDP program attach). */
    public static final String LIBXDP = "libxdp.so.1";
    /** The Debian package that provides {@value #LIBXDP}. */
    public static final String LIBXDP_PACKAGE = "libxdp1";
    /** libbpf's soname (libbpf 1.1: BPF objects and maps). */
    public static final String LIBBPF = "libbpf.so.1";
    /** The Debian package that provides {@value #LIBBPF}. */
    public static final String LIBBPF_PACKAGE = "libbpf1";

    private XdpLibraries()
    {
    }

    private static final class Holder
    {
        static final NativeLibrary LIBXDP_LIBRARY;
        static final NativeLibrary LIBBPF_LIBRARY;
        static final NativeException FAILURE;

        static
        {
            NativeLibrary xdp = null;
            NativeLibrary bpf = null;
            NativeException failure = null;
            try
            {
                // libbpf first: libxdp depends on it, and a missing libbpf should be named as such.
                bpf = NativeLibrary.load(LIBBPF, LIBBPF_PACKAGE);
                xdp = NativeLibrary.load(LIBXDP, LIBXDP_PACKAGE);
            }
            catch (final NativeException ex)
            {
                failure = ex;
            }
            LIBXDP_LIBRARY = xdp;
            LIBBPF_LIBRARY = bpf;
            FAILURE = failure;
            if (failure == null)
            {
                XdpLog.install(xdp, bpf);
            }
        }
    }


    /**
     * @return libxdp.
     * @throws NativeException naming the Debian package when libxdp or libbpf is missing.
     */
    public static NativeLibrary libxdp()
    {
        check();
        return Holder.LIBXDP_LIBRARY;
    }

    /**
     * @return libbpf.
     * @throws NativeException naming the Debian package when libbpf or libxdp is missing.
     */
    public static NativeLibrary libbpf()
    {
        check();
        return Holder.LIBBPF_LIBRARY;
    }

    /**
     * @return true when both libraries load.
     */
    public static boolean isAvailable()
    {
        return Holder.FAILURE == null;
    }

    /**
     * @return why the libraries cannot be used, or {@code null} when they can.
     */
    public static String unavailableReason()
    {
        return Holder.FAILURE == null ? null : Holder.FAILURE.getMessage();
    }

    private static void check()
    {
        final NativeException failure = Holder.FAILURE;
        if (failure != null)
        {
            throw new NativeException(failure.call(), failure.errno(), failure.hint());
        }
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
