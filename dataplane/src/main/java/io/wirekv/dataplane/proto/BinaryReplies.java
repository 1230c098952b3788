package io.wirekv.dataplane.proto;

import java.lang.foreign.MemorySegment;

import static io.wirekv.dataplane.proto.BinaryHeaderDescriptor.*;

/**
 * Writes memcached's binary responses ({@link BinaryHeaderDescriptor}) into a {@link ReplyBuffer}: the header
 * is built in a scratch array and copied, so datagram mode splits it like any other reply bytes. The error
 * bodies are memcached's own ({@code write_bin_error}). One instance per reader thread; allocation-free.
 */
final class BinaryReplies
{
    static final byte[] NOT_FOUND = Replies.b("Not found");
    static final byte[] EXISTS = Replies.b("Data exists for key.");
    static final byte[] TOO_LARGE = Replies.b("Too large.");
    static final byte[] INVALID_ARGUMENTS = Replies.b("Invalid arguments");
    static final byte[] NOT_STORED = Replies.b("Not stored.");
    static final byte[] NON_NUMERIC = Replies.b("Non-numeric server-side value for incr or decr");
    static final byte[] AUTH_FAILURE = Replies.b("Auth failure.");
    static final byte[] UNKNOWN_COMMAND = Replies.b("Unknown command");
    static final byte[] OUT_OF_MEMORY = Replies.b("Out of memory");
    static final byte[] AUTHENTICATED = Replies.b("Authenticated");
    static final byte[] EMPTY = new byte[0];

    private final byte[] header = new byte[HEADER_LENGTH + 8];
    private final MemorySegment headerSegment = MemorySegment.ofArray(header);

    /** memcached's error body for a status ({@code write_bin_error} without a text of its own). */
    static byte[] errorBody(final int status)
    {
        return switch (status)
        {
            case RESPONSE_KEY_ENOENT -> NOT_FOUND;
            case RESPONSE_KEY_EEXISTS -> EXISTS;
            case RESPONSE_E2BIG -> TOO_LARGE;
            case RESPONSE_EINVAL -> INVALID_ARGUMENTS;
            case RESPONSE_NOT_STORED -> NOT_STORED;
            case RESPONSE_DELTA_BADVAL -> NON_NUMERIC;
            case RESPONSE_AUTH_ERROR -> AUTH_FAILURE;
            case RESPONSE_UNKNOWN_COMMAND -> UNKNOWN_COMMAND;
            default -> OUT_OF_MEMORY;
        };
    }

    /**
     * A response header for the session's request; the caller checked room for the header and
     * {@code bodyLength} more bytes.
     */
    void header(
        final ReplyBuffer out, final RequestSession s, final int status, final int extrasLength, final int keyLength,
        final int bodyLength, final long cas)
    {
        final MemorySegment h = headerSegment;
        h.set(AsciiCodec.BYTE, MAGIC_OFFSET, MAGIC_RESPONSE);
        h.set(AsciiCodec.BYTE, OPCODE_OFFSET, (byte)s.binaryOpcode);
        h.set(SHORT_BE, KEY_LENGTH_OFFSET, (short)keyLength);
        h.set(AsciiCodec.BYTE, EXTRAS_LENGTH_OFFSET, (byte)extrasLength);
        h.set(AsciiCodec.BYTE, DATA_TYPE_OFFSET, (byte)0);
        h.set(SHORT_BE, STATUS_OFFSET, (short)status);
        h.set(INT_BE, TOTAL_BODY_OFFSET, bodyLength);
        h.set(INT_BE, OPAQUE_OFFSET, s.binaryOpaque);
        h.set(LONG_BE, CAS_OFFSET, cas);
        out.put(header, 0, HEADER_LENGTH);
    }

    /** A big-endian u32 body field (get flags). */
    void putInt(final ReplyBuffer out, final int value)
    {
        headerSegment.set(INT_BE, HEADER_LENGTH, value);
        out.put(header, HEADER_LENGTH, Integer.BYTES);
    }

    /** A big-endian u64 body field (incr/decr result). */
    void putLong(final ReplyBuffer out, final long value)
    {
        headerSegment.set(LONG_BE, HEADER_LENGTH, value);
        out.put(header, HEADER_LENGTH, Long.BYTES);
    }

    /** A whole response with {@code body} and no extras or key, as one response object; false if it does not fit. */
    boolean simple(final ReplyBuffer out, final RequestSession s, final int status, final byte[] body, final long cas)
    {
        out.mark();
        if (!out.beginResponse() || !out.fits(HEADER_LENGTH + body.length))
        {
            out.rollbackToMark();
            return false;
        }
        header(out, s, status, 0, 0, body.length, cas);
        out.put(body);
        return true;
    }

    /** An error response with memcached's body for {@code status}. */
    boolean error(final ReplyBuffer out, final RequestSession s, final int status)
    {
        return simple(out, s, status, errorBody(status), 0);
    }

    /**
     * A suppressed (quiet) reply: nothing over TCP; over UDP a header-only datagram when it is the first response
     * since memcached's last flush point (see {@link RequestSession#binaryChainOpen}).
     */
    static boolean quiet(final ReplyBuffer out, final RequestSession s)
    {
        if (!out.isDatagramMode() || s.binaryChainOpen)
        {
            return true;
        }
        out.mark();
        if (!out.beginResponse())
        {
            out.rollbackToMark();
            return false;
        }
        s.binaryChainOpen = true;
        return true;
    }

    /** After a response: at a flush point the chain closes (and what is in the buffer would leave). */
    static void responded(final ReplyBuffer out, final RequestSession s, final boolean flushPoint)
    {
        s.binaryChainOpen = !flushPoint;
        if (flushPoint)
        {
            s.binaryFlushedLength = out.length();
        }
    }
}
