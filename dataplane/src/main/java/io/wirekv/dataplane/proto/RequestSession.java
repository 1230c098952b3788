package io.wirekv.dataplane.proto;

import java.lang.foreign.MemorySegment;

/**
 * The resumable state of one request stream: a TCP connection, or one UDP datagram. Holds the
 * input window, the reply being built, and where processing stopped when a write was handed
 * to a writer ({@link RequestProcessor#PARKED}) or the reply buffer filled up
 * ({@link RequestProcessor#OUTPUT_FULL}). Reused, never allocated per request.
 * <p>
 * Every remembered position is relative to {@link #inputPosition()}, so the owner may move the
 * unconsumed bytes (compact its receive buffer) and {@link #wrapInput} them again between calls.
 * Single-threaded: used only by the reader thread that owns the connection or datagram.
 */
public final class RequestSession
{
    static final int STAGE_NONE = 0;
    /** Between keys of a get/gets line: {@link #stageCursor} is the next key, relative to the line start. */
    static final int STAGE_MULTIGET = 1;
    /** A forwarded command waits for its reply; {@link #parkedLength} bytes are consumed on resume. */
    static final int STAGE_PARKED = 2;
    /** Between keys of a gat/gats line, forwarded one key at a time. */
    static final int STAGE_MULTIGAT = 3;

    /** Not yet known: the first byte of the stream (or datagram) decides, as memcached's {@code -B auto}. */
    static final int PROTOCOL_UNKNOWN = 0;
    static final int PROTOCOL_TEXT = 1;
    static final int PROTOCOL_BINARY = 2;

    private final long ticket;
    private final ReplyBuffer reply;
    /** Text writes in flight and the replies queued behind them (a pipelining TCP session); null: park per write. */
    WritePipeline pipeline;

    /** Text (and meta) or binary, decided once per TCP connection and per UDP datagram. */
    int protocol;
    /** Binary protocol with SASL on: the last SASL_AUTH or SASL_STEP on this connection answered "Authenticated". */
    boolean authenticated;
    /**
     * The SASL exchange as memcached over Cyrus keeps it ({@link BinaryCommands}): an AUTH answered success or
     * AUTH_CONTINUE started one; a success ended it; a successful PLAIN check is remembered until a failure.
     */
    boolean saslStarted;
    boolean saslDone;
    boolean saslVerified;
    /**
     * The binary request being processed, parsed once from its header ({@link BinaryCommands}): kept here so the
     * reply to a parked write is formatted from the same parse. The request itself stays at {@link #position}
     * until it is consumed.
     */
    int binaryOpcode;
    int binaryOpaque;
    long binaryCas;
    int binaryExtrasLength;
    int binaryKeyLength;
    /**
     * memcached writes pending binary responses out at its flush points (NOOP, an error without a value to drop,
     * the end of the input); over UDP an empty (quiet) response becomes a header-only datagram only when it is
     * the first response after one, and a connection closed for a bad magic loses what was not flushed. True
     * once a response follows the last flush point; {@link #binaryFlushedLength} is the reply length there.
     */
    boolean binaryChainOpen;
    int binaryFlushedLength;

    /**
     * The command being processed, parsed once: kept here (not in the processor, which serves many sessions)
     * so that the reply to a parked write is formatted from the same parse. Positions are absolute in
     * {@link #input}; {@link #parsedLineStart} says where the line was when it was parsed.
     */
    final AsciiCodec codec = new AsciiCodec();
    final MetaFlags meta = new MetaFlags();
    long parsedLineStart;
    /** How to format the parked write's reply: one of {@link WriteReplyFormatter}'s {@code FOR_*} kinds. */
    int parkedReplyKind;
    boolean parkedNoreply;
    /** The parked gat key, relative to the line start (the VALUE line names it). */
    int parkedKeyStart;
    int parkedKeyLength;
    /** gat/gats: the line's exptime, absolute, for every key's record. */
    long gatExpiresAt;

    MemorySegment input;
    long position;
    long end;
    boolean endOfInput;

    int stage;
    int stageFlags;
    int stageCursor;
    int stageLineLength;
    int parkedLength;
    /** Bytes still to drop from the input (data block of a refused storage command). */
    long swallowRemaining;
    /** Applied after the parked reply arrives: bytes to swallow following the parked line. */
    long swallowAfterPark;
    /** Resume continues a multi-key gat after the parked key. */
    boolean parkedInMultiGat;

