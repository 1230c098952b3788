package io.wirekv.dataplane.proto;

import io.wirekv.dataplane.record.WriteReplyDecoder;
import io.wirekv.dataplane.table.Table;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static io.wirekv.dataplane.proto.AsciiCodec.BYTE;

/**
 * The protocol engine of one reader thread (an lcore or a TCP thread): frames memcached text and meta
 * commands in a session's input, parses each line once, and hands it to the family that serves it:
 * {@link GetCommands} (get/gets/gat/gats), {@link TextCommands} (storage, delete, incr/decr, touch,
 * flush_all, version, stats, verbosity) and {@link MetaCommands} (mg/ms/md/ma/mn/me).
 * <p>
 * A stream whose first byte is 0x80 speaks memcached's binary protocol instead, served by {@link BinaryCommands}
 * (and {@link BinaryReplyFormatter} for its writes).
 * <p>
 * Reads are answered here from the table. A write is validated here (so error replies need no round trip),
 * encoded once into a {@link io.wirekv.dataplane.record.WriteRecordDescriptor write record} on its
 * partition's ring ({@link WriteForwarding}), and the session parks; {@link #resume} formats the writer's
 * binary reply with {@link WriteReplyFormatter} and carries on. Allocates nothing, throws nothing:
 * malformed input gets memcached's error reply.
 * <p>
 * Pipelining ({@link RequestSession#enablePipelining}, TCP): a text write (set/add/replace/append/prepend/cas,
 * delete, incr/decr, touch) does not park; the session queues its reply's place in a {@link WritePipeline} and
 * parses on, so a buffer of writes is all on the rings before any writer answers. The ordering rule is
 * memcached's per connection: replies leave in request order, and any other command (a read, a meta command,
 * flush_all, stats, quit, ...) waits ({@link #PARKED}) until every earlier write of the session is answered,
 * so a get after a set on one connection sees the set. A full pipeline waits the same way.
 * <p>
 * Threading: one instance per reader thread; not thread-safe.
 */
public final class RequestProcessor
{
    /** All complete commands consumed (a TCP stream may keep a partial one for later). */
    public static final int DONE = Flow.DONE;
    /**
     * A write was forwarded, or the next command waits for a pipelining session's earlier writes: nothing more is
     * consumed until {@link #resume} has been called with the writers' replies.
     */
    public static final int PARKED = Flow.PARKED;
    /** The reply buffer cannot take the next reply: send what it holds, then call {@link #process} again. */
    public static final int OUTPUT_FULL = Flow.OUTPUT_FULL;
    /** The forwarding ring is full: nothing consumed; drain replies and call {@link #process} again. */
    public static final int BACKPRESSURE = Flow.BACKPRESSURE;
    /** quit, or an error after which memcached closes the connection: send the reply, then close. */
    public static final int CLOSE = Flow.CLOSE;

    /** memcached closes a connection whose first 2048 bytes hold no newline (unless it is a get). */
    static final int MAX_LINE_WITHOUT_NEWLINE = 2048;
    /**
     * memcached's TCP read buffer (READ_BUFFER_SIZE): a non-get line whose newline is not within its first
     * 16384 bytes is never seen whole by memcached, which closes the connection. UDP datagrams are read whole.
     */
    static final int TCP_READ_BUFFER_SIZE = 16384;

    private final Table table;
    private final GetCommands gets;
    private final BurstLookahead burstLookahead;
    private final TextCommands text;
    private final MetaCommands meta;
    private final WriteReplyFormatter replies;
    private final BinaryCommands binary;
    private final BinaryReplyFormatter binaryReplies;
    /** memcached's -S: only the binary protocol is served. */
    private final boolean binaryOnly;
    /** The parked write's reply as text, before it joins the session's reply whole (or not at all). */
    private final ReplyBuffer formatted;
    private final WriteReplyDecoder decoder = new WriteReplyDecoder();

    public RequestProcessor(
        final Table table, final ProtocolSettings settings, final ServerStats stats, final WriteForwarder forwarder)
    {
        this(table, settings, stats, forwarder, 0);
    }

