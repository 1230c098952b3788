package io.wirekv.dataplane.proto;

import io.wirekv.dataplane.record.WriteRecordEncoder;
import io.wirekv.dataplane.table.ItemView;
import io.wirekv.dataplane.table.Table;

import java.lang.foreign.MemorySegment;

import static io.wirekv.dataplane.proto.AsciiCodec.BYTE;
import static io.wirekv.dataplane.proto.AsciiCodec.KEY_MAX_LENGTH;
import static io.wirekv.dataplane.proto.BinaryHeaderDescriptor.*;
import static io.wirekv.dataplane.record.WriteRecordDescriptor.MODE_ADD;
import static io.wirekv.dataplane.record.WriteRecordDescriptor.MODE_APPEND;
import static io.wirekv.dataplane.record.WriteRecordDescriptor.MODE_CAS;
import static io.wirekv.dataplane.record.WriteRecordDescriptor.MODE_PREPEND;
import static io.wirekv.dataplane.record.WriteRecordDescriptor.MODE_REPLACE;
import static io.wirekv.dataplane.record.WriteRecordDescriptor.MODE_SET;
import static io.wirekv.dataplane.record.WriteRecordDescriptor.OPTION_COMPARE_CAS;
import static io.wirekv.dataplane.record.WriteRecordDescriptor.OPTION_DECREMENT;
import static io.wirekv.dataplane.record.WriteRecordDescriptor.OPTION_IMMEDIATE;
import static io.wirekv.dataplane.record.WriteRecordDescriptor.OPTION_TOO_LARGE;
import static io.wirekv.dataplane.record.WriteRecordDescriptor.OPTION_VIVIFY;
import static io.wirekv.dataplane.record.WriteRecordDescriptor.OPTION_WANT_VALUE;
import static io.wirekv.dataplane.record.WriteRecordDescriptor.OP_FLUSH_ALL;
import static io.wirekv.dataplane.record.WriteRecordDescriptor.OP_GAT;
import static io.wirekv.dataplane.record.WriteRecordDescriptor.OP_META_ARITHMETIC;
import static io.wirekv.dataplane.record.WriteRecordDescriptor.OP_META_DELETE;
import static io.wirekv.dataplane.record.WriteRecordDescriptor.OP_STORE;
import static io.wirekv.dataplane.record.WriteRecordDescriptor.OP_TOUCH;

/**
 * memcached's binary protocol on the reader's side, as memcached 1.6's proto_bin.c serves it: frames one request
 * ({@link BinaryHeaderDescriptor}), checks it in memcached's order (body smaller than extras + key, body over
 * 1 GiB, SASL, key over 250 bytes, then each opcode's own extras/key/body rules; a broken request is answered
 * EINVAL and the connection closed), answers reads and fixed replies here and forwards writes as
 * {@link io.wirekv.dataplane.record.WriteRecordDescriptor write records}, whose binary replies
 * {@link BinaryReplyFormatter} turns into responses. The parse is kept in the session's {@code binary*} fields.
 * <p>
 * Consumption follows memcached: header, extras and key are consumed by every command; only the storage and SASL
 * commands read a value; an unknown opcode's reply is followed by dropping {@code totalBody} more bytes.
 * One instance per reader thread; allocates nothing, throws nothing.
 */
final class BinaryCommands
{
    private static final byte[] MECHANISMS = Replies.b("PLAIN");
    /** memcached's MAX_SASL_MECH_LEN. */
    private static final int SASL_MECHANISM_MAX_LENGTH = 32;

    private final Table table;
    private final ProtocolSettings settings;
    private final ServerStats stats;
    private final int slot;
    private final TableReads reads;
    private final WriteForwarding forwarding;
    private final BinaryReplies replies = new BinaryReplies();
    private final BinaryStats statsReplies;
    private final byte[] versionBytes;
    private final SaslPlainAuthenticator sasl;

    BinaryCommands(
        final Table table, final ProtocolSettings settings, final ServerStats stats, final int slot,
        final TableReads reads, final WriteForwarding forwarding)
    {
        this.table = table;
        this.settings = settings;
        this.stats = stats;
        this.slot = slot;
        this.reads = reads;
        this.forwarding = forwarding;
        this.statsReplies = new BinaryStats(table, settings, stats, slot, replies);
        this.versionBytes = Replies.b(settings.version());
        this.sasl = settings.sasl();
    }

