package io.wirekv.nativebindings.xdp;

import io.wirekv.nativebindings.NativeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class XdpObjectFileTest
{
    @Test
    void shouldPreferTheNativeDirectoryWhenItHoldsTheProgram(@TempDir final Path dir) throws IOException
    {
        final Path object = Files.write(dir.resolve(XdpObjectFile.FILE), new byte[]{1, 2, 3});

        assertEquals(object.toAbsolutePath(), XdpObjectFile.locate(dir.toString(), emptyLoader()));
    }

    @Test
    void shouldNameThePackagesToInstallWhenTheBuildSkippedTheProgram(@TempDir final Path dir)
    {
        final NativeException ex = assertThrows(NativeException.class,
            () -> XdpObjectFile.locate(dir.toString(), emptyLoader()));

        assertTrue(ex.getMessage().contains("apt-get install clang libbpf-dev"), ex.getMessage());
    }

    @Test
    void shouldFindTheProgramTheBuildCompiledOnTheClassPath() throws IOException
    {
        final URL resource = getClass().getClassLoader().getResource(XdpObjectFile.RESOURCE);
        org.junit.jupiter.api.Assumptions.assumeTrue(resource != null,
            "skipped: this build did not compile the XDP program (no clang)");

        final Path object = XdpObjectFile.locate(null, getClass().getClassLoader());

        final byte[] header = Files.readAllBytes(object);
        assertTrue(header.length > 64, "an ELF object");
        assertEquals(0x7F, header[0] & 0xFF);
        assertEquals('E', header[1]);
        assertEquals(247, (header[18] & 0xFF) | (header[19] & 0xFF) << 8, "e_machine EM_BPF");
    }

    @Test
    void shouldExtractTheProgramFromAJar(@TempDir final Path dir) throws IOException
    {
        final byte[] content = {0x7F, 'E', 'L', 'F', 42};
        final Path jar = dir.resolve("wirekv-test.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)))
        {
            out.putNextEntry(new JarEntry(XdpObjectFile.RESOURCE));
            out.write(content);
            out.closeEntry();
        }
        try (URLClassLoader loader = new URLClassLoader(new URL[]{jar.toUri().toURL()}, null))
        {
            final Path extracted = XdpObjectFile.locate(null, loader);

            assertTrue(!extracted.startsWith(dir), "a copy outside the jar: " + extracted);
            assertArrayEquals(content, Files.readAllBytes(extracted));
        }
    }

    private static ClassLoader emptyLoader()
    {
        return new URLClassLoader(new URL[0], null);
    }
}
