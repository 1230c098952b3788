package io.wirekv.dataplane.lcore;

import io.wirekv.dataplane.proto.ReplyBuffer;
import io.wirekv.dataplane.proto.RequestSession;

import java.lang.foreign.MemorySegment;

/**
 * One datagram's life on an lcore: its receive buffer, the reply train being built for it, the
 * protocol session, and where the reply goes. A slot stays taken while its write is with a
 * writer thread, so other datagrams keep flowing meanwhile.
 * <pre>
 *   slot memory: | request datagram (64 KiB) | reply train (item max + framing) |
 * </pre>
 */
final class UdpSlot
{
    /** The largest UDP payload over IPv4. */
    static final int INPUT_BYTES = 65_536;

    final int index;
    final MemorySegment input;
    final ReplyBuffer reply;
    final RequestSession session;
    int requestId;
    int peerAddress;
    int peerPort;
    long peerLink;
    /** System.nanoTime() when the burst that brought this datagram was received (request latency). */
    long receivedNs;
    /** The request went through a writer (parked, or held back by a full ring): the write latency family. */
    boolean wroteThroughWriter;
    /** The amplification guard's allowance for this request's replies, bytes on the wire incl. frame headers. */
    long replyBudgetBytes;
    /** Reply bytes of this request handed to the port so far. */
    long repliedBytes;
    /** The source was found validated (no cap) when the reply first exceeded the budget. */
    boolean validated;
    /** The reply exceeded the budget of an unvalidated source: nothing more of it leaves. */
    boolean capped;

    UdpSlot(final int index, final MemorySegment memory)
    {
        this.index = index;
        this.input = memory.asSlice(0, INPUT_BYTES);
        this.reply = new ReplyBuffer(memory.asSlice(INPUT_BYTES));
        this.session = new RequestSession(index, reply);
    }
}
