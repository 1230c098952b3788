package io.wirekv.nativebindings.verbs;

import io.wirekv.nativebindings.CLayoutProbe;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The bytes {@link SendWorkRequestEncoder} writes, field by field at the offsets verbs.h gives (rdma-core 44,
 * x86_64), and read back by C through the header's own struct members. No device is needed: this is what
 * {@code ibv_post_send} would be handed.
 */
class SendWorkRequestEncoderTest
{
    private static final long WR_ID = 0x1122_3344_5566_7788L;
    private static final long LOCAL = 0x7f00_dead_b000L;
    private static final int LENGTH = 65_536;
    private static final int LKEY = 0x0a0b0c0d;
    private static final long REMOTE = 0x7e00_0000_1000L;
    private static final int RKEY = 0x01020304;

    @Test
    void shouldEncodeAnRdmaWriteAtTheHeaderOffsets()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment memory = arena.allocate(SendWorkRequestEncoder.SLOT_SIZE * 2, 8);
            memory.fill((byte)0xee); // stale bytes the encoder must clear
            final SendWorkRequestEncoder encoder = new SendWorkRequestEncoder().wrap(memory);
            encoder.rdmaWrite(0, WR_ID, LOCAL, LENGTH, LKEY, REMOTE, RKEY, VerbsLayouts.IBV_SEND_SIGNALED);