    /**
     * @param threadSlot this reader thread's slot in {@code stats} (0 .. threadSlots-1).
     */
    public RequestProcessor(
        final Table table,
        final ProtocolSettings settings,
        final ServerStats stats,
        final WriteForwarder forwarder,
        final int threadSlot)
    {
        this.table = table;
        final TableReads reads = new TableReads(table);
        this.burstLookahead = new BurstLookahead(reads.lookahead());
        final WriteForwarding forwarding = new WriteForwarding(table, settings, forwarder);
        final MetaReplyFormatter metaFormatter = new MetaReplyFormatter();
        this.gets = new GetCommands(reads, stats, threadSlot, forwarding);
        this.text = new TextCommands(table, settings, stats, threadSlot, forwarding);
        this.meta = new MetaCommands(reads, settings, stats, threadSlot, forwarding, metaFormatter);
        this.replies = new WriteReplyFormatter(metaFormatter);
        this.binary = new BinaryCommands(table, settings, stats, threadSlot, reads, forwarding);
        this.binaryReplies = new BinaryReplyFormatter(binary.replies());
        this.binaryOnly = settings.sasl() != null;
        // sized for a gat of the largest item; freed with the engine
        this.formatted = new ReplyBuffer(Arena.ofAuto().allocate(forwarding.valueReplyBound(), 64));
    }

    /** Loads ahead the keys of a received burst's gets, before the burst's requests are processed. */
    public BurstLookahead burstLookahead()
    {
        return burstLookahead;
    }

    public int process(final RequestSession session)
    {
        if (session.stage == RequestSession.STAGE_PARKED)
        {
            return PARKED;
        }
        return run(session);
    }

    /** Formats the writer's binary reply for the parked command and continues like {@link #process}. */
    public int resume(final RequestSession session, final MemorySegment reply, final long offset, final int length)
    {
        final WritePipeline pipeline = session.pipeline;
        if (null != pipeline && !pipeline.isEmpty())
        {
            return resumePipelined(session, pipeline, reply, offset, length);
        }
        if (session.stage != RequestSession.STAGE_PARKED)
        {
            return run(session);
        }
        if (session.protocol == RequestSession.PROTOCOL_BINARY)
        {
            return resumeBinary(session, reply, offset);
        }
        session.rebaseParsedLine();
        final ReplyBuffer rb = session.reply();
        // the common replies (STORED, DELETED, ...) are one constant line: straight into the session's reply
        final byte[] line = session.parkedInMultiGat ? null : replies.constantLine(session, reply, offset);
        if (null != line)
        {
            if (line.length > 0)
            {
                rb.mark();
                if (!rb.beginResponse() || !rb.put(line))
                {
                    outOfMemory(rb);
                }
            }
            endPark(session);
        }
        else
        {
            formatted.resetStream();
            replies.format(session, reply, offset, formatted, table.nowSeconds());
            if (session.parkedInMultiGat)
            {
                final boolean lastKey = gets.resumeGat(session, formatted);
                if (formatted.length() > 0 || lastKey || rb.length() == 0)
                {
                    appendWhole(rb, formatted);
                }
            }
            else
            {
                if (formatted.length() > 0)
                {
                    appendWhole(rb, formatted);
                }
                endPark(session);
            }
        }
        session.parkedLength = 0;
        return run(session);
    }

    /**
     * A pipelined write's reply: formatted now if every earlier entry is answered (then every later entry that
     * is ready too), kept in the pipeline's stash otherwise. The session then reads on, as far as it may.
     */
    private int resumePipelined(
        final RequestSession session, final WritePipeline pipeline, final MemorySegment reply, final long offset,
        final int length)
    {
        final int seq = (int)(decoder.wrap(reply, offset).ticket() >>> 32);
        if (!pipeline.isHead(seq))
        {
            pipeline.stash(seq, reply, offset, length);
            return run(session);
        }
        pipeline.headArrivedDirectly();
        formatPipelined(session, pipeline, reply, offset);
        while (pipeline.headReady())
        {
            final byte[] local = pipeline.headLocalLine();
            if (null != local)
            {
                final ReplyBuffer rb = session.reply();
                rb.beginResponse();
                rb.put(local); // reserved when it was queued
                pipeline.pop();
            }
            else
            {
                formatPipelined(session, pipeline, pipeline.stash(), pipeline.headStashOffset());
            }
        }
        return run(session);
    }

    /** The head write's reply into the session's reply (room was reserved when the write was sent), then pops it. */
    private void formatPipelined(
        final RequestSession session, final WritePipeline pipeline, final MemorySegment reply, final long offset)
    {
        session.parkedReplyKind = pipeline.headKind();
        session.parkedNoreply = pipeline.headNoreply();
        final ReplyBuffer rb = session.reply();
        final byte[] line = replies.constantLine(session, reply, offset);
        if (null != line)
        {
            if (line.length > 0)
            {
                rb.mark();
                if (!rb.beginResponse() || !rb.put(line))
                {
                    outOfMemory(rb);
                }
            }
        }
        else
        {
            formatted.resetStream();
            replies.format(session, reply, offset, formatted, table.nowSeconds());
            if (formatted.length() > 0)
            {
                appendWhole(rb, formatted);
            }
        }
        pipeline.pop();
    }

