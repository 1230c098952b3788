package io.wirekv.controlplane.config;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** metrics.port and metrics.listen: control-plane keys that ServerConfig does not hold. */
class MetricsConfigTest
{
    private static final Machine MACHINE = new Machine(4, 8L << 30);

    private static ConcludedConfig validate(final String... keyValues)
    {
        final Map<String, Setting> settings = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2)
        {
            settings.put(keyValues[i], new Setting(keyValues[i], keyValues[i + 1], "test"));
        }
        return ConfigValidator.validate(settings, MACHINE);
    }

    @Test
    void shouldDisableMetricsOnLoopbackByDefault()
    {
        final ConcludedConfig c = validate();
        assertEquals(0, c.metricsPort());
        assertEquals("127.0.0.1", c.metricsListen());
    }

    @Test
    void shouldConcludeAndDescribeTheMetricsPortWithItsOrigin()
    {
        final ConcludedConfig c = validate("metrics.port", "9464", "metrics.listen", "0.0.0.0");
        assertEquals(9464, c.metricsPort());
        assertEquals("0.0.0.0", c.metricsListen());
        assertTrue(c.describe().matches("(?s).*metrics\\.port\\s+= 9464\\s+\\(test\\).*"), c.describe());
    }

    @Test
    void shouldRefuseABadMetricsPortOrAddress()
    {
        final ConfigException ex = assertThrows(ConfigException.class,
            () -> validate("metrics.port", "70000", "metrics.listen", "localhost"));
        assertEquals(List.of(
            "metrics.port = 70000: must be a whole number from 0 to 65535; 0 disables the metrics endpoint (test)",
            "metrics.listen = localhost: must be an IPv4 address such as 127.0.0.1 (the default keeps metrics local) (test)"),
            ex.problems());
    }
}