    BinaryReplies replies()
    {
        return replies;
    }

    /** Processes the request at the session's position; {@link Flow#CONTINUE} when it was consumed. */
    int next(final RequestSession s)
    {
        final MemorySegment in = s.input;
        final long at = s.position;
        final long available = s.end - at;
        if (available < HEADER_LENGTH)
        {
            return incomplete(s);
        }
        if (in.get(BYTE, at + MAGIC_OFFSET) != MAGIC_REQUEST)
        {
            // memcached: a bad magic closes the connection, and responses not yet flushed never leave
            s.reply().truncateStream(Math.min(s.binaryFlushedLength, s.reply().length()));
            s.position = s.end;
            return Flow.CLOSE;
        }
        final int opcode = in.get(BYTE, at + OPCODE_OFFSET) & 0xFF;
        final int keyLength = BinaryHeaderDescriptor.keyLength(in, at);
        final int extrasLength = in.get(BYTE, at + EXTRAS_LENGTH_OFFSET) & 0xFF;
        final long body = totalBody(in, at);
        if (available < HEADER_LENGTH + extrasLength + keyLength)
        {
            return incomplete(s);
        }
        s.binaryOpcode = opcode;
        s.binaryOpaque = in.get(INT_BE, at + OPAQUE_OFFSET);
        s.binaryCas = in.get(LONG_BE, at + CAS_OFFSET);
        s.binaryExtrasLength = extrasLength;
        s.binaryKeyLength = keyLength;
        final int head = HEADER_LENGTH + extrasLength + keyLength;
        if (keyLength + extrasLength > body)
        {
            return errorAndClose(s, RESPONSE_UNKNOWN_COMMAND);
        }
        if (body > BODY_MAX_LENGTH)
        {
            return errorAndClose(s, RESPONSE_EINVAL);
        }
        if (sasl != null && !s.authenticated && !isOpenBeforeAuth(opcode))
        {
            return errorAndClose(s, RESPONSE_AUTH_ERROR);
        }
        if (keyLength > KEY_MAX_LENGTH)
        {
            return errorAndClose(s, RESPONSE_EINVAL);
        }
        final int loud = loudOpcode(opcode);
        final boolean quiet = loud != opcode;
        final boolean noExtrasNoKeyNoBody = extrasLength == 0 && keyLength == 0 && body == 0;
        switch (loud)
        {
            case VERSION:
                return noExtrasNoKeyNoBody ? simple(s, versionBytes, head) : errorAndClose(s, RESPONSE_EINVAL);
            case NOOP:
                return noExtrasNoKeyNoBody ? noop(s, head) : errorAndClose(s, RESPONSE_EINVAL);
            case QUIT:
                return noExtrasNoKeyNoBody ? quit(s, quiet) : errorAndClose(s, RESPONSE_EINVAL);
            case FLUSH:
                return keyLength == 0 && body == extrasLength && (extrasLength == 0 || extrasLength == 4) ?
                    flush(s, at, head, quiet) : errorAndClose(s, RESPONSE_EINVAL);
            case SET:
            case ADD:
            case REPLACE:
                return extrasLength == 8 && keyLength != 0 && body >= keyLength + 8 ?
                    store(s, at, head, body - head + HEADER_LENGTH, loud, quiet) : errorAndClose(s, RESPONSE_EINVAL);
            case APPEND:
            case PREPEND:
                return keyLength > 0 && extrasLength == 0 ?
                    store(s, at, head, body - keyLength, loud, quiet) : errorAndClose(s, RESPONSE_EINVAL);
            case GET:
            case GETK:
                return extrasLength == 0 && body == keyLength && keyLength > 0 ?
                    get(s, at, head, loud == GETK, quiet) : errorAndClose(s, RESPONSE_EINVAL);
            case DELETE:
                return keyLength > 0 && extrasLength == 0 && body == keyLength ?
                    delete(s, at, head, quiet) : errorAndClose(s, RESPONSE_EINVAL);
            case INCREMENT:
            case DECREMENT:
                return keyLength > 0 && extrasLength == 20 && body == keyLength + extrasLength ?
                    arithmetic(s, at, head, loud == DECREMENT, quiet) : errorAndClose(s, RESPONSE_EINVAL);
            case STAT:
                return extrasLength == 0 ? statResult(s, head, statsReplies.stat(s, at)) : errorAndClose(s, RESPONSE_EINVAL);
            case TOUCH:
            case GAT:
            case GATK:
                return extrasLength == 4 && keyLength != 0 ? touch(s, at, head, loud, quiet) :
                    errorAndClose(s, RESPONSE_EINVAL);
            case SASL_LIST_MECHS:
                if (!noExtrasNoKeyNoBody)
                {
                    return errorAndClose(s, RESPONSE_EINVAL);
                }
                return sasl == null ? error(s, RESPONSE_UNKNOWN_COMMAND, head, 0) : simple(s, MECHANISMS, head);
            case SASL_AUTH:
            case SASL_STEP:
                if (extrasLength != 0 || keyLength == 0)
                {
                    return errorAndClose(s, RESPONSE_EINVAL);
                }
                return sasl == null ? error(s, RESPONSE_UNKNOWN_COMMAND, head, body - keyLength) :
                    saslAuth(s, at, head, body, loud == SASL_AUTH);
            default:
                return error(s, RESPONSE_UNKNOWN_COMMAND, head, body);
        }
    }

