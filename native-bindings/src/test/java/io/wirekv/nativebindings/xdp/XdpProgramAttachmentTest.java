package io.wirekv.nativebindings.xdp;

import io.wirekv.nativebindings.NativeException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Refusals that need no root; attaching for real is covered by the dataplane's XskFrameQueueVethTest.
 */
class XdpProgramAttachmentTest
{
    @Test
    void shouldRefuseAPortOutsideTheUdpRange()
    {
        assertThrows(IllegalArgumentException.class, () -> XdpProgramAttachment.attach("lo", 0, 0, XdpAttachMode.AUTO));
        assertThrows(IllegalArgumentException.class, () -> XdpProgramAttachment.attach("lo", 65536, 0, XdpAttachMode.AUTO));
    }

    @Test
    void shouldNameAMissingInterface()
    {
        Assumptions.assumeTrue(XdpLibraries.isAvailable(), () -> "skipped: " + XdpLibraries.unavailableReason());

        final NativeException ex = assertThrows(NativeException.class,
            () -> XdpProgramAttachment.attach("wkx-no-such-if", 11211, 0, XdpAttachMode.AUTO));

        assertTrue(ex.getMessage().contains("if_nametoindex(wkx-no-such-if)"), ex.getMessage());
        assertTrue(ex.getMessage().contains("no such network interface"), ex.getMessage());
    }

    @Test
    void shouldSpellBindFlagsForReports()
    {
        assertTrue(XskSocket.bindFlagsText(XskDescriptor.XDP_ZEROCOPY | XskDescriptor.XDP_USE_NEED_WAKEUP)
            .equals("XDP_ZEROCOPY|XDP_USE_NEED_WAKEUP"));
        assertTrue(XskSocket.bindFlagsText(0).equals("no bind flags"));
    }
}
