package io.wirekv.dataplane.port;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Settings are refused before any memory is mapped or socket opened, with the rule in the message.
 */
class XskFrameQueueConfigTest
{
    @Test
    void shouldAcceptTheDefaults()
    {
        assertDoesNotThrow(() -> new XskFrameQueueConfig("eth0", 0).validate());
    }

    @Test
    void shouldRefuseAFrameSizeAfXdpCannotUseInAlignedMode()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new XskFrameQueueConfig("eth0", 0).frames(4096, 3000).validate());
        assertTrue(ex.getMessage().contains("2048 or 4096"), ex.getMessage());
    }

    @Test
    void shouldRefuseRingSizesThatAreNotPowersOfTwo()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new XskFrameQueueConfig("eth0", 0).rings(1024, 1000, 1024, 1024).validate());
        assertTrue(ex.getMessage().contains("completion ring size must be a power of two"), ex.getMessage());
    }

    @Test
    void shouldRefuseAFillRingThatWouldHoldEveryFrame()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new XskFrameQueueConfig("eth0", 0).frames(1024, 2048).rings(1024, 1024, 1024, 1024).validate());
        assertTrue(ex.getMessage().contains("no frame is left for replies"), ex.getMessage());
    }

    @Test
    void shouldRefuseAQueueIdBeyondTheProgramsMap()
    {
        assertThrows(IllegalArgumentException.class, () -> new XskFrameQueueConfig("eth0", 256).validate());
        assertThrows(IllegalArgumentException.class, () -> new XskFrameQueueConfig("eth0", -1).validate());
    }
}