    /** memcached's authenticated(): what a connection may send before SASL_AUTH succeeded. */
    private static boolean isOpenBeforeAuth(final int opcode)
    {
        return opcode == SASL_LIST_MECHS || opcode == SASL_AUTH || opcode == SASL_STEP || opcode == VERSION;
    }

    /** Waits for more of a TCP stream; over UDP an incomplete request gets no reply, as memcached. */
    private static int incomplete(final RequestSession s)
    {
        if (s.endOfInput)
        {
            s.position = s.end;
        }
        return Flow.DONE;
    }

    private int simple(final RequestSession s, final byte[] body, final int consumed)
    {
        if (!replies.simple(s.reply(), s, RESPONSE_SUCCESS, body, 0))
        {
            return Flow.OUTPUT_FULL;
        }
        BinaryReplies.responded(s.reply(), s, false);
        s.position += consumed;
        return Flow.CONTINUE;
    }

    /** NOOP: its reply, and a flush point ("NOOP forces pipeline flush"). */
    private int noop(final RequestSession s, final int consumed)
    {
        if (!replies.simple(s.reply(), s, RESPONSE_SUCCESS, BinaryReplies.EMPTY, 0))
        {
            return Flow.OUTPUT_FULL;
        }
        BinaryReplies.responded(s.reply(), s, true);
        s.position += consumed;
        return Flow.CONTINUE;
    }

    /** An error reply (sent even for quiet commands), then {@code swallow} more bytes dropped. */
    private int error(final RequestSession s, final int status, final int consumed, final long swallow)
    {
        if (!replies.error(s.reply(), s, status))
        {
            return Flow.OUTPUT_FULL;
        }
        BinaryReplies.responded(s.reply(), s, swallow == 0); // memcached flushes unless it drops a value first
        s.position += consumed;
        s.swallowRemaining = swallow;
        return Flow.CONTINUE;
    }

    /** memcached's protocol errors: the reply, then the connection closes. */
    private int errorAndClose(final RequestSession s, final int status)
    {
        if (!replies.error(s.reply(), s, status))
        {
            return Flow.OUTPUT_FULL;
        }
        s.position = s.end;
        return Flow.CLOSE;
    }

    private int quit(final RequestSession s, final boolean quiet)
    {
        final boolean written = quiet ? BinaryReplies.quiet(s.reply(), s) :
            replies.simple(s.reply(), s, RESPONSE_SUCCESS, BinaryReplies.EMPTY, 0);
        if (!written)
        {
            return Flow.OUTPUT_FULL;
        }
        s.position = s.end;
        return Flow.CLOSE;
    }