    private int resumeBinary(final RequestSession session, final MemorySegment reply, final long offset)
    {
        formatted.resetStream();
        final boolean flushPoint = binaryReplies.format(session, reply, offset, formatted);
        final ReplyBuffer rb = session.reply();
        if (formatted.length() == 0)
        {
            BinaryReplies.quiet(rb, session); // the buffer had room for this reply when the write was claimed
        }
        else
        {
            rb.mark();
            if (!rb.beginResponse() || !rb.put(formatted.memory(), 0, formatted.length()))
            {
                rb.rollbackToMark();
                binary.replies().error(rb, session, BinaryHeaderDescriptor.RESPONSE_ENOMEM);
            }
            BinaryReplies.responded(rb, session, flushPoint);
        }
        endPark(session);
        session.parkedLength = 0;
        return run(session);
    }

    /** The parked command is answered: the session moves past it. */
    private static void endPark(final RequestSession session)
    {
        session.position += session.parkedLength;
        session.swallowRemaining = session.swallowAfterPark;
        session.swallowAfterPark = 0;
        session.stage = RequestSession.STAGE_NONE;
    }

    /** One response, all of it, or memcached's error when the session's buffer cannot take it. */
    private static void appendWhole(final ReplyBuffer rb, final ReplyBuffer text)
    {
        rb.mark();
        if (!rb.beginResponse() || !rb.put(text.memory(), 0, text.length()))
        {
            outOfMemory(rb);
        }
    }

    /** Takes back what was written since the mark and answers memcached's error instead. */
    private static void outOfMemory(final ReplyBuffer rb)
    {
        rb.rollbackToMark();
        rb.beginResponse();
        rb.put(Replies.OUT_OF_MEMORY_GET);
    }

    private int run(final RequestSession s)
    {
        while (true)
        {
            if (s.swallowRemaining > 0)
            {
                final long n = Math.min(s.swallowRemaining, s.end - s.position);
                s.position += n;
                s.swallowRemaining -= n;
                if (s.swallowRemaining > 0)
                {
                    if (s.endOfInput)
                    {
                        s.swallowRemaining = 0;
                    }
                    return DONE;
                }
            }
            int r = Flow.CONTINUE;
            if (s.stage == RequestSession.STAGE_MULTIGET)
            {
                r = gets.continueGet(s);
            }
            else if (s.stage == RequestSession.STAGE_MULTIGAT)
            {
                r = gets.continueGat(s);
            }
            else if (s.position >= s.end)
            {
                return DONE;
            }
            else if (s.protocol == RequestSession.PROTOCOL_BINARY)
            {
                r = binary.next(s);
            }
            else if (s.protocol == RequestSession.PROTOCOL_TEXT)
            {
                r = nextLine(s);
            }
            else
            {
                r = negotiate(s);
            }
            if (r != Flow.CONTINUE)
            {
                return r;
            }
        }
    }

    /**
     * memcached's {@code -B auto}: a stream (a TCP connection, a UDP datagram) whose first byte is the binary
     * request magic speaks the binary protocol, any other the text protocol; with SASL on, only binary is served
     * and anything else is closed without a reply, as memcached -S does.
     */
    private int negotiate(final RequestSession s)
    {
        if (s.input.get(BYTE, s.position) == BinaryHeaderDescriptor.MAGIC_REQUEST)
        {
            s.protocol = RequestSession.PROTOCOL_BINARY;
            return Flow.CONTINUE;
        }
        if (binaryOnly)
        {
            s.position = s.end;
            return CLOSE;
        }
        s.protocol = RequestSession.PROTOCOL_TEXT;
        return Flow.CONTINUE;
    }

    /** Frames the next line as memcached does (its limits on unterminated lines included) and processes it. */
    private int nextLine(final RequestSession s)
    {
        final long newline = AsciiCodec.indexOf(s.input, s.position, s.end, (byte)'\n');
        if (newline < 0)
        {
            if (s.endOfInput)
            {
                s.position = s.end; // memcached over UDP: an unterminated command gets no reply
                return DONE;
            }
            if (s.end - s.position > MAX_LINE_WITHOUT_NEWLINE && !CommandScan.isGetPrefix(s.input, s.position, s.end))
            {
                return closeAfterPipeline(s);
            }
            return DONE;
        }
        if (!s.endOfInput && newline - s.position >= TCP_READ_BUFFER_SIZE &&
            !CommandScan.isGetPrefix(s.input, s.position, newline))
        {
            return closeAfterPipeline(s);
        }
        long contentEnd = newline;
        if (newline - s.position >= 1 && s.input.get(BYTE, newline - 1) == '\r')
        {
            contentEnd--;
        }
        return processLine(s, s.position, contentEnd, newline + 1);
    }

