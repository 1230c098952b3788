package io.wirekv.dataplane.proto;

import io.wirekv.dataplane.table.ItemView;
import io.wirekv.dataplane.table.QsbrReader;
import io.wirekv.dataplane.table.Table;

import java.lang.foreign.MemorySegment;

import static io.wirekv.dataplane.proto.AsciiCodec.BYTE;
import static io.wirekv.dataplane.proto.AsciiCodec.KEY_MAX_LENGTH;

/**
 * The protocol engine of one reader thread (an lcore or a TCP thread): parses memcached text
 * and meta commands from a session's input, answers reads from the table in place, forwards
 * writes to their partition's writer and parks until the reply comes back. Allocates nothing,
 * throws nothing: malformed input gets memcached's error reply.
 * <p>
 * Reads (get, gets, mg without N/T/R, mn, me, version, stats, verbosity) are answered here from
 * {@link Table#get}. Writes (storage commands, delete, incr/decr, touch, gat/gats, flush_all, ms, md,
 * ma, mg with N/T/R or on a stale item whose win token is still to be handed out) are validated here
 * (so error replies are produced without a round trip) and forwarded whole, command line plus data
 * block; {@link WriteExecutor} re-parses and applies them on the partition's writer. gat/gats are
 * forwarded one key at a time (keys of one line may live in different partitions).
 * <p>
 * Threading: one instance per reader thread; not thread-safe.
 */
public final class RequestProcessor
{
    /** All complete commands consumed (a TCP stream may keep a partial one for later). */
    public static final int DONE = 0;
    /** A write was forwarded; call {@link #resume} with its reply. */
    public static final int PARKED = 1;
    /** The reply buffer cannot take the next reply: send what it holds, then call {@link #process} again. */
    public static final int OUTPUT_FULL = 2;
    /** The forwarding ring is full: nothing consumed; drain replies and call {@link #process} again. */
    public static final int BACKPRESSURE = 3;
    /** quit, or an error after which memcached closes the connection: send the reply, then close. */
    public static final int CLOSE = 4;

    /** memcached closes a connection whose first 2048 bytes hold no newline (unless it is a get). */
    static final int MAX_LINE_WITHOUT_NEWLINE = 2048;
    /**
     * memcached's MFLAG_MAX_OPT_LENGTH: a meta command whose ntokens (real tokens plus the terminal one)
     * exceeds this is refused with "options flags (are) too long" (so mg takes at most 17 flags).
     */
    static final int META_MAX_TOKENS = 20;
    /**
     * memcached's TCP read buffer (READ_BUFFER_SIZE): a non-get line whose newline is not within its first
     * 16384 bytes is never seen whole by memcached, which closes the connection. UDP datagrams are read whole.
     */
    static final int TCP_READ_BUFFER_SIZE = 16384;

    private static final int CONTINUE = -1;
    private static final int SMALL_REPLY_BOUND = 1024;

