package io.wirekv.hugepages;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FramePoolTest
{
    @Test
    void shouldHandOutEveryFrameOnceThenReportExhaustion()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment memory = arena.allocate(8 * 2048 + 100, 4096);
            final FramePool pool = new FramePool(memory, 2048);
            assertEquals(8, pool.frameCount());
            final Set<Integer> frames = new HashSet<>();
            for (int i = 0; i < 8; i++)
            {
                final int frame = pool.acquire();
                assertTrue(frames.add(frame), "handed out twice: " + frame);
                assertTrue(pool.frameOffset(frame) + 2048 <= memory.byteSize());
                assertEquals(memory.address() + frame * 2048L, pool.frameAddress(frame));
            }
            assertEquals(Set.of(0, 1, 2, 3, 4, 5, 6, 7), frames);
            assertEquals(0, pool.available());
            assertEquals(FramePool.NO_FRAME, pool.acquire());
        }
    }

    @Test
    void shouldReuseTheMostRecentlyReleasedFrameFirst()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final FramePool pool = new FramePool(arena.allocate(4 * 256), 256);
            final int a = pool.acquire();
            final int b = pool.acquire();
            final int c = pool.acquire();
            assertEquals(0, a);
            assertTrue(pool.release(b));
            assertTrue(pool.release(a));
            assertEquals(a, pool.acquire());
            assertEquals(b, pool.acquire());
            assertTrue(pool.isInUse(c));
            assertEquals(1, pool.available());
        }
    }

    @Test
    void shouldRefuseDoubleAndForeignReleases()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final FramePool pool = new FramePool(arena.allocate(2 * 64), 64);
            final int frame = pool.acquire();
            assertTrue(pool.release(frame));
            assertFalse(pool.release(frame));
            assertFalse(pool.release(-1));
            assertFalse(pool.release(2));
            assertEquals(2, pool.available());
        }
        assertThrows(IllegalArgumentException.class, () -> new FramePool(MemorySegment.ofArray(new byte[10]), 64));
    }

    @Test
    void shouldCarveAMappedRegion()
    {
        final MemoryAccounting accounting = new MemoryAccounting();
        final HugepageMemory memory = new HugepageMemory(accounting, message -> { });
        try (MemoryRegion region = memory.map("frames", 64 * 2048, PageSize.BASE_4K))
        {
            final FramePool pool = new FramePool(region, 2048);
            assertEquals(64, pool.frameCount());
            final int frame = pool.acquire();
            pool.segment().set(java.lang.foreign.ValueLayout.JAVA_LONG, pool.frameOffset(frame), 1L);
        }
        assertEquals(0, accounting.mappedBytes());
    }
}
