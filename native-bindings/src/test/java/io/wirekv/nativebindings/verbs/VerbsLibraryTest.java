package io.wirekv.nativebindings.verbs;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class VerbsLibraryTest
{
    @Test
    void shouldAnswerRdmaUnavailableNamingTheLibraryAndPackageWhenItIsMissing()
    {
        assertEquals("RDMA unavailable: libwirekv-no-such-verbs.so.1 not found (install Debian package libibverbs1)",
            VerbsLibrary.loadReason("libwirekv-no-such-verbs.so.1"));
    }

    @Test
    void shouldLoadTheInstalledLibibverbs()
    {
        // deploy/install-deps.sh installs rdma-core/libibverbs-dev, which bring libibverbs1: in CI it is present.
        assertNull(VerbsLibrary.loadReason(VerbsLibrary.LIBIBVERBS));
        assertNull(VerbsLibrary.unavailableReason());
        assertEquals(true, VerbsLibrary.isAvailable());
    }
}