            assertEquals(2, encoder.slots());
            assertEquals(144, SendWorkRequestEncoder.SLOT_SIZE);
            // struct ibv_send_wr, offsets from verbs.h
            assertEquals(WR_ID, memory.get(JAVA_LONG, 0), "wr_id");
            assertEquals(0L, memory.get(JAVA_LONG, 8), "next (end of chain)");
            assertEquals(memory.address() + 128, memory.get(JAVA_LONG, 16), "sg_list -> this slot's sge");
            assertEquals(1, memory.get(JAVA_INT, 24), "num_sge");
            assertEquals(0, memory.get(JAVA_INT, 28), "opcode IBV_WR_RDMA_WRITE");
            assertEquals(2, memory.get(JAVA_INT, 32), "send_flags IBV_SEND_SIGNALED");
            assertEquals(0, memory.get(JAVA_INT, 36), "imm_data");
            assertEquals(REMOTE, memory.get(JAVA_LONG, 40), "wr.rdma.remote_addr");
            assertEquals(RKEY, memory.get(JAVA_INT, 48), "wr.rdma.rkey");
            for (long i = 52; i < 128; i++)
            {
                assertEquals(0, memory.get(JAVA_BYTE, i), "byte " + i + " (rest of the unions) is cleared");
            }
            // struct ibv_sge right after it
            assertEquals(LOCAL, memory.get(JAVA_LONG, 128), "sge.addr");
            assertEquals(LENGTH, memory.get(JAVA_INT, 136), "sge.length");
            assertEquals(LKEY, memory.get(JAVA_INT, 140), "sge.lkey");
            assertEquals((byte)0xee, memory.get(JAVA_BYTE, 144), "slot 1 untouched");
        }
    }

    @Test
    void shouldChainADoorbellWriteAfterTheBatch()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment memory = arena.allocate(SendWorkRequestEncoder.SLOT_SIZE * 2, 8);
            final SendWorkRequestEncoder encoder = new SendWorkRequestEncoder().wrap(memory);
            encoder.rdmaWrite(0, 1, LOCAL, LENGTH, LKEY, REMOTE, RKEY, 0);
            encoder.rdmaWrite(1, 2, LOCAL + LENGTH, 8, LKEY, REMOTE + 4096, RKEY,
                VerbsLayouts.IBV_SEND_SIGNALED | VerbsLayouts.IBV_SEND_INLINE);
            encoder.link(0, 1);

            assertEquals(memory.address() + 144, memory.get(JAVA_LONG, 8), "slot 0 next -> slot 1's wr");
            assertEquals(0L, memory.get(JAVA_LONG, 144 + 8), "slot 1 ends the chain");
            assertEquals(memory.address() + 144 + 128, memory.get(JAVA_LONG, 144 + 16), "slot 1 sg_list");
            assertEquals(10, memory.get(JAVA_INT, 144 + 32), "SIGNALED | INLINE");
            assertEquals(8, memory.get(JAVA_INT, 144 + 128 + 8), "doorbell length");
            assertEquals(memory.address() + 144, encoder.request(1).address());
        }
    }

    @Test
    void shouldRefuseHeapOrTooSmallMemory()
    {
        assertThrows(IllegalArgumentException.class,
            () -> new SendWorkRequestEncoder().wrap(MemorySegment.ofArray(new byte[512])));
        try (Arena arena = Arena.ofConfined())
        {
            assertThrows(IllegalArgumentException.class,
                () -> new SendWorkRequestEncoder().wrap(arena.allocate(SendWorkRequestEncoder.SLOT_SIZE - 1, 8)));
        }
    }

    /** The replication thread encodes a batch (two ring pieces and the doorbell) per post: nothing may be allocated. */
    @Test
    void shouldAllocateNothingPerBatch()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().threadId();
        try (Arena arena = Arena.ofConfined())
        {
            final SendWorkRequestEncoder encoder =
                new SendWorkRequestEncoder().wrap(arena.allocate(SendWorkRequestEncoder.SLOT_SIZE * 3, 8));
            long checksum = encodeBatches(encoder, 20_000); // warm up: let the JIT compile the loop
            // A one-off (a JIT transition, the MXBean's first call) shows in one round at most: take the least of three.
            long leastAllocated = Long.MAX_VALUE;
            for (int round = 0; round < 3; round++)
            {
                final long before = threads.getThreadAllocatedBytes(threadId);
                checksum += encodeBatches(encoder, 10_000);
                leastAllocated = Math.min(leastAllocated, threads.getThreadAllocatedBytes(threadId) - before);
            }
            assertEquals(0, leastAllocated, "bytes allocated by 10,000 encoded batches");
            assertEquals(50_000L * (3 * 144), checksum);
        }
    }

    private static long encodeBatches(final SendWorkRequestEncoder encoder, final int batches)
    {
        long checksum = 0;
        for (int i = 0; i < batches; i++)
        {
            encoder.rdmaWrite(0, i, LOCAL, LENGTH, LKEY, REMOTE, RKEY, 0);
            encoder.rdmaWrite(1, i, LOCAL + LENGTH, 16, LKEY, REMOTE, RKEY, 0);
            encoder.rdmaWrite(2, i, LOCAL, 16, 0, REMOTE + 4096, RKEY,
                VerbsLayouts.IBV_SEND_SIGNALED | VerbsLayouts.IBV_SEND_INLINE);
            encoder.link(0, 1);
            encoder.link(1, 2);
            checksum += encoder.request(2).address() - encoder.request(0).address() + 144;
        }
        return checksum;
    }

    /** C reads the encoded bytes through {@code struct ibv_send_wr}'s own members: the header decides, not our offsets. */
    @Test
    void shouldReadBackThroughTheHeaderStructInC(@TempDir final Path dir) throws IOException, InterruptedException
    {
        final String cc = CLayoutProbe.compiler();
        Assumptions.assumeTrue(cc != null, "skipped: no C compiler (gcc/cc/clang)");
        Assumptions.assumeTrue(Files.isRegularFile(Path.of("/usr/include/infiniband/verbs.h")),
            "skipped: /usr/include/infiniband/verbs.h missing (install Debian package libibverbs-dev)");
        final StringBuilder bytes = new StringBuilder();
        final long base;
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment memory = arena.allocate(SendWorkRequestEncoder.SLOT_SIZE, 8);
            new SendWorkRequestEncoder().wrap(memory)
                .rdmaWrite(0, WR_ID, LOCAL, LENGTH, LKEY, REMOTE, RKEY, VerbsLayouts.IBV_SEND_SIGNALED);
            base = memory.address();
            for (long i = 0; i < memory.byteSize(); i++)
            {
                bytes.append(Byte.toUnsignedInt(memory.get(JAVA_BYTE, i))).append(',');
            }
        }
        final String source = """
            #include <stdio.h>
            #include <string.h>
            #include <stdint.h>
            #include <infiniband/verbs.h>
            static const unsigned char bytes[] = { %s };
            int main(void) {
              struct ibv_send_wr wr; struct ibv_sge sge;
              memcpy(&wr, bytes, sizeof wr); memcpy(&sge, bytes + sizeof wr, sizeof sge);
              printf("wr_id=%%lld\\n", (long long)wr.wr_id);
              printf("next=%%lld\\n", (long long)(uintptr_t)wr.next);
              printf("sg_list=%%lld\\n", (long long)(uintptr_t)wr.sg_list);
              printf("num_sge=%%d\\n", wr.num_sge);
              printf("opcode_is_rdma_write=%%d\\n", wr.opcode == IBV_WR_RDMA_WRITE);
              printf("signaled=%%d\\n", (wr.send_flags & IBV_SEND_SIGNALED) != 0);
              printf("remote_addr=%%lld\\n", (long long)wr.wr.rdma.remote_addr);
              printf("rkey=%%u\\n", wr.wr.rdma.rkey);
              printf("sge_addr=%%lld\\n", (long long)sge.addr);
              printf("sge_length=%%u\\n", sge.length);
              printf("sge_lkey=%%u\\n", sge.lkey);
              return 0;
            }
            """.formatted(bytes);
        final Map<String, Long> c = CLayoutProbe.probe(cc, dir, "send_wr_readback", source, List.of());

        assertEquals(WR_ID, c.get("wr_id"));
        assertEquals(0L, c.get("next"));
        assertEquals(base + 128, c.get("sg_list"));
        assertEquals(1L, c.get("num_sge"));
        assertEquals(1L, c.get("opcode_is_rdma_write"));
        assertEquals(1L, c.get("signaled"));
        assertEquals(REMOTE, c.get("remote_addr"));
        assertEquals(RKEY, c.get("rkey"));
        assertEquals(LOCAL, c.get("sge_addr"));
        assertEquals(LENGTH, c.get("sge_length"));
        assertEquals(LKEY, c.get("sge_lkey"));
    }
}