    private int get(final RequestSession s, final long at, final int head, final boolean withKey, final boolean quiet)
    {
        final MemorySegment in = s.input;
        final long keyAt = at + HEADER_LENGTH;
        final int keyLength = s.binaryKeyLength;
        final ReplyBuffer rb = s.reply();
        final boolean bufferWasEmpty = rb.length() == 0;
        final boolean hit = reads.get(in, keyAt, keyLength);
        rb.mark();
        if (hit)
        {
            final ItemView item = reads.item();
            final int keyBytes = withKey ? keyLength : 0;
            final int bodyLength = Integer.BYTES + keyBytes + item.valueLength();
            if (!rb.beginResponse() || !rb.fits(HEADER_LENGTH + bodyLength))
            {
                rb.rollbackToMark();
                if (!bufferWasEmpty)
                {
                    return Flow.OUTPUT_FULL;
                }
                stats.increment(slot, ServerStats.CMD_GET);
                return error(s, RESPONSE_ENOMEM, head, 0); // the value can never fit this reply buffer
            }
            replies.header(rb, s, RESPONSE_SUCCESS, Integer.BYTES, keyBytes, bodyLength, item.cas());
            replies.putInt(rb, item.clientFlags());
            if (withKey)
            {
                rb.put(in, keyAt, keyLength);
            }
            rb.put(item.segment(), item.valueOffset(), item.valueLength());
            BinaryReplies.responded(rb, s, false);
        }
        else if (!miss(s, rb, in, keyAt, withKey, quiet))
        {
            return Flow.OUTPUT_FULL;
        }
        stats.increment(slot, ServerStats.CMD_GET);
        stats.increment(slot, hit ? ServerStats.GET_HITS : ServerStats.GET_MISSES);
        s.position += head;
        return Flow.CONTINUE;
    }

    /** A get/gat miss: nothing when quiet, the key echoed for GETK/GATK, else "Not found". */
    boolean miss(
        final RequestSession s, final ReplyBuffer rb, final MemorySegment in, final long keyAt, final boolean withKey,
        final boolean quiet)
    {
        if (quiet)
        {
            return BinaryReplies.quiet(rb, s);
        }
        if (!withKey)
        {
            final boolean written = replies.error(rb, s, RESPONSE_KEY_ENOENT);
            BinaryReplies.responded(rb, s, true);
            return written;
        }
        final int keyLength = s.binaryKeyLength;
        rb.mark();
        if (!rb.beginResponse() || !rb.fits(HEADER_LENGTH + keyLength))
        {
            rb.rollbackToMark();
            return false;
        }
        replies.header(rb, s, RESPONSE_KEY_ENOENT, 0, keyLength, keyLength, 0);
        rb.put(in, keyAt, keyLength);
        BinaryReplies.responded(rb, s, false);
        return true;
    }

    /** set/add/replace (extras: flags, expiration) and append/prepend; a request CAS makes any of them compare. */
    private int store(
        final RequestSession s, final long at, final int head, final long valueLength, final int loud,
        final boolean quiet)
    {
        final MemorySegment in = s.input;
        final long keyAt = at + head - s.binaryKeyLength;
        final int keyLength = s.binaryKeyLength;
        final boolean appending = loud == APPEND || loud == PREPEND;
        final int clientFlags = appending ? 0 : in.get(INT_BE, at + HEADER_LENGTH);
        final long expiration = appending ? 0 : in.get(INT_BE, at + HEADER_LENGTH + 4) & 0xFFFF_FFFFL;
        if (AsciiCodec.itemTooLarge(keyLength, clientFlags & 0xFFFF_FFFFL, valueLength, settings.itemSizeMaxBytes()))
        {
            if (loud == SET)
            {
                // memcached also unlinks the old item of a too-large set: the writer must see it
                final int r = forwarding.claim(s, in, keyAt, keyLength, 0, false);
                if (r != Flow.CONTINUE)
                {
                    return r;
                }
                forwarding.record().opcode(OP_STORE).storeMode(MODE_SET).options(OPTION_TOO_LARGE);
                return forwarding.park(s, head, 0, quiet, valueLength);
            }
            stats.increment(slot, ServerStats.STORE_TOO_LARGE);
            return error(s, RESPONSE_E2BIG, head, valueLength);
        }
        if (s.end - at < head + valueLength)
        {
            return incomplete(s);
        }
        final long cas = s.binaryCas;
        final byte mode = switch (loud)
        {
            case ADD -> MODE_ADD;
            case REPLACE -> MODE_REPLACE;
            case APPEND -> MODE_APPEND;
            case PREPEND -> MODE_PREPEND;
            default -> MODE_SET;
        };
        final int r = forwarding.claim(s, in, keyAt, keyLength, (int)valueLength, false);
        if (r != Flow.CONTINUE)
        {
            return r;
        }
        forwarding.record()
            .opcode(OP_STORE)
            .storeMode(cas != 0 && !appending ? MODE_CAS : mode)
            .options(cas != 0 && appending ? OPTION_COMPARE_CAS : 0)
            .clientFlags(clientFlags)
            .exptime(AsciiCodec.absoluteExpiry(expiration, table.nowSeconds()))
            .compareCas(cas)
            .value(in, at + head, (int)valueLength);
        return forwarding.park(s, head + valueLength, 0, quiet, 0);
    }

