package io.wirekv.dataplane.tcp;

import io.wirekv.dataplane.proto.ReplyBuffer;
import io.wirekv.hugepages.HugepageMemory;
import io.wirekv.hugepages.MemoryRegion;
import io.wirekv.hugepages.PageSize;
import io.wirekv.dataplane.proto.RequestSession;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One TCP client: its socket, an off-heap input buffer that holds at least one whole command
 * (the largest item plus its command line), the reply being built, and the protocol session.
 * Owned by exactly one {@link TcpAgent}; its memory is unmapped when the connection closes.
 * The buffers are mapped, not allocated: pages are only made resident when a large command or
 * reply touches them, so a thousand idle clients cost a few pages each, not two item sizes.
 */
final class TcpConnection
{
    final int slot;
    final SocketChannel channel;
    final SelectionKey key;
    final RequestSession session;
    final ReplyBuffer reply;

    private final MemoryRegion inputRegion;
    private final MemoryRegion replyRegion;
    private final MemorySegment input;
    private final ByteBuffer inputView;
    private final ByteBuffer replyView;

    /** Unconsumed input is [inputStart, inputEnd). */
    long inputStart;
    long inputEnd;
    /** Reply bytes already written to the socket. */
    int replyFlushed;
    /** A write is with a writer thread; input is not read until its reply is back. */
    boolean parked;
    /** The socket would not take all of the reply; waiting for OP_WRITE. */
    boolean blockedOnWrite;
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

    TcpConnection(
        final int slot, final SocketChannel channel, final SelectionKey key, final int inputBytes, final int replyBytes)
    {
        this.slot = slot;
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
        if (replyFlushed < length)
        {
            replyView.limit(length).position(replyFlushed);
            replyFlushed += channel.write(replyView);
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
