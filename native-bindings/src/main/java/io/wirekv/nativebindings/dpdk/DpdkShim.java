package io.wirekv.nativebindings.dpdk;

import io.wirekv.nativebindings.NativeException;
import io.wirekv.nativebindings.NativeLibrary;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Finds and loads {@code libwirekv_dpdk_shim.so}, the small C library (src/main/c/wirekv_dpdk_shim.c)
 * that exports DPDK's {@code static inline} per-packet calls and the struct layouts, and through whose
 * dependencies (librte_eal, librte_ethdev, librte_mempool, librte_mbuf) every other DPDK symbol is
 * resolved, so the Java side always calls the same DPDK the shim was linked against.
 * <p>
 * <b>Where it is looked for</b>, in order:
 * <ol>
 *     <li>{@code -Dwirekv.native.dir=DIR}: {@code DIR/libwirekv_dpdk_shim.so}, used as is;</li>
 *     <li>the class path resource {@code native/linux-<arch>/libwirekv_dpdk_shim.so}, which the Maven
 *     build puts in {@code target/classes} (loaded in place) and so in the jar (extracted to a temporary
 *     file, deleted at exit).</li>
 * </ol>
 * The build skips the shim with a warning when gcc, pkg-config or libdpdk-dev is missing; then, and
 * when DPDK's shared libraries are missing at run time, loading fails with a {@link NativeException}
 * that says to install the Debian packages {@value #DEBIAN_PACKAGES}.
 * <p>
 * Loading the library only dlopens DPDK: it does not initialise the EAL (see {@link Eal}).
 */
public final class DpdkShim
{
    /** The shim's file name. */
    public static final String LIBRARY_FILE = "libwirekv_dpdk_shim.so";

    /** System property naming a directory that holds {@value #LIBRARY_FILE}; overrides the class path copy. */
    public static final String NATIVE_DIR_PROPERTY = "wirekv.native.dir";

    /** Debian packages that provide DPDK's libraries and the headers the shim is built from. */
    public static final String DEBIAN_PACKAGES = "dpdk libdpdk-dev";

    private DpdkShim()
    {
    }

    private static final class Holder
    {
        static final NativeLibrary LIBRARY;
        static final NativeException FAILURE;

        static
        {
            NativeLibrary library = null;
            NativeException failure = null;
            try
            {
                library = NativeLibrary.load(
                    locate(System.getProperty(NATIVE_DIR_PROPERTY), resourceName(), DpdkShim.class.getClassLoader())
                        .toString(),
                    DEBIAN_PACKAGES);
            }
            catch (final NativeException ex)
            {
                failure = ex;
            }
            LIBRARY = library;
            FAILURE = failure;
        }
    }

    /**
     * @return the loaded shim; the first call loads it.
     * @throws NativeException when it is missing or DPDK's libraries cannot be loaded; the message names
     *                         the Debian packages to install.
     */
    public static NativeLibrary library()
    {
        if (Holder.FAILURE != null)
        {
            throw new NativeException(Holder.FAILURE.call(), Holder.FAILURE.errno(), Holder.FAILURE.hint());
        }
        return Holder.LIBRARY;
    }

    /**
     * @return true when the shim and DPDK's libraries load.
     */
    public static boolean isAvailable()
    {
        return Holder.FAILURE == null;
    }

    /**
     * @return why the shim cannot be used, or {@code null} when it can.
     */
    public static String unavailableReason()
    {
        return Holder.FAILURE == null ? null : Holder.FAILURE.getMessage();
    }

    /**
     * @return the class path resource the build writes the shim to, e.g.
     * {@code native/linux-x86_64/libwirekv_dpdk_shim.so}.
     */
    public static String resourceName()
    {
        final String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        return "native/linux-" + ("amd64".equals(arch) ? "x86_64" : arch) + "/" + LIBRARY_FILE;
    }

    /**
     * @param dir      the value of {@value #NATIVE_DIR_PROPERTY}, or null.
     * @param resource the class path resource, see {@link #resourceName()}.
     * @param loader   where to look for the resource.
     * @return the shim's file, extracted from a jar when needed.
     * @throws NativeException naming what is missing and what to do.
     */
    static Path locate(final String dir, final String resource, final ClassLoader loader)
    {
        if (dir != null && !dir.isEmpty())
        {
            final Path path = Path.of(dir, LIBRARY_FILE).toAbsolutePath();
            if (!Files.isRegularFile(path))
            {
                throw new NativeException("load(" + path + ")", 0,
                    "-D" + NATIVE_DIR_PROPERTY + "=" + dir + " does not hold " + LIBRARY_FILE +
                    ": point it at native-bindings/target/native, or unset it to use the copy in the jar");
            }
            return path;
        }

        final URL url = loader.getResource(resource);
        if (url == null)
        {
            throw new NativeException("load(classpath:" + resource + ")", 0,
                "wirekv was built without its DPDK shim (the build skips it when DPDK is missing): " +
                "install Debian packages dpdk and libdpdk-dev (`apt-get install " + DEBIAN_PACKAGES +
                "`), then rebuild wirekv");
        }
        try
        {
            if ("file".equals(url.getProtocol()))
            {
                return Path.of(url.toURI());
            }
            final Path extracted = Files.createTempFile("wirekv_dpdk_shim", ".so");
            extracted.toFile().deleteOnExit();
            try (InputStream in = url.openStream())
            {
                Files.copy(in, extracted, StandardCopyOption.REPLACE_EXISTING);
            }
            return extracted;
        }
        catch (final IOException | URISyntaxException ex)
        {
            throw new NativeException("extract(" + url + ")", 0,
                "could not copy the DPDK shim out of the jar (" + ex + "); set -D" + NATIVE_DIR_PROPERTY +
                " to a directory holding " + LIBRARY_FILE);
        }
    }
}