    private int delete(final RequestSession s, final long at, final int head, final boolean quiet)
    {
        final int r = forwarding.claim(s, s.input, at + HEADER_LENGTH, s.binaryKeyLength, 0, false);
        if (r != Flow.CONTINUE)
        {
            return r;
        }
        // md's semantics are binary DELETE's: a CAS, when given, must match
        forwarding.record().opcode(OP_META_DELETE).options(s.binaryCas != 0 ? OPTION_COMPARE_CAS : 0)
            .compareCas(s.binaryCas);
        return forwarding.park(s, head, 0, quiet, 0);
    }

    /** incr/decr: extras delta, initial, expiration (0xffffffff: a missing key is not created). */
    private int arithmetic(
        final RequestSession s, final long at, final int head, final boolean decrement, final boolean quiet)
    {
        final MemorySegment in = s.input;
        final long extras = at + HEADER_LENGTH;
        final long delta = in.get(LONG_BE, extras);
        final long initial = in.get(LONG_BE, extras + 8);
        final long expiration = in.get(INT_BE, extras + 16) & 0xFFFF_FFFFL;
        final int r = forwarding.claim(s, in, extras + 20, s.binaryKeyLength, 0, false);
        if (r != Flow.CONTINUE)
        {
            return r;
        }
        final boolean create = expiration != 0xFFFF_FFFFL;
        final WriteRecordEncoder record = forwarding.record();
        record.opcode(OP_META_ARITHMETIC)
            .options((decrement ? OPTION_DECREMENT : 0) | (s.binaryCas != 0 ? OPTION_COMPARE_CAS : 0) |
                (create ? OPTION_VIVIFY : 0))
            .number(delta)
            .compareCas(s.binaryCas);
        if (create)
        {
            record.initial(initial).vivifyExptime(AsciiCodec.absoluteExpiry(expiration, table.nowSeconds()));
        }
        return forwarding.park(s, head, 0, quiet, 0);
    }

    /** touch (flags back), gat/gatk (flags, key for gatk, value): the new expiry is a write. */
    private int touch(final RequestSession s, final long at, final int head, final int loud, final boolean quiet)
    {
        final MemorySegment in = s.input;
        final long expiration = in.get(INT_BE, at + HEADER_LENGTH) & 0xFFFF_FFFFL;
        final boolean withValue = loud != TOUCH;
        final int r = forwarding.claim(s, in, at + HEADER_LENGTH + 4, s.binaryKeyLength, 0, withValue);
        if (r != Flow.CONTINUE)
        {
            return r;
        }
        forwarding.record().opcode(withValue ? OP_GAT : OP_TOUCH).options(withValue ? OPTION_WANT_VALUE : 0)
            .exptime(AsciiCodec.absoluteExpiry(expiration, table.nowSeconds()));
        return forwarding.park(s, head, 0, quiet, 0);
    }

    /** flush with an optional delay (extras: expiration), as flush_all. */
    private int flush(final RequestSession s, final long at, final int head, final boolean quiet)
    {
        final long delay = s.binaryExtrasLength == 4 ? s.input.get(INT_BE, at + HEADER_LENGTH) & 0xFFFF_FFFFL : 0;
        final long now = table.nowSeconds();
        final long oldestLive = delay > 0 ? AsciiCodec.absoluteExpiry(delay, now) - 1 : now - 1;
        final int r = forwarding.claim(s, null, 0, 0, 0, false);
        if (r != Flow.CONTINUE)
        {
            return r;
        }
        forwarding.record().opcode(OP_FLUSH_ALL).exptime(oldestLive).options(delay == 0 ? OPTION_IMMEDIATE : 0);
        return forwarding.park(s, head, 0, quiet, 0);
    }

