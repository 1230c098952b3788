package io.wirekv.controlplane.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest
{
    @Test
    void shouldReadKeyValueLinesSkippingCommentsAndBlankLines()
    {
        final Map<String, Setting> s = ConfigLoader.parse("""
            # a comment
            port = 12345

              memory=4g   # trailing comment
            cpus = 2,3
            tcp.threads: 2
            ! properties-style comment
            """, "test.conf");

        assertEquals(List.of("port", "memory", "cpus", "tcp.threads"), List.copyOf(s.keySet()));
        assertEquals("12345", s.get("port").value());
        assertEquals("4g", s.get("memory").value());
        assertEquals("2,3", s.get("cpus").value());
        assertEquals("2", s.get("tcp.threads").value());
        assertEquals("test.conf line 4", s.get("memory").origin());
    }

    @Test
    void shouldKeepAnEmptyValue()
    {
        assertEquals("", ConfigLoader.parse("cpus =\n", "f").get("cpus").value());
    }

    @Test
    void shouldRejectALineThatIsNotKeyValue()
    {
        final ConfigException ex = assertThrows(ConfigException.class, () -> ConfigLoader.parse("port 11211\n", "f.conf"));
        assertEquals(List.of("f.conf line 1: expected 'key = value', got 'port 11211'"), ex.problems());
    }

    @Test
    void shouldRejectAnUnknownKeySuggestingTheClosestAndListingValidKeys()
    {
        final ConfigException ex = assertThrows(ConfigException.class,
            () -> ConfigLoader.parse("port = 1\npartition = 16\n", "f.conf"));
        assertEquals(List.of("f.conf line 2: unknown key 'partition'; did you mean 'partitions'? Valid keys: " +
            ConfigKey.validKeys()), ex.problems());
    }

    @Test
    void shouldSuggestTheDottedKeyForUnderscoreOrDashSpellings()
    {
        assertEquals("tcp.threads", ConfigKey.suggest("tcp_threads"));
        assertEquals("item.size.max", ConfigKey.suggest("item-size-max"));
        assertEquals("memory", ConfigKey.suggest("memroy"));
    }

    @Test
    void shouldNotSuggestAnythingForAnUnrelatedKey()
    {
        final ConfigException ex = assertThrows(ConfigException.class, () -> ConfigLoader.parse("zzzzzzzzz = 1\n", "f"));
        assertEquals(List.of("f line 1: unknown key 'zzzzzzzzz'. Valid keys: " + ConfigKey.validKeys()), ex.problems());
    }

    @Test
    void shouldRejectAKeySetTwice()
    {
        final ConfigException ex = assertThrows(ConfigException.class, () -> ConfigLoader.parse("port = 1\nport = 2\n", "f"));
        assertEquals(List.of("f line 2: key 'port' is already set on line 1; keep one of them"), ex.problems());
    }

    @Test
    void shouldReportEveryProblemOfAFileAtOnce()
    {
        final ConfigException ex = assertThrows(ConfigException.class,
            () -> ConfigLoader.parse("bogus = 1\nport\nport = 1\nport = 2\n", "f"));
        assertEquals(3, ex.problems().size());
    }

    @Test
    void shouldNameAMissingFile(@TempDir final Path dir)
    {
        final Path missing = dir.resolve("nope.conf");
        final ConfigException ex = assertThrows(ConfigException.class, () -> ConfigLoader.load(missing));
        assertEquals("cannot read config file " + missing + ": no such file", ex.getMessage());
    }

    @Test
    void shouldLoadAFileNamingItInOrigins(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("w.conf");
        Files.writeString(file, "writers = 2\n");
        final Setting s = ConfigLoader.load(file).get("writers");
        assertEquals("2", s.value());
        assertTrue(s.origin().endsWith("w.conf line 1"), s.origin());
    }
}
