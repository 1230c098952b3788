package io.wirekv.dataplane.tcp;

import io.wirekv.dataplane.proto.ReplyBuffer;
import io.wirekv.nativebindings.libc.Mman;
import io.wirekv.hugepages.HugepageMemory;
import io.wirekv.hugepages.MemoryRegion;
import io.wirekv.hugepages.PageSize;
import io.wirekv.dataplane.proto.RequestSession;
import io.wirekv.dataplane.proto.ServerStats;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One TCP client: its socket, an off-heap input buffer that holds at least one whole command
 * (the largest item plus its command line), the reply being built, and the protocol session.
 * Owned by exactly one {@link TcpAgent}; its memory is unmapped when the connection closes.
 * <p>
 * Memory grows on demand and shrinks when idle: both buffers reserve address space for the largest
 * command (mapped, never touched, with transparent hugepages refused so that one byte cannot fault
 * in 2 MiB), so pages become resident only as a command or reply reaches them. Once a command has
 * used more than {@link #IDLE_RESIDENT_BYTES} of a buffer, the connection gives the pages past that
 * back to the kernel ({@code MADV_DONTNEED}) as soon as it is idle again (input consumed, reply
 * flushed): an idle connection holds at most {@link #IDLE_RESIDENT_BYTES} of each buffer, and a
 * thousand idle clients cost a few pages each, not two item sizes.
 */
final class TcpConnection
{
    final int slot;
    final SocketChannel channel;
    final SelectionKey key;
    final RequestSession session;
    final ReplyBuffer reply;

    /** Resident bytes an idle connection keeps per buffer: small commands never fault or release pages. */
    static final int IDLE_RESIDENT_BYTES = 16 * 1024;

    private final MemoryRegion inputRegion;
    private final MemoryRegion replyRegion;
    private final MemorySegment input;
    private final ByteBuffer inputView;
    private final ByteBuffer replyView;
    /** The buffers past their first IDLE_RESIDENT_BYTES (made once: trimming allocates nothing); empty when smaller. */
    private final MemorySegment inputTail;
    private final MemorySegment replyTail;

    /** Unconsumed input is [inputStart, inputEnd). */
    long inputStart;
    long inputEnd;
    /** Reply bytes already written to the socket. */
    int replyFlushed;
    /** The next command waits for writers' replies (a parked write, or a read behind pipelined writes). */
    boolean parked;
    /** The socket would not take all of the reply; waiting for OP_WRITE. */
    boolean blockedOnWrite;
    /** Reply bytes wait for the end of the duty cycle's write (queued once in the agent's flush list). */
    boolean flushPending;
    /** The interest set last given to {@link #key}: changed only when it differs. */
    int interestOps = SelectionKey.OP_READ;
    /** The write ring was full; retried on the next duty cycle. */
    boolean backpressured;
    /** quit or a fatal error: close once the reply is flushed. */
    boolean closing;
    /** System.nanoTime() of the last read that brought input; 0 once its requests' latency is recorded. */
    long receivedNs;
    /** Where that read's unconsumed input began: a read that completed no command is not a request. */
    long receivedFrom;
    /** A request of that read went through a writer: the write latency family. */
    boolean wroteThroughWriter;
    /** The client's IPv4 address (host order), refreshed in the validated sources on each read; 0 when not IPv4. */
    int peerIpv4;
    /** Highest input and reply bytes used since the buffers were last trimmed. */
    private long inputHighWater;
    /** Where bytes_written is counted: the owning TCP agent's stats slot. */
    private final ServerStats stats;
    private final int statsSlot;
    private int replyHighWater;

    TcpConnection(
        final int slot, final SocketChannel channel, final SelectionKey key, final int inputBytes, final int replyBytes,
        final ServerStats stats, final int statsSlot, final int maxWritesInFlight)
    {
        this.slot = slot;
        this.stats = stats;
        this.statsSlot = statsSlot;
        this.channel = channel;
        this.key = key;
        this.inputRegion = HugepageMemory.global().map("tcp connection input", inputBytes, PageSize.BASE_4K, false, true);
        this.input = inputRegion.segment();
        this.inputView = input.asByteBuffer();
        this.replyRegion = HugepageMemory.global().map("tcp connection reply", replyBytes, PageSize.BASE_4K, false, true);
        final MemorySegment replyMemory = replyRegion.segment();
        this.replyView = replyMemory.asByteBuffer();
        this.reply = new ReplyBuffer(replyMemory);
        this.reply.resetStream();
        this.session = new RequestSession(slot, reply);
        // as many writes in flight as the reply buffer can promise replies for (a small test buffer: fewer)
        final int pipelineDepth = RequestSession.pipelineDepthFor(reply.capacity(), maxWritesInFlight);
        if (pipelineDepth > 0)
        {
            session.enablePipelining(pipelineDepth);
        }
        this.inputTail = input.asSlice(Math.min(IDLE_RESIDENT_BYTES, input.byteSize()));
        this.replyTail = replyMemory.asSlice(Math.min(IDLE_RESIDENT_BYTES, replyMemory.byteSize()));
        // Refused transparent hugepages: a touched byte would otherwise make a whole 2 MiB extent resident.
        final MemorySegment errno = io.wirekv.nativebindings.Errno.threadState();
        Mman.madvise(errno, input, input.byteSize(), Mman.MADV_NOHUGEPAGE); // best effort: no THP kernel says EINVAL
        Mman.madvise(errno, replyMemory, replyMemory.byteSize(), Mman.MADV_NOHUGEPAGE);
    }

    /**
     * Gives the pages past {@link #IDLE_RESIDENT_BYTES} of each buffer back to the kernel when a large
     * command or reply has used them and the connection is idle (every input byte consumed, the reply
     * flushed). One {@code madvise} per buffer, only after a command larger than the idle size.
     *
     * @param errnoState the calling thread's errno state.
     * @return true when pages were released.
     */
    boolean trimIfIdle(final MemorySegment errnoState)
    {
        if (inputStart != inputEnd || reply.length() != 0 || parked || session.writesInFlight() != 0)
        {
            return false;
        }
        boolean trimmed = false;
        if (inputHighWater > IDLE_RESIDENT_BYTES)
        {
            // the consumed bytes are not needed again: the next read starts at 0 (see read)
            Mman.madvise(errnoState, inputTail, inputTail.byteSize(), Mman.MADV_DONTNEED);
            inputHighWater = 0;
            trimmed = true;
        }
        if (replyHighWater > IDLE_RESIDENT_BYTES)
        {
            Mman.madvise(errnoState, replyTail, replyTail.byteSize(), Mman.MADV_DONTNEED);
            replyHighWater = 0;
            trimmed = true;
        }
        return trimmed;
    }

    /**
     * Bytes of this connection's buffers resident in memory now, measured with {@code mincore}
     * (diagnostics and tests; allocates).
     */
    long residentBytes()
    {
        return resident(input) + resident(reply.memory());
    }

    private static long resident(final MemorySegment memory)
    {
        final long page = PageSize.BASE_4K.bytes();
        final long pages = (memory.byteSize() + page - 1) / page;
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined())
        {
            final MemorySegment vector = arena.allocate(pages);
            if (0 != Mman.mincore(io.wirekv.nativebindings.Errno.allocateState(arena), memory, memory.byteSize(), vector))
            {
                return -1;
            }
            long resident = 0;
            for (long i = 0; i < pages; i++)
            {
                resident += vector.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i) & 1;
            }
            return resident * page;
        }
    }

    MemorySegment input()
    {
        return input;
    }

    /** Reads what the socket has into the free tail of the input buffer; -1 at end of stream. */
    int read() throws IOException
    {
        if (inputStart > 0 && inputStart == inputEnd)
        {
            inputStart = 0;
            inputEnd = 0;
        }
        else if (inputEnd == input.byteSize() && inputStart > 0)
        {
            compact();
        }
        inputView.limit((int)input.byteSize()).position((int)inputEnd);
        final int read = channel.read(inputView);
        if (read > 0)
        {
            inputEnd += read;
            inputHighWater = Math.max(inputHighWater, inputEnd);
        }
        return read;
    }

    boolean inputFull()
    {
        return inputStart == 0 && inputEnd == input.byteSize();
    }

    /** Writes pending reply bytes; true when everything has been written and the reply reset. */
    boolean flush() throws IOException
    {
        final int length = reply.length();
        replyHighWater = Math.max(replyHighWater, length);
        if (replyFlushed < length)
        {
            replyView.limit(length).position(replyFlushed);
            final int written = channel.write(replyView);
            replyFlushed += written;
            stats.add(statsSlot, ServerStats.BYTES_WRITTEN, written);
        }
        if (replyFlushed == length)
        {
            reply.resetStream();
            replyFlushed = 0;
            return true;
        }
        return false;
    }

    private void compact()
    {
        final long remaining = inputEnd - inputStart;
        MemorySegment.copy(input, inputStart, input, 0, remaining);
        inputStart = 0;
        inputEnd = remaining;
    }

    void close()
    {
        key.cancel();
        try
        {
            channel.close();
        }
        catch (final IOException ignore)
        {
            // closing anyway
        }
        inputRegion.close();
        replyRegion.close();
    }
}