    public RequestSession(final long ticket, final ReplyBuffer reply)
    {
        this.ticket = ticket;
        this.reply = reply;
    }

    /**
     * Lets this session keep up to {@code maxWritesInFlight} text writes (set/add/replace/append/prepend/cas,
     * delete, incr/decr, touch) with writers at once instead of parking on each; replies still leave in request
     * order, and any other command waits until every earlier write is answered. Call once, before first use;
     * the reply buffer must hold {@code maxWritesInFlight} status replies twice over.
     *
     * @param maxWritesInFlight a power of two.
     */
    public void enablePipelining(final int maxWritesInFlight)
    {
        if ((long)maxWritesInFlight * ReplySizes.STATUS_REPLY_BOUND * 2 > reply.capacity())
        {
            throw new IllegalArgumentException("a reply buffer of " + reply.capacity() + " bytes cannot hold the " +
                "replies of " + maxWritesInFlight + " writes in flight");
        }
        this.pipeline = new WritePipeline(maxWritesInFlight);
    }

    /**
     * The largest power of two, at most {@code maxWritesInFlight}, that {@link #enablePipelining} accepts for a
     * reply buffer of {@code replyCapacityBytes}; 0 when not even one write fits.
     */
    public static int pipelineDepthFor(final int replyCapacityBytes, final int maxWritesInFlight)
    {
        int depth = Integer.highestOneBit(Math.max(1, maxWritesInFlight));
        while (depth > 0 && (long)depth * ReplySizes.STATUS_REPLY_BOUND * 2 > replyCapacityBytes)
        {
            depth >>= 1;
        }
        return depth;
    }

    /**
     * Writes handed to writers whose reply has not come back: a ticket of this session is owed that many
     * replies (the owner keeps a closed connection's ticket reserved until they arrive).
     */
    public int writesInFlight()
    {
        return (stage == STAGE_PARKED ? 1 : 0) + (null == pipeline ? 0 : pipeline.awaiting);
    }

    /** The id the writer's reply carries back to find this session (its low 32 bits, for a pipelined write). */
    public long ticket()
    {
        return ticket;
    }

    public ReplyBuffer reply()
    {
        return reply;
    }

    /**
     * Points the session at unconsumed input {@code [start, end)} of {@code input}.
     * {@code endOfInput} is true for a UDP datagram (an incomplete command is an error) and
     * false for a TCP stream (an incomplete command waits for more bytes).
     */
    public void wrapInput(final MemorySegment input, final long start, final long end, final boolean endOfInput)
    {
        this.input = input;
        this.position = start;
        this.end = end;
        this.endOfInput = endOfInput;
    }

    /** First byte not yet consumed. */
    public long inputPosition()
    {
        return position;
    }

    /** Bytes of the input window not yet consumed. */
    public long remaining()
    {
        return end - position;
    }

    public boolean isParked()
    {
        return stage == STAGE_PARKED;
    }

    /** Forget all state (connection closed, datagram done). */
    public void reset()
    {
        input = null;
        position = 0;
        end = 0;
        endOfInput = false;
        stage = STAGE_NONE;
        stageFlags = 0;
        stageCursor = 0;
        stageLineLength = 0;
        parkedLength = 0;
        swallowRemaining = 0;
        swallowAfterPark = 0;
        parkedInMultiGat = false;
        parkedReplyKind = 0;
        parkedNoreply = false;
        parkedKeyStart = 0;
        parkedKeyLength = 0;
        protocol = PROTOCOL_UNKNOWN;
        authenticated = false;
        saslStarted = false;
        saslDone = false;
        saslVerified = false;
        binaryOpcode = 0;
        binaryOpaque = 0;
        binaryCas = 0;
        binaryExtrasLength = 0;
        binaryKeyLength = 0;
        binaryChainOpen = false;
        binaryFlushedLength = 0;
        if (null != pipeline)
        {
            pipeline.clear();
        }
    }

    /** After a parked command's input moved (a TCP buffer compacted), points the parse at its new place. */
    void rebaseParsedLine()
    {
        final long delta = position - parsedLineStart;
        if (delta != 0 || codec.line != input)
        {
            codec.rebase(input, delta);
            meta.rebase(input, delta);
            parsedLineStart = position;
        }
    }
}
