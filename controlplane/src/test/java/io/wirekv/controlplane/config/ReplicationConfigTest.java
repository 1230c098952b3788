package io.wirekv.controlplane.config;

import io.wirekv.dataplane.replication.ReplicationSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** replication.role, .mode, .listen, .peer, .sync.timeout: concluded values and refusals that name key and fix. */
class ReplicationConfigTest
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

    private static List<String> problems(final String... keyValues)
    {
        return assertThrows(ConfigException.class, () -> validate(keyValues)).problems();
    }

    @Test
    void shouldConcludeABackupAndAPrimary(@TempDir final Path dir)
    {
        final ReplicationSettings backup = validate("persistence", "sync", "data.dir", dir.toString(),
            "replication.role", "backup", "replication.listen", "127.0.0.1:11311", "replication.mode", "sync",
            "replication.sync.timeout", "250ms").config().replication();
        assertEquals(ReplicationSettings.Role.BACKUP, backup.role());
        assertEquals(ReplicationSettings.Mode.SYNC, backup.mode());
        assertEquals(new ReplicationSettings.HostPort("127.0.0.1", 11311), backup.listen());
        assertEquals(250, backup.syncTimeoutMs());
        final ReplicationSettings primary = validate("persistence", "async", "data.dir", dir.toString(),
            "replication.role", "primary", "replication.peer", "10.0.0.2:11311").config().replication();
        assertEquals(ReplicationSettings.Role.PRIMARY, primary.role());
        assertEquals(ReplicationSettings.Mode.ASYNC, primary.mode(), "async by default");
        assertEquals(1000, primary.syncTimeoutMs(), "1s by default");
        assertEquals(ReplicationSettings.Role.NONE, validate().config().replication().role(), "none by default");
    }

    @Test
    void shouldRefuseBadCombinationsNamingKeyAndFix(@TempDir final Path dir)
    {
        assertTrue(problems("replication.role", "backup", "replication.listen", "127.0.0.1:11311").contains(
            "replication.role = backup: needs persistence async or sync and a data.dir (the stream is the partition " +
                "logs): set persistence / --persistence and data.dir / --data-dir, or replication.role = none (test)"));
        assertTrue(problems("persistence", "async", "data.dir", dir.toString(), "replication.role", "backup").stream()
            .anyMatch(p -> p.startsWith("replication.listen = : is required for a backup")), "listen missing");
        assertTrue(problems("persistence", "async", "data.dir", dir.toString(), "replication.role", "primary").stream()
            .anyMatch(p -> p.startsWith("replication.peer = : is required for a primary")), "peer missing");
        assertTrue(problems("replication.role", "leader").contains(
            "replication.role = leader: must be none, primary or backup (test)"));
        assertTrue(problems("replication.mode", "semi").contains("replication.mode = semi: must be async or sync (test)"));
        assertTrue(problems("replication.peer", "nowhere").contains(
            "replication.peer = nowhere: must be host:port with a port from 1 to 65535, e.g. 127.0.0.1:11311 (test)"));
        assertTrue(problems("replication.sync.timeout", "5m").contains(
            "replication.sync.timeout = 5m: must be a duration from 1ms to 60s, e.g. 1s or 200ms (test)"));
    }
}
