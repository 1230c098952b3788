package io.wirekv.controlplane.cli;

import io.wirekv.controlplane.config.ConfigValidator;
import io.wirekv.controlplane.config.Machine;
import io.wirekv.controlplane.config.Setting;
import io.wirekv.dataplane.server.ServerConfig;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** serve warns when its polling threads would take turns on the one CPU it may run on. */
class CrowdedCpuWarningTest
{
    private static ServerConfig config(final String... keyValues)
    {
        final Map<String, Setting> settings = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2)
        {
            settings.put(keyValues[i], new Setting(keyValues[i], keyValues[i + 1], "test"));
        }
        return ConfigValidator.validate(settings, new Machine(4, 8L << 30)).config();
    }

    @Test
    void shouldWarnWhenSeparateWritersAndTcpThreadsShareOneCpu()
    {
        final String warning = ServeCommand.crowdedCpuWarning(config("lcores", "1", "writers", "1", "tcp.threads", "1"), 1);
        assertTrue(warning.contains("3 polling threads") && warning.contains("--colocate"), warning);
    }

    @Test
    void shouldNotWarnWhenColocatedOrGivenMoreCpus()
    {
        assertNull(ServeCommand.crowdedCpuWarning(config("lcores", "1", "colocate", "true"), 1));
        assertNull(ServeCommand.crowdedCpuWarning(config("lcores", "1", "writers", "1", "tcp.threads", "1"), 2));
    }

    @Test
    void shouldWarnWhenColocatedLcoresOutnumberTheCpu()
    {
        final String warning = ServeCommand.crowdedCpuWarning(config("lcores", "2", "colocate", "true"), 1);
        assertTrue(warning.contains("2 polling threads") && warning.contains("lcores=1"), warning);
    }
}
