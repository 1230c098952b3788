package io.wirekv.nativebindings.dpdk;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A failing {@code rte_eal_init} in a child JVM (a failed init spoils the EAL for the whole process, so
 * it cannot share the test JVM with {@link DpdkEthPortTest}).
 */
class EalStartFailureTest
{
    /**
     * The child: starts the EAL with the given arguments and prints what it got.
     *
     * @param args EAL arguments.
     */
    public static void main(final String[] args)
    {
        try (Eal eal = Eal.start(List.of(args)))
        {
            System.out.println("STARTED lcore " + eal.mainLcore());
        }
        catch (final RuntimeException ex)
        {
            System.out.println("FAILED " + ex.getClass().getSimpleName() + ": " + ex.getMessage());
        }
    }

    @Test
    void shouldExplainARefusedEalArgumentWithDpdksReason() throws Exception
    {
        assumeTrue(DpdkShim.isAvailable(), () -> "DPDK shim unavailable: " + DpdkShim.unavailableReason());
        final String java = ProcessHandle.current().info().command().orElse("java");
        final String classPath = location(Eal.class) + File.pathSeparator + location(EalStartFailureTest.class);
        final Process process = new ProcessBuilder(
            java, "--enable-native-access=ALL-UNNAMED", "-cp", classPath, EalStartFailureTest.class.getName(),
            "-l", "0", "--no-huge", "--no-shconf", "--wirekv-no-such-option")
            .redirectErrorStream(true).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertEquals(0, process.exitValue(), output);
        assertTrue(output.contains("FAILED NativeException: rte_eal_init(-l 0 --no-huge --no-shconf --wirekv-no-such-option) failed"),
            output);
        assertTrue(output.contains("EINVAL"), output);
        assertTrue(output.contains("Check the EAL arguments"), output);
    }

    private static String location(final Class<?> type) throws Exception
    {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
