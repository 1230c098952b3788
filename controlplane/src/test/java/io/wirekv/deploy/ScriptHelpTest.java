package io.wirekv.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every deploy script: --help exits 0 and mentions every option its parser accepts; a bad option exits 2. */
class ScriptHelpTest
{
    @ParameterizedTest
    @ValueSource(strings = {"hugepages.sh", "nic-bind.sh", "tune-cpu.sh", "preflight.sh", "install-service.sh",
        "pool/wirekv-pool.sh", "crash-test.sh", "bench-durability.sh", "bench-overload.sh"})
    void shouldDocumentEveryOptionInHelp(final String script)
    {
        final List<String> options = DeployScripts.parsedOptions(script);
        assertTrue(options.size() >= 2 && options.contains("--help"), () -> script + ": parser options not found: " + options);

        final DeployScripts.Result r = DeployScripts.run(script, "--help");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("", r.stderr());
        for (final String option : options)
        {
            assertTrue(r.stdout().matches("(?s).*(^|[\\s\\[|])" + option.replace("-", "\\-") + "([\\s\\]=|].*|$)"),
                () -> script + " --help does not mention " + option + ":\n" + r.stdout());
        }
        assertTrue(r.stdout().contains("deploy/" + script), () -> script + " --help has no usage line");
    }

    @ParameterizedTest
    @ValueSource(strings = {"hugepages.sh", "nic-bind.sh", "tune-cpu.sh", "preflight.sh", "install-service.sh",
        "pool/wirekv-pool.sh", "crash-test.sh", "bench-durability.sh", "bench-overload.sh"})
    void shouldRejectAnUnknownOptionWithUsageStatus(final String script)
    {
        final DeployScripts.Result r = DeployScripts.run(script, "--no-such-option", "--dry-run");

        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("unknown option '--no-such-option'"), r::toString);
    }
}
