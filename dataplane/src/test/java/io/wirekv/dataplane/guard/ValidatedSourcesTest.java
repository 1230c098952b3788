package io.wirekv.dataplane.guard;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ValidatedSourcesTest
{
    private static final long SECOND_NS = 1_000_000_000L;
    private static final long T0 = 5 * SECOND_NS;

    @Test
    void shouldKnowOnlyValidatedAddresses()
    {
        final ValidatedSources sources = new ValidatedSources(64, T0);
        final int a = 0x0A00_0001;
        assertFalse(sources.isValidated(a, T0));
        sources.validate(a, T0);
        assertTrue(sources.isValidated(a, T0));
        assertFalse(sources.isValidated(a + 1, T0));
        assertFalse(sources.isValidated(0, T0));
    }

    @Test
    void shouldExpireAValidationAfterItsTtlUnlessRefreshed()
    {
        final ValidatedSources sources = new ValidatedSources(64, T0);
        final int a = 0xC000_0207;
        sources.validate(a, T0);
        final long ttlNs = ValidatedSources.VALIDATION_TTL_S * SECOND_NS;
        assertTrue(sources.isValidated(a, T0 + ttlNs));
        assertFalse(sources.isValidated(a, T0 + ttlNs + 2 * SECOND_NS));
        sources.validate(a, T0 + ttlNs + 2 * SECOND_NS); // a new TCP read refreshes it
        assertTrue(sources.isValidated(a, T0 + 2 * ttlNs));
    }

    @Test
    void shouldStayBoundedAndForgetTheOldestWhenFlooded()
    {
        final ValidatedSources sources = new ValidatedSources(8, T0);
        // 1,000 addresses into 8 entries: the table never grows, the most recent ones are known
        for (int i = 0; i < 1000; i++)
        {
            sources.validate(0x0A00_0000 + i, T0 + i * SECOND_NS / 100);
        }
        assertEquals(8, sources.capacity());
        int known = 0;
        for (int i = 0; i < 1000; i++)
        {
            known += sources.isValidated(0x0A00_0000 + i, T0 + 10 * SECOND_NS) ? 1 : 0;
        }
        assertEquals(8, known);
        assertTrue(sources.isValidated(0x0A00_0000 + 999, T0 + 10 * SECOND_NS));
    }

    @Test
    void shouldFindEveryAddressWhileTheTableHasRoom()
    {
        final ValidatedSources sources = new ValidatedSources(4096, T0);
        for (int i = 0; i < 1024; i++)
        {
            sources.validate(0xC0A8_0000 + i, T0);
        }
        int known = 0;
        for (int i = 0; i < 1024; i++)
        {
            known += sources.isValidated(0xC0A8_0000 + i, T0) ? 1 : 0;
        }
        // a quarter full: a probe window of 8 overflows only for the rare crowded neighbourhood
        assertTrue(known >= 1000, "known " + known);
    }

    @Test
    void shouldRefuseACapacityThatIsNotAPowerOfTwo()
    {
        for (final int bad : List.of(0, 4, 12, 100))
        {
            assertThrows(IllegalArgumentException.class, () -> new ValidatedSources(bad, 0), "" + bad);
        }
    }

    @Test
    void shouldCapOnlyUnvalidatedSourcesAndTrustLoopbackOnlyWhenAsked()
    {
        final ValidatedSources sources = new ValidatedSources(64, T0);
        final UdpGuard kernel = new UdpGuard(UdpAllowList.of(List.of("127.0.0.0/8", "10.0.0.0/24")), 3, sources, true);
        final UdpGuard bypass = new UdpGuard(UdpAllowList.of(List.of("127.0.0.0/8", "10.0.0.0/24")), 3, sources, false);
        assertEquals(87, kernel.unvalidatedBudgetBytes(29));
        assertTrue(kernel.isValidated(0x7F00_0001, T0));
        assertFalse(bypass.isValidated(0x7F00_0001, T0));
        assertFalse(kernel.isValidated(0x0A00_0002, T0));
        sources.validate(0x0A00_0002, T0);
        assertTrue(kernel.isValidated(0x0A00_0002, T0));
        assertFalse(kernel.allows(0x0A00_0102));
        assertEquals(Long.MAX_VALUE, UdpGuard.OPEN.unvalidatedBudgetBytes(29));
        assertTrue(UdpGuard.OPEN.allows(0x0A00_0102));
    }
}