    /** memcached closes the connection here: behind pipelined writes, once their replies are out. */
    private static int closeAfterPipeline(final RequestSession s)
    {
        return null != s.pipeline && !s.pipeline.isEmpty() ? PARKED : CLOSE;
    }

    /** Tokenizes the line once, into the session, and dispatches it by command name. */
    private int processLine(final RequestSession s, final long lineStart, final long contentEnd, final long next)
    {
        final AsciiCodec c = s.codec;
        c.tokenize(s.input, lineStart, contentEnd);
        s.parsedLineStart = lineStart;
        final int nt = c.ntokens;
        final WritePipeline pipeline = s.pipeline;
        if (null != pipeline && !pipeline.isEmpty() && (pipeline.isFull() || nt < 2 || !isPipelinedCommand(c)))
        {
            return PARKED; // a read (or any other command) sees every earlier write of its connection: wait for them
        }
        if (nt < 2)
        {
            return Flow.reply(s, Replies.ERROR, next, false);
        }
        final byte first = c.tokenByte(0, 0);
        if (first == 'm' && c.tokenLength[0] == 2)
        {
            return meta.process(s, c.tokenByte(0, 1), lineStart, next);
        }
        switch (first)
        {
            case 'g':
                if (c.tokenEquals(0, Replies.CMD_GET) || c.tokenEquals(0, Replies.CMD_GETS))
                {
                    return nt < 3 ? Flow.reply(s, Replies.ERROR, next, false) :
                        gets.startGet(s, lineStart, contentEnd, next, c.tokenLength[0] == 4);
                }
                if (c.tokenEquals(0, Replies.CMD_GAT) || c.tokenEquals(0, Replies.CMD_GATS))
                {
                    return nt < 3 ? Flow.reply(s, Replies.ERROR, next, false) :
                        gets.startGat(s, lineStart, contentEnd, next, table.nowSeconds());
                }
                return Flow.reply(s, Replies.ERROR, next, false);
            case 's':
                if (c.tokenEquals(0, Replies.CMD_SET))
                {
                    return text.storage(s, lineStart, next);
                }
                if (c.tokenEquals(0, Replies.CMD_STATS))
                {
                    return text.stats(s, next);
                }
                if (c.tokenEquals(0, Replies.CMD_SHUTDOWN))
                {
                    return text.shutdown(s, next);
                }
                return Flow.reply(s, Replies.ERROR, next, false);
            case 'a':
            case 'c':
                if (TextCommands.storeMode(c) >= 0)
                {
                    return text.storage(s, lineStart, next);
                }
                return Flow.reply(s, Replies.ERROR, next, false);
            case 'r':
            case 'p':
                // as memcached: these letters fall through to the remaining commands (and the HTTP check)
                return TextCommands.storeMode(c) >= 0 ? text.storage(s, lineStart, next) : otherCommand(s, lineStart, next);
            case 'i':
            case 'd':
            case 't':
                if (c.tokenEquals(0, Replies.CMD_DELETE))
                {
                    return text.delete(s, lineStart, next);
                }
                if (c.tokenEquals(0, Replies.CMD_INCR) || c.tokenEquals(0, Replies.CMD_DECR) ||
                    c.tokenEquals(0, Replies.CMD_TOUCH))
                {
                    return text.keyAndNumber(s, lineStart, next);
                }
                return Flow.reply(s, Replies.ERROR, next, false);
            default:
                return otherCommand(s, lineStart, next);
        }
    }

    /** The text writes a pipelining session sends without waiting (their replies need no parse to format). */
    private static boolean isPipelinedCommand(final AsciiCodec c)
    {
        return TextCommands.storeMode(c) >= 0 || c.tokenEquals(0, Replies.CMD_DELETE) ||
            c.tokenEquals(0, Replies.CMD_INCR) || c.tokenEquals(0, Replies.CMD_DECR) ||
            c.tokenEquals(0, Replies.CMD_TOUCH);
    }

    private int otherCommand(final RequestSession s, final long lineStart, final long next)
    {
        final AsciiCodec c = s.codec;
        if (c.tokenEquals(0, Replies.CMD_FLUSH_ALL))
        {
            return text.flushAll(s, lineStart, next);
        }
        if (c.tokenEquals(0, Replies.CMD_VERSION))
        {
            return text.version(s, next);
        }
        if (c.tokenEquals(0, Replies.CMD_QUIT))
        {
            // memcached answers a UDP quit with one empty datagram
            s.reply().beginResponse();
            s.position = next;
            return CLOSE;
        }
        if (c.tokenEquals(0, Replies.CMD_VERBOSITY))
        {
            return text.verbosity(s, next);
        }
        if (CommandScan.isHttp(c))
        {
            s.position = next;
            return CLOSE;
        }
        return Flow.reply(s, Replies.ERROR, next, false);
    }
}