    /** What {@link BinaryStats#stat} answered, as the driver's flow. */
    private int statResult(final RequestSession s, final int head, final int answer)
    {
        return switch (answer)
        {
            case BinaryStats.ANSWERED ->
            {
                BinaryReplies.responded(s.reply(), s, false);
                s.position += head;
                yield Flow.CONTINUE;
            }
            case BinaryStats.NOT_FOUND -> error(s, RESPONSE_KEY_ENOENT, head, 0);
            default -> Flow.OUTPUT_FULL;
        };
    }

    /**
     * SASL_AUTH and SASL_STEP with PLAIN against the password file, with the per-connection state of memcached
     * 1.6.18 over Cyrus SASL 2.1.28 (checked by SaslDifferentialTest against {@code memcached -S}): an empty AUTH
     * answers AUTH_CONTINUE and the STEP that follows carries the message; the mechanism name is matched ignoring
     * case (and ignored on STEP); a STEP after a completed exchange fails; and a PLAIN check right after a
     * successful one fails (Cyrus keeps the user's looked-up properties until a failed AUTH clears them). Every
     * answer other than "Authenticated" leaves the connection unauthenticated.
     */
    private int saslAuth(final RequestSession s, final long at, final int head, final long body, final boolean start)
    {
        final long valueLength = body - s.binaryKeyLength;
        if (s.binaryKeyLength > SASL_MECHANISM_MAX_LENGTH)
        {
            return error(s, RESPONSE_EINVAL, head, valueLength);
        }
        if (s.end - at < HEADER_LENGTH + body)
        {
            return incomplete(s);
        }
        final MemorySegment in = s.input;
        final int status;
        if (start && !equalsIgnoreCase(in, at + HEADER_LENGTH, s.binaryKeyLength, MECHANISMS))
        {
            status = RESPONSE_AUTH_ERROR; // Cyrus' SASL_NOMECH
        }
        else if (start && valueLength == 0)
        {
            status = RESPONSE_AUTH_CONTINUE; // PLAIN without an initial response: the client's STEP brings it
        }
        else if (!start && (!s.saslStarted || s.saslDone || valueLength == 0))
        {
            status = RESPONSE_AUTH_ERROR; // no exchange going on, or it ended (Cyrus' doneflag)
        }
        else if (s.saslVerified)
        {
            status = RESPONSE_AUTH_ERROR;
        }
        else
        {
            status = sasl.authenticate(in, at + head, (int)valueLength) ? RESPONSE_SUCCESS : RESPONSE_AUTH_ERROR;
        }
        final int consumed = (int)(HEADER_LENGTH + body);
        if (status == RESPONSE_AUTH_ERROR)
        {
            final int flow = error(s, RESPONSE_AUTH_ERROR, consumed, 0);
            if (flow == Flow.CONTINUE)
            {
                s.authenticated = false;
                if (start)
                {
                    // a failed AUTH ends the exchange and clears what the last successful check kept; a STEP's does not
                    s.saslStarted = false;
                    s.saslDone = false;
                    s.saslVerified = false;
                }
            }
            return flow;
        }
        final boolean ok = status == RESPONSE_SUCCESS;
        if (!replies.simple(s.reply(), s, status, ok ? BinaryReplies.AUTHENTICATED : BinaryReplies.EMPTY, 0))
        {
            return Flow.OUTPUT_FULL;
        }
        BinaryReplies.responded(s.reply(), s, false);
        s.authenticated = ok;
        s.saslStarted = true;
        s.saslDone = ok;
        s.saslVerified |= ok;
        s.position += consumed;
        return Flow.CONTINUE;
    }

    private static boolean equalsIgnoreCase(final MemorySegment in, final long at, final int length, final byte[] upperWord)
    {
        if (length != upperWord.length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            final byte c = in.get(BYTE, at + i);
            if (c != upperWord[i] && (c < 'a' || c > 'z' || c - ('a' - 'A') != upperWord[i]))
            {
                return false;
            }
        }
        return true;
    }

    static boolean startsWith(final MemorySegment in, final long at, final int length, final byte[] prefix)
    {
        if (length < prefix.length)
        {
            return false;
        }
        for (int i = 0; i < prefix.length; i++)
        {
            if (in.get(BYTE, at + i) != prefix[i])
            {
                return false;
            }
        }
        return true;
    }

    static boolean equals(final MemorySegment in, final long at, final int length, final byte[] word)
    {
        return length == word.length && startsWith(in, at, length, word);
    }
}