    private final Table table;
    private final ProtocolSettings settings;
    private final ServerStats stats;
    private final WriteForwarder forwarder;
    private final int slot;
    private final AsciiCodec codec = new AsciiCodec();
    private final MetaFlags meta = new MetaFlags();
    private final MetaReplyFormatter metaFormatter = new MetaReplyFormatter();
    private final ItemView item = new ItemView();
    /** The calling reader thread's table handle, fetched on first use (the agent registers after construction). */
    private QsbrReader reader;
    private final MemorySegment gatScratch = MemorySegment.ofArray(new byte[KEY_MAX_LENGTH + 64]);
    private final byte[] versionBytes;
    private final StatsWriter statsWriter;

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
        this.settings = settings;
        this.stats = stats;
        this.forwarder = forwarder;
        this.slot = threadSlot;
        this.versionBytes = Replies.b(settings.version());
        this.statsWriter = new StatsWriter(table, settings, stats);
    }

    /**
     * {@link Table#get} through this thread's reader handle, fetched once (no thread-local lookup per key);
     * a thread that never registered as a reader uses the thread-local signature.
     */
    private boolean tableGet(final MemorySegment key, final long keyOffset, final int keyLength, final ItemView view)
    {
        QsbrReader handle = reader;
        if (handle == null)
        {
            handle = table.currentReader();
            if (handle == null)
            {
                return table.get(key, keyOffset, keyLength, view);
            }
            reader = handle; // the handle only carries hit/miss counts; safety does not depend on it
        }
        return table.get(handle, key, keyOffset, keyLength, view);
    }

    public int process(final RequestSession session)
    {
        if (session.stage == RequestSession.STAGE_PARKED)
        {
            return PARKED;
        }
        return run(session);
    }

    /** Appends the writer's reply for the parked command and continues like {@link #process}. */
    public int resume(final RequestSession session, final MemorySegment reply, final long offset, final int length)
    {
        if (session.stage != RequestSession.STAGE_PARKED)
        {
            return run(session);
        }
        final ReplyBuffer rb = session.reply();
        if (session.parkedInMultiGat)
        {
            final boolean lastKey = CommandScan.nextKey(session.input, session.position + session.stageCursor,
                session.position + lineContentLength(session)) < 0;
            int n = length;
            if (!lastKey && n >= Replies.END.length)
            {
                n -= Replies.END.length; // the writer ends every per-key reply with END; only the last keeps it
            }
            if (n > 0 || lastKey || rb.length() == 0)
            {
                appendParkedReply(rb, reply, offset, n);
            }
            session.stage = lastKey ? RequestSession.STAGE_NONE : RequestSession.STAGE_MULTIGAT;
            if (lastKey)
            {
                session.position += session.stageLineLength;
            }
            session.parkedInMultiGat = false;
        }
        else
        {
            if (length > 0)
            {
                appendParkedReply(rb, reply, offset, length);
            }
            session.position += session.parkedLength;
            session.swallowRemaining = session.swallowAfterPark;
            session.swallowAfterPark = 0;
            session.stage = RequestSession.STAGE_NONE;
        }
        session.parkedLength = 0;
        return run(session);
    }

    private static void appendParkedReply(final ReplyBuffer rb, final MemorySegment reply, final long offset, final int n)
    {
        rb.mark();
        if (!rb.beginResponse() || !rb.put(reply, offset, n))
        {
            rb.rollbackToMark();
            rb.beginResponse();
            rb.put(Replies.OUT_OF_MEMORY_GET);
        }
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
            if (s.stage == RequestSession.STAGE_MULTIGET)
            {
                final int r = continueGet(s);
                if (r != CONTINUE)
                {
                    return r;
                }
                continue;
            }
            if (s.stage == RequestSession.STAGE_MULTIGAT)
            {
                final int r = continueGat(s);
                if (r != CONTINUE)
                {
                    return r;
                }
                continue;
            }
            if (s.position >= s.end)
            {
                return DONE;
            }
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
                    return CLOSE;
                }
                return DONE;
            }
            if (!s.endOfInput && newline - s.position >= TCP_READ_BUFFER_SIZE &&
                !CommandScan.isGetPrefix(s.input, s.position, newline))
            {
                return CLOSE;
            }
            long contentEnd = newline;
            if (newline - s.position >= 1 && s.input.get(BYTE, newline - 1) == '\r')
            {
                contentEnd--;
            }
            final int r = processLine(s, s.position, contentEnd, newline + 1);
            if (r != CONTINUE)
            {
                return r;
            }
        }
    }

    private int processLine(final RequestSession s, final long lineStart, final long contentEnd, final long next)
    {
        final AsciiCodec c = codec;
        c.tokenize(s.input, lineStart, contentEnd);
        final int nt = c.ntokens;
        if (nt < 2)
        {
            return replyAndConsume(s, Replies.ERROR, next, false);
        }
        final byte first = c.tokenByte(0, 0);
        final int cmdLength = c.tokenLength[0];
        if (first == 'm' && cmdLength == 2)
        {
            return processMeta(s, c.tokenByte(0, 1), lineStart, contentEnd, next);
        }
        switch (first)
        {
            case 'g':
                if (nt < 3)
                {
                    return replyAndConsume(s, Replies.ERROR, next, false);
                }
                if (c.tokenEquals(0, Replies.CMD_GET) || c.tokenEquals(0, Replies.CMD_GETS))
                {
                    return startGet(s, lineStart, contentEnd, next, cmdLength == 4);
                }
                if (c.tokenEquals(0, Replies.CMD_GAT) || c.tokenEquals(0, Replies.CMD_GATS))
                {
                    return startGat(s, lineStart, contentEnd, next);
                }
                return replyAndConsume(s, Replies.ERROR, next, false);
            case 's':
                if (c.tokenEquals(0, Replies.CMD_SET))
                {
                    return storage(s, lineStart, next, false);
                }
                if (c.tokenEquals(0, Replies.CMD_STATS))
                {
                    return statsCommand(s, next);
                }
                if (c.tokenEquals(0, Replies.CMD_SHUTDOWN))
                {
                    return replyAndConsume(s, Replies.SHUTDOWN_DISABLED, next, false);
                }
                return replyAndConsume(s, Replies.ERROR, next, false);
            case 'a':
                if (c.tokenEquals(0, Replies.CMD_ADD) || c.tokenEquals(0, Replies.CMD_APPEND))
                {
                    return storage(s, lineStart, next, false);
                }
                return replyAndConsume(s, Replies.ERROR, next, false);
            case 'r':
                if (c.tokenEquals(0, Replies.CMD_REPLACE))
                {
                    return storage(s, lineStart, next, false);
                }
                break;
            case 'p':
                if (c.tokenEquals(0, Replies.CMD_PREPEND))
                {
                    return storage(s, lineStart, next, false);
                }
                break;
            case 'c':
                if (c.tokenEquals(0, Replies.CMD_CAS))
                {
                    return storage(s, lineStart, next, true);
                }
                return replyAndConsume(s, Replies.ERROR, next, false);
            case 'i':
                if (c.tokenEquals(0, Replies.CMD_INCR))
                {
                    return keyAndNumber(s, lineStart, next, true, Replies.INVALID_DELTA);
                }
                return replyAndConsume(s, Replies.ERROR, next, false);
            case 'd':
                if (c.tokenEquals(0, Replies.CMD_DELETE))
                {
                    return delete(s, lineStart, next);
                }
                if (c.tokenEquals(0, Replies.CMD_DECR))
                {
                    return keyAndNumber(s, lineStart, next, true, Replies.INVALID_DELTA);
                }
                return replyAndConsume(s, Replies.ERROR, next, false);
            case 't':
                if (c.tokenEquals(0, Replies.CMD_TOUCH))
                {
                    return keyAndNumber(s, lineStart, next, false, Replies.INVALID_EXPTIME);
                }
                return replyAndConsume(s, Replies.ERROR, next, false);
            default:
                break;
        }
        if (c.tokenEquals(0, Replies.CMD_FLUSH_ALL))
        {
            return flushAll(s, lineStart, next);
        }
        if (c.tokenEquals(0, Replies.CMD_VERSION))
        {
            return version(s, next);
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
            if (nt != 3 && nt != 4)
            {
                return replyAndConsume(s, Replies.ERROR, next, false);
            }
            final boolean noreply = c.lastTokenIsNoreply();
            if (!c.tokenUnsigned64(1))
            {
                return replyAndConsume(s, Replies.BAD_FORMAT, next, noreply);
            }
            return replyAndConsume(s, Replies.OK, next, noreply);
        }
        if (CommandScan.isHttp(c))
        {
            s.position = next;
            return CLOSE;
        }
        return replyAndConsume(s, Replies.ERROR, next, false);
    }

    /** Writes a fixed reply as one response (nothing if {@code noreply}) and consumes the line. */
    private int replyAndConsume(final RequestSession s, final byte[] reply, final long next, final boolean noreply)
    {
        if (!noreply)
        {
            final ReplyBuffer rb = s.reply();
            rb.mark();
            if (!rb.beginResponse() || !rb.put(reply))
            {
                rb.rollbackToMark();
                return OUTPUT_FULL;
            }
        }
        s.position = next;
        return CONTINUE;
    }

    // ------------------------------------------------------------------------------------------ get

    private int startGet(
        final RequestSession s, final long lineStart, final long contentEnd, final long next, final boolean withCas)
    {
        // memcached refuses the whole line if any key is too long
        long p = codec.tokenStart[1];
        while ((p = CommandScan.nextKey(s.input, p, contentEnd)) >= 0)
        {
            final long e = CommandScan.keyEnd(s.input, p, contentEnd);
            if (e - p > KEY_MAX_LENGTH)
            {
                return replyAndConsume(s, Replies.BAD_FORMAT, next, false);
            }
            p = e;
        }
        s.stage = RequestSession.STAGE_MULTIGET;
        s.stageFlags = withCas ? 1 : 0;
        s.stageCursor = (int)(codec.tokenStart[1] - lineStart);
        s.stageLineLength = (int)(next - lineStart);
        return continueGet(s);
    }

    private static int lineContentLength(final RequestSession s)
    {
        int n = s.stageLineLength - 1;
        if (n > 0 && s.input.get(BYTE, s.position + n - 1) == '\r')
        {
            n--;
        }
        return n;
    }

    private int continueGet(final RequestSession s)
    {
        final MemorySegment in = s.input;
        final long lineStart = s.position;
        final long contentEnd = lineStart + lineContentLength(s);
        final boolean withCas = (s.stageFlags & 1) != 0;
        final ReplyBuffer rb = s.reply();
        long p = CommandScan.nextKey(in, lineStart + s.stageCursor, contentEnd);
        while (p >= 0)
        {
            final long e = CommandScan.keyEnd(in, p, contentEnd);
            final int keyLength = (int)(e - p);
            final long following = CommandScan.nextKey(in, e, contentEnd);
            final boolean last = following < 0;
            rb.mark();
            final boolean bufferWasEmpty = rb.length() == 0;
            final boolean hit = tableGet(in, p, keyLength, item);
            int needed = last ? Replies.END.length : 0;
            if (hit)
            {
                needed += keyLength + 51 + item.valueLength() + 2;
            }
            // memcached 1.6 over UDP: a hit is its own response; a miss sends an empty (header-only) datagram
            // only as the very first response, and END rides on the last key's response
            final boolean ownResponse = hit || last || bufferWasEmpty;
            if ((ownResponse && !rb.beginResponse()) || !rb.fits(needed))
            {
                rb.rollbackToMark();
                if (bufferWasEmpty)
                {
                    // the value can never fit: memcached's reply when it cannot build a get response
                    rb.beginResponse();
                    rb.put(Replies.OUT_OF_MEMORY_GET);
                    s.stage = RequestSession.STAGE_NONE;
                    s.position = lineStart + s.stageLineLength;
                    return CONTINUE;
                }
                s.stageCursor = (int)(p - lineStart);
                return OUTPUT_FULL;
            }
            stats.increment(slot, ServerStats.CMD_GET);
            if (hit)
            {
                stats.increment(slot, ServerStats.GET_HITS);
                rb.put(Replies.VALUE);
                rb.put(in, p, keyLength);
                rb.putByteUnchecked((byte)' ');
                rb.putUnsigned(item.clientFlags() & 0xFFFFFFFFL);
                rb.putByteUnchecked((byte)' ');
                rb.putUnsigned(item.valueLength());
                if (withCas)
                {
                    rb.putByteUnchecked((byte)' ');
                    rb.putUnsigned(item.cas());
                }
                rb.put(Replies.CRLF);
                rb.put(item.segment(), item.valueOffset(), item.valueLength());
                rb.put(Replies.CRLF);
            }
            else
            {
                stats.increment(slot, ServerStats.GET_MISSES);
            }
            if (last)
            {
                rb.put(Replies.END);
            }
            p = following;
        }
        s.stage = RequestSession.STAGE_NONE;
        s.position = lineStart + s.stageLineLength;
        return CONTINUE;
    }

    // ------------------------------------------------------------------------------------------ gat

    private int startGat(final RequestSession s, final long lineStart, final long contentEnd, final long next)
    {
        if (!codec.tokenSigned32(1))
        {
            return replyAndConsume(s, Replies.INVALID_EXPTIME, next, false);
        }
        if (codec.ntokens < 4)
        {
            return replyAndConsume(s, Replies.END, next, false);
        }
        long p = codec.tokenStart[2];
        while ((p = CommandScan.nextKey(s.input, p, contentEnd)) >= 0)
        {
            final long e = CommandScan.keyEnd(s.input, p, contentEnd);
            if (e - p > KEY_MAX_LENGTH)
            {
                return replyAndConsume(s, Replies.BAD_FORMAT, next, false);
            }
            p = e;
        }
        s.stage = RequestSession.STAGE_MULTIGAT;
        s.stageFlags = codec.tokenLength[0] == 4 ? 1 : 0;
        // the exptime token is remembered by position: [tokenStart(1), tokenStart(2)) relative to the line
        s.stageCursor = (int)(codec.tokenStart[2] - lineStart);
        s.stageLineLength = (int)(next - lineStart);
        return continueGat(s);
    }

    private int continueGat(final RequestSession s)
    {
        final MemorySegment in = s.input;
        final long lineStart = s.position;
        final long contentEnd = lineStart + lineContentLength(s);
        final long p = CommandScan.nextKey(in, lineStart + s.stageCursor, contentEnd);
        if (p < 0)
        {
            s.stage = RequestSession.STAGE_NONE;
            s.position = lineStart + s.stageLineLength;
            return CONTINUE;
        }
        final long e = CommandScan.keyEnd(in, p, contentEnd);
        final int keyLength = (int)(e - p);
        final ReplyBuffer rb = s.reply();
        if (rb.length() > 0 && !rb.fits(settings.itemSizeMaxBytes() + SMALL_REPLY_BOUND + 64))
        {
            return OUTPUT_FULL;
        }
        // rebuild "gat[s] <exptime> <key>\r\n" for this key's partition
        final long expStart = CommandScan.nextKey(in, CommandScan.keyEnd(in, CommandScan.nextKey(in, lineStart, contentEnd), contentEnd), contentEnd);
        final int expLength = (int)(CommandScan.keyEnd(in, expStart, contentEnd) - expStart);
        final MemorySegment cmd = gatScratch;
        int n = 0;
        final byte[] name = (s.stageFlags & 1) != 0 ? Replies.CMD_GATS : Replies.CMD_GAT;
        for (final byte b : name)
        {
            cmd.set(BYTE, n++, b);
        }
        cmd.set(BYTE, n++, (byte)' ');
        codec.parseSigned32(in, expStart, expLength); // validated in startGat
        n = CommandScan.putDecimal(cmd, n, codec.number);
        cmd.set(BYTE, n++, (byte)' ');
        MemorySegment.copy(in, p, cmd, n, keyLength);
        n += keyLength;
        cmd.set(BYTE, n++, (byte)'\r');
        cmd.set(BYTE, n++, (byte)'\n');
        final int partition = table.partitionOf(in, p, keyLength);
        if (!forwarder.forward(partition, cmd, 0, n, s.ticket()))
        {
            return BACKPRESSURE;
        }
        s.stageCursor = (int)(e - lineStart);
        s.stage = RequestSession.STAGE_PARKED;
        s.parkedInMultiGat = true;
        s.parkedLength = 0;
        return PARKED;
    }

    // ------------------------------------------------------------------------------------------ writes

    private int forward(
        final RequestSession s, final long start, final long length, final MemorySegment key, final long keyOffset,
        final int keyLength, final boolean valueReply, final long swallowAfter)
    {
        final ReplyBuffer rb = s.reply();
        final int bound = valueReply ? settings.itemSizeMaxBytes() + SMALL_REPLY_BOUND + 64 : SMALL_REPLY_BOUND;
        if (rb.length() > 0 && !rb.fits(bound + 8))
        {
            return OUTPUT_FULL;
        }
        final int partition = key == null ? 0 : table.partitionOf(key, keyOffset, keyLength);
        if (!forwarder.forward(partition, s.input, start, (int)length, s.ticket()))
        {
            return BACKPRESSURE;
        }
        s.stage = RequestSession.STAGE_PARKED;
        s.parkedLength = (int)length;
        s.swallowAfterPark = swallowAfter;
        return PARKED;
    }

    private int storage(final RequestSession s, final long lineStart, final long next, final boolean isCas)
    {
        final AsciiCodec c = codec;
        final int nt = c.ntokens;
        if (isCas ? nt != 7 && nt != 8 : nt != 6 && nt != 7)
        {
            return replyAndConsume(s, Replies.ERROR, next, false);
        }
        final boolean noreply = c.lastTokenIsNoreply();
        if (c.tokenLength[1] > KEY_MAX_LENGTH)
        {
            return replyAndConsume(s, Replies.BAD_FORMAT, next, noreply);
        }
        if (!c.tokenFlags(2))
        {
            return replyAndConsume(s, Replies.BAD_FORMAT, next, noreply);
        }
        final long clientFlags = c.number;
        if (!c.tokenSigned32(3) || !c.tokenSigned32(4))
        {
            return replyAndConsume(s, Replies.BAD_FORMAT, next, noreply);
        }
        final long vlen = c.number;
        if (isCas && !c.tokenUnsigned64(5))
        {
            return replyAndConsume(s, Replies.BAD_FORMAT, next, noreply);
        }
        if (vlen < 0 || vlen > Integer.MAX_VALUE - 2)
        {
            return replyAndConsume(s, Replies.BAD_FORMAT, next, noreply);
        }
        final long total = vlen + 2;
        final long keyOffset = c.tokenStart[1];
        final int keyLength = c.tokenLength[1];
        if (AsciiCodec.itemTooLarge(keyLength, clientFlags, vlen, settings.itemSizeMaxBytes()))
        {
            if (c.tokenEquals(0, Replies.CMD_SET))
            {
                // memcached also unlinks the old item of a too-large set: the writer must see it
                return forward(s, lineStart, next - lineStart, s.input, keyOffset, keyLength, false, total);
            }
            stats.increment(slot, ServerStats.STORE_TOO_LARGE);
            final int r = replyAndConsume(s, Replies.TOO_LARGE, next, noreply);
            if (r == CONTINUE)
            {
                s.swallowRemaining = total;
            }
            return r;
        }
        if (s.end - next < total)
        {
            if (s.endOfInput)
            {
                s.position = s.end; // memcached over UDP waits for the rest forever: no reply
            }
            return DONE;
        }
        final long dataEnd = next + vlen;
        if (s.input.get(BYTE, dataEnd) != '\r' || s.input.get(BYTE, dataEnd + 1) != '\n')
        {
            final int r = replyAndConsume(s, Replies.BAD_DATA_CHUNK, next, noreply);
            if (r == CONTINUE)
            {
                s.position = next + total;
            }
            return r;
        }
        return forward(s, lineStart, next + total - lineStart, s.input, keyOffset, keyLength, false, 0);
    }

    /**
     * incr/decr ({@code <cmd> <key> <delta> [noreply]}, delta an unsigned 64-bit number) and touch
     * ({@code touch <key> <exptime> [noreply]}, exptime memcached's int32): one key and one number,
     * checked here, applied by the writer.
     */
    private int keyAndNumber(
        final RequestSession s, final long lineStart, final long next, final boolean unsigned64, final byte[] badNumber)
    {
        final AsciiCodec c = codec;
        if (c.ntokens != 4 && c.ntokens != 5)
        {
            return replyAndConsume(s, Replies.ERROR, next, false);
        }
        final boolean noreply = c.lastTokenIsNoreply();
        if (c.tokenLength[1] > KEY_MAX_LENGTH)
        {
            return replyAndConsume(s, Replies.BAD_FORMAT, next, noreply);
        }
        if (!(unsigned64 ? c.tokenUnsigned64(2) : c.tokenSigned32(2)))
        {
            return replyAndConsume(s, badNumber, next, noreply);
        }
        return forward(s, lineStart, next - lineStart, s.input, c.tokenStart[1], c.tokenLength[1], false, 0);
    }

    private int delete(final RequestSession s, final long lineStart, final long next)
    {
        final AsciiCodec c = codec;
        final int nt = c.ntokens;
        if (nt < 3 || nt > 5)
        {
            return replyAndConsume(s, Replies.ERROR, next, false);
        }
        boolean noreply = false;
        if (nt > 3)
        {
            final boolean holdIsZero = c.tokenEquals(2, Replies.ZERO);
            noreply = c.lastTokenIsNoreply();
            final boolean valid = (nt == 4 && (holdIsZero || noreply)) || (nt == 5 && holdIsZero && noreply);
            if (!valid)
            {
                return replyAndConsume(s, Replies.BAD_DELETE, next, noreply);
            }
        }
        if (c.tokenLength[1] > KEY_MAX_LENGTH)
        {
            return replyAndConsume(s, Replies.BAD_FORMAT, next, noreply);
        }
        return forward(s, lineStart, next - lineStart, s.input, c.tokenStart[1], c.tokenLength[1], false, 0);
    }

    private int flushAll(final RequestSession s, final long lineStart, final long next)
    {
        final AsciiCodec c = codec;
        if (c.ntokens < 2 || c.ntokens > 4)
        {
            return replyAndConsume(s, Replies.ERROR, next, false);
        }
        final boolean noreply = c.lastTokenIsNoreply();
        if (c.ntokens != (noreply ? 3 : 2) && !c.tokenSigned32(1))
        {
            return replyAndConsume(s, Replies.INVALID_EXPTIME, next, noreply);
        }
        return forward(s, lineStart, next - lineStart, null, 0, 0, false, 0);
    }

    private int version(final RequestSession s, final long next)
    {
        final ReplyBuffer rb = s.reply();
        rb.mark();
        if (!rb.beginResponse() || !rb.fits(Replies.VERSION.length + versionBytes.length + 2))
        {
            rb.rollbackToMark();
            return OUTPUT_FULL;
        }
        rb.put(Replies.VERSION);
        rb.put(versionBytes);
        rb.put(Replies.CRLF);
        s.position = next;
        return CONTINUE;
    }

    private int statsCommand(final RequestSession s, final long next)
    {
        final AsciiCodec c = codec;
        if (c.ntokens == 2)
        {
            final ReplyBuffer rb = s.reply();
            rb.mark();
            if (!rb.beginResponse() || !rb.fits(StatsWriter.MAX_BYTES))
            {
                rb.rollbackToMark();
                return OUTPUT_FULL;
            }
            statsWriter.write(rb);
            s.position = next;
            return CONTINUE;
        }
        if (c.ntokens == 3 && c.tokenEquals(1, Replies.RESET_ARG))
        {
            stats.resetFromSlot(slot);
            return replyAndConsume(s, Replies.RESET, next, false);
        }
        return replyAndConsume(s, Replies.ERROR, next, false);
    }

    // ------------------------------------------------------------------------------------------ meta

    private int processMeta(
        final RequestSession s, final byte which, final long lineStart, final long contentEnd, final long next)
    {
        final AsciiCodec c = codec;
        if (c.ntokens < 3 && (which == 'g' || which == 's' || which == 'd' || which == 'a'))
        {
            return replyAndConsume(s, Replies.ERROR, next, false);
        }
        switch (which)
        {
            case 'n':
                return replyAndConsume(s, Replies.MN, next, false);
            case 'g':
                return metaGet(s, lineStart, next);
            case 'e':
                return metaDebug(s, next);
            case 's':
                return metaSet(s, lineStart, next);
            case 'd':
            case 'a':
                if (c.ntokens < 3 || c.tokenLength[1] > KEY_MAX_LENGTH)
                {
                    return replyAndConsume(s, Replies.BAD_FORMAT, next, false);
                }
                if (c.ntokens > META_MAX_TOKENS)
                {
                    return replyAndConsume(s, Replies.FLAGS_TOO_LONG, next, false);
                }
                if (!meta.parse(c, 2, table.nowSeconds()))
                {
                    return replyAndConsume(s, Replies.INVALID_OR_DUPLICATE_FLAG, next, false);
                }
                if (MetaReplyFormatter.opaqueTooLong(c, 2))
                {
                    return replyAndConsume(s, Replies.OPAQUE_TOO_LONG, next, false);
                }
                if (which == 'a' && meta.mode != 0 && !CommandScan.validArithmeticMode(meta.mode))
                {
                    return replyAndConsume(s, Replies.INVALID_MA_MODE, next, false);
                }
                return forward(s, lineStart, next - lineStart, meta.key, meta.keyOffset, meta.keyLength, false, 0);
            default:
                return replyAndConsume(s, Replies.ERROR, next, false);
        }
    }

    private int metaGet(final RequestSession s, final long lineStart, final long next)
    {
        final AsciiCodec c = codec;
        if (c.ntokens < 3 || c.tokenLength[1] > KEY_MAX_LENGTH)
        {
            return replyAndConsume(s, Replies.BAD_FORMAT, next, false);
        }
        if (c.ntokens > META_MAX_TOKENS)
        {
            return replyAndConsume(s, Replies.MG_FLAGS_TOO_LONG, next, false);
        }
        final long now = table.nowSeconds();
        if (!meta.parse(c, 2, now))
        {
            return replyAndConsume(s, meta.error, next, false);
        }
        if (MetaReplyFormatter.opaqueTooLong(c, 2))
        {
            return replyAndConsume(s, Replies.OPAQUE_TOO_LONG, next, false);
        }
        if (meta.vivify || meta.newTtl || meta.recache)
        {
            return forward(s, lineStart, next - lineStart, meta.key, meta.keyOffset, meta.keyLength, true, 0);
        }
        final boolean hit = tableGet(meta.key, meta.keyOffset, meta.keyLength, item);
        if (hit && (item.metaBits() & ItemView.META_STALE) != 0 && (item.metaBits() & ItemView.META_WIN_SENT) == 0)
        {
            // handing out the win token marks the item: that is a write
            return forward(s, lineStart, next - lineStart, meta.key, meta.keyOffset, meta.keyLength, true, 0);
        }
        stats.increment(slot, ServerStats.CMD_GET);
        final ReplyBuffer rb = s.reply();
        rb.mark();
        if (!hit)
        {
            if (meta.quiet)
            {
                stats.increment(slot, ServerStats.GET_MISSES);
                s.position = next;
                return CONTINUE;
            }
            if (!rb.beginResponse() || !rb.fits(MetaReplyFormatter.lineBound(c)))
            {
                rb.rollbackToMark();
                stats.add(slot, ServerStats.CMD_GET, -1);
                return OUTPUT_FULL;
            }
            stats.increment(slot, ServerStats.GET_MISSES);
            rb.put(Replies.EN);
            metaFormatter.appendFlags(rb, c, meta, 2, MetaReplyFormatter.KIND_MG, null, 0, now);
            rb.put(Replies.CRLF);
            s.position = next;
            return CONTINUE;
        }
        final boolean bufferWasEmpty = rb.length() == 0;
        final int needed = MetaReplyFormatter.lineBound(c) + (meta.value ? item.valueLength() + 2 : 0);
        if (!rb.beginResponse() || !rb.fits(needed))
        {
            rb.rollbackToMark();
            if (bufferWasEmpty)
            {
                rb.beginResponse();
                rb.put(Replies.OUT_OF_MEMORY_GET);
                s.position = next;
                return CONTINUE;
            }
            stats.add(slot, ServerStats.CMD_GET, -1);
            return OUTPUT_FULL;
        }
        stats.increment(slot, ServerStats.GET_HITS);
        metaFormatter.writeMetaGetHit(rb, c, meta, item, now);
        s.position = next;
        return CONTINUE;
    }

    private static final byte[] ME_EXP = Replies.b(" exp=");
    private static final byte[] ME_LA = Replies.b(" la=");
    private static final byte[] ME_CAS = Replies.b(" cas=");
    private static final byte[] ME_FETCH_NO = Replies.b(" fetch=no");
    private static final byte[] ME_CLS = Replies.b(" cls=1 size=");
    private static final byte[] EN_LINE = Replies.b("EN\r\n");

    private int metaDebug(final RequestSession s, final long next)
    {
        final AsciiCodec c = codec;
        if (c.ntokens < 3 || c.tokenLength[1] > KEY_MAX_LENGTH)
        {
            return replyAndConsume(s, Replies.BAD_FORMAT, next, false);
        }
        MemorySegment key = c.line;
        long keyOffset = c.tokenStart[1];
        int keyLength = c.tokenLength[1];
        if (c.ntokens > 3 && c.tokenLength[2] == 1 && c.tokenByte(2, 0) == 'b')
        {
            final int n = AsciiCodec.base64Decode(key, keyOffset, keyLength, meta.keyScratch, KEY_MAX_LENGTH);
            if (n <= 0)
            {
                return replyAndConsume(s, Replies.BAD_FORMAT, next, false);
            }
            key = meta.keyScratch;
            keyOffset = 0;
            keyLength = n;
        }
        if (!tableGet(key, keyOffset, keyLength, item))
        {
            return replyAndConsume(s, EN_LINE, next, false);
        }
        final ReplyBuffer rb = s.reply();
        rb.mark();
        if (!rb.beginResponse() || !rb.fits(2 * KEY_MAX_LENGTH + 200))
        {
            rb.rollbackToMark();
            return OUTPUT_FULL;
        }
        final long now = table.nowSeconds();
        rb.put(Replies.ME);
        rb.put(c.line, c.tokenStart[1], c.tokenLength[1]);
        rb.put(ME_EXP);
        final long exp = item.expiresAtSeconds();
        // memcached 1.6.18 prints current_time - exptime: the remaining TTL negated (-1 = no expiry)
        rb.putSigned(exp == 0 ? -1 : now - exp);
        rb.put(ME_LA);
        rb.putUnsigned(Math.max(0, now - item.storedAtSeconds()));
        rb.put(ME_CAS);
        rb.putUnsigned(item.cas());
        // fetches are not tracked (readers never write shared memory): always fetch=no, see mg's h flag
        rb.put(ME_FETCH_NO);
        rb.put(ME_CLS);
        rb.putUnsigned(AsciiCodec.ITEM_HEADER_BYTES + keyLength + 1 + (item.clientFlags() != 0 ? 4 : 0) +
            item.valueLength() + 2L);
        rb.put(Replies.CRLF);
        s.position = next;
        return CONTINUE;
    }

    private int metaSet(final RequestSession s, final long lineStart, final long next)
    {
        final AsciiCodec c = codec;
        if (c.tokenLength[1] > KEY_MAX_LENGTH || c.ntokens <= 3)
        {
            return replyAndConsume(s, Replies.BAD_FORMAT, next, false);
        }
        if (c.ntokens > META_MAX_TOKENS)
        {
            return replyAndConsume(s, Replies.FLAGS_TOO_LONG, next, false); // data line not swallowed
        }
        if (!c.tokenSigned32(2) || c.number < 0 || c.number > Integer.MAX_VALUE - 2)
        {
            return replyAndConsume(s, Replies.BAD_FORMAT, next, false);
        }
        final long total = c.number + 2;
        final long vlen = c.number;
        byte[] error = null;
        if (!meta.parse(c, 3, table.nowSeconds()))
        {
            error = meta.error;
        }
        else if (MetaReplyFormatter.opaqueTooLong(c, 3))
        {
            error = Replies.OPAQUE_TOO_LONG;
        }
        else if (meta.mode != 0 && !CommandScan.validSetMode(meta.mode))
        {
            error = Replies.INVALID_MS_MODE;
        }
        else if (AsciiCodec.itemTooLarge(meta.keyLength, meta.clientFlags, vlen, settings.itemSizeMaxBytes()))
        {
            error = Replies.TOO_LARGE;
            stats.increment(slot, ServerStats.STORE_TOO_LARGE);
        }
        if (error != null)
        {
            final int r = replyAndConsume(s, error, next, false);
            if (r == CONTINUE)
            {
                s.swallowRemaining = total;
            }
            return r;
        }
        if (s.end - next < total)
        {
            if (s.endOfInput)
            {
                s.position = s.end;
            }
            return DONE;
        }
        final long dataEnd = next + vlen;
        if (s.input.get(BYTE, dataEnd) != '\r' || s.input.get(BYTE, dataEnd + 1) != '\n')
        {
            final int r = replyAndConsume(s, Replies.BAD_DATA_CHUNK, next, false);
            if (r == CONTINUE)
            {
                s.position = next + total;
            }
            return r;
        }
        return forward(s, lineStart, next + total - lineStart, meta.key, meta.keyOffset, meta.keyLength, false, 0);
    }
}
