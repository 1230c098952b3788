package io.wirekv.e2e.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirekv.e2e.durability.AckOracle.Durability;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Proves the crash test can fail: against a {@code wirekv serve} that keeps nothing across a restart (no
 * persistence), the checker must report lost acknowledged writes. It must also find nothing else wrong: every
 * reply during the load is one the oracle predicted and every key after the restart is explained, so the
 * harness's own model of the commands is checked against the real server too.
 */
class CrashHarnessSelfTest
{
    @Test
    void shouldReportLostAcknowledgedWritesWhenTheServerDoesNotPersist() throws Exception
    {
        final CrashRun.Settings settings = CrashRun.Settings.of(Durability.NONE, List.of("--mode", "store", "--writers", "2"), 2,
            Long.getLong("wirekv.crash.seed", System.nanoTime()), System.currentTimeMillis() + 90_000)
            .withLoadMs(100, 400, 200);

        final CrashRun.Summary summary = CrashRun.run(settings, System.out);

        assertEquals(2, summary.cycles(), summary::describe);
        assertEquals(1, summary.recoveryKills(), () -> "cycle 2 kills a start-up too: " + summary.describe());
        assertTrue(summary.acknowledged() >= 400, () -> "too few acknowledged writes to judge: " + summary.describe());
        assertTrue(summary.lost() > 0 && summary.cyclesWithLoss() == 2,
            () -> "a server without persistence lost nothing according to the checker: " + summary.describe());
        assertTrue(summary.problems().stream().anyMatch(p -> p.contains("acknowledged write(s) lost")), summary.problems()::toString);
        assertTrue(summary.consistent(), () -> summary.describe() + "\n" + String.join("\n", summary.problems()));
    }

    /**
     * The other half: read back from the same server without a kill, every acknowledged write must be there exactly
     * (values, flags, TTLs, CAS uniques as mg shows them), or the harness would report losses a persistent server
     * never had. Three cycles, so that a cycle starts from the state the previous one verified.
     */
    @Test
    void shouldFindEveryAcknowledgedWriteOnAServerThatWasNotKilled() throws Exception
    {
        final CrashRun.Settings settings = CrashRun.Settings.of(Durability.SYNC, List.of("--mode", "store", "--writers", "2"), 3,
            Long.getLong("wirekv.crash.seed", System.nanoTime()), System.currentTimeMillis() + 90_000)
            .withLoadMs(200, 600, 300).withoutKill();

        final CrashRun.Summary summary = CrashRun.run(settings, System.out);

        assertEquals(3, summary.cycles(), summary::describe);
        assertTrue(summary.acknowledged() >= 900, () -> "too few acknowledged writes to judge: " + summary.describe());
        assertEquals(0, summary.lost(), () -> summary.describe() + "\n" + String.join("\n", summary.problems()));
        assertTrue(summary.consistent(), () -> summary.describe() + "\n" + String.join("\n", summary.problems()));
    }
}
