package io.wirekv.nativebindings.xdp;

import io.wirekv.nativebindings.NativeException;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Finds wirekv's compiled XDP program ({@value #FILE}, from src/main/bpf/wirekv_xdp.c):
 * <ol>
 *     <li>{@code -Dwirekv.native.dir=DIR}: {@code DIR/wirekv_xdp.o}, used as is;</li>
 *     <li>the class path resource {@value #RESOURCE}, which the Maven build writes to {@code target/classes}
 *     (used in place) and so into the jar (extracted to a temporary file, deleted at exit).</li>
 * </ol>
 * The build skips the program with a warning when clang or the libbpf headers are missing; then this
 * fails naming the Debian packages to install.
 */
public final class XdpObjectFile
{
    /** The object file's name. */
    public static final String FILE = "wirekv_xdp.o";
    /** Where the build puts it on the class path (BPF bytecode is the same on every architecture). */
    public static final String RESOURCE = "native/bpf/" + FILE;
    /** System property naming a directory that holds {@value #FILE}. */
    public static final String NATIVE_DIR_PROPERTY = "wirekv.native.dir";
    /** Debian packages needed to build the program. */
    public static final String BUILD_PACKAGES = "clang libbpf-dev";

    private XdpObjectFile()
    {
    }

    /**
     * @return the program's file, extracted from the jar when needed.
     * @throws NativeException naming what is missing and what to do.
     */
    public static Path locate()
    {
        return locate(System.getProperty(NATIVE_DIR_PROPERTY), XdpObjectFile.class.getClassLoader());
    }

    static Path locate(final String dir, final ClassLoader loader)
    {
        if (dir != null && !dir.isEmpty())
        {
            final Path path = Path.of(dir, FILE).toAbsolutePath();
            if (Files.isRegularFile(path))
            {
                return path;
            }
        }
        final URL url = loader.getResource(RESOURCE);
        if (url == null)
        {
            throw new NativeException("load(classpath:" + RESOURCE + ")", 0,
                "wirekv was built without its XDP program (the build skips it when clang or the libbpf headers are " +
                "missing): install Debian packages " + BUILD_PACKAGES + " (`apt-get install " + BUILD_PACKAGES +
                "`), then rebuild wirekv");
        }
        try
        {
            if ("file".equals(url.getProtocol()))
            {
                return Path.of(url.toURI());
            }
            final Path extracted = Files.createTempFile("wirekv_xdp", ".o");
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
                "could not copy the XDP program out of the jar (" + ex + "); set -D" + NATIVE_DIR_PROPERTY +
                " to a directory holding " + FILE);
        }
    }
}
