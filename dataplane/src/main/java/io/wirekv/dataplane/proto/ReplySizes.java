package io.wirekv.dataplane.proto;

/**
 * Upper bounds of reply sizes, for checking that a reply fits before writing any of it. Each number is
 * derived from the longest line it must hold; {@code ReplySizesTest} checks every bound against that line.
 */
final class ReplySizes
{
    /** CRLF, after a reply line and after a value's data block. */
    static final int CRLF_BYTES = 2;
    /** Client flags: an unsigned 32-bit number, at most 10 digits (4294967295). */
    static final int FLAGS_DIGITS_MAX = 10;
    /** A value length: an int, at most 10 digits (2147483647). */
    static final int LENGTH_DIGITS_MAX = 10;
    /** A 64-bit number: 20 characters, unsigned (CAS 18446744073709551615) or signed (-9223372036854775808). */
    static final int LONG_DIGITS_MAX = 20;
    /** A signed 32-bit number, e.g. an exptime: 11 characters (-2147483648). */
    static final int INT_DIGITS_MAX = 11;

    /**
     * A VALUE line without its key: {@code "VALUE " key " " flags " " length " " cas CRLF}, with flags, length and
     * CAS at their longest: 6 + 1 + 10 + 1 + 10 + 1 + 20 + 2 = 51.
     */
    static final int VALUE_LINE_BYTES_WITHOUT_KEY =
        "VALUE ".length() + 1 + FLAGS_DIGITS_MAX + 1 + LENGTH_DIGITS_MAX + 1 + LONG_DIGITS_MAX + CRLF_BYTES;

    /**
     * Any reply without a value: an error line, a text status, a meta status line. The longest is mg's status
     * line with every return flag a request can carry, {@link MetaReplyFormatter#lineBound} = 761 bytes
     * (17 flags: k of a base64 250-byte key, a 32-character opaque, 15 numeric flags); rounded up to 1 KiB.
     */
    static final int STATUS_REPLY_BOUND = 1024;

    /**
     * What may follow a value's data block in a value reply: its CRLF, and gat's {@code END\r\n} (7 bytes);
     * the rest is spare.
     */
    static final int VALUE_TRAILER_BOUND = 64;

    /**
     * An {@code me} reply line: {@code "ME " key " exp=" n " la=" n " cas=" n " fetch=yes" " cls=1 size=" n CRLF},
     * each n a 64-bit number: 3 + 250 + 5 + 20 + 4 + 20 + 5 + 20 + 10 + 12 + 20 + 2 = 371.
     */
    static final int ME_LINE_BOUND = "ME ".length() + AsciiCodec.KEY_MAX_LENGTH +
        " exp=".length() + LONG_DIGITS_MAX + " la=".length() + LONG_DIGITS_MAX + " cas=".length() + LONG_DIGITS_MAX +
        " fetch=yes".length() + " cls=1 size=".length() + LONG_DIGITS_MAX + CRLF_BYTES;

    /** A meta status code with its number: {@code "VA " length} = 3 + 10 = 13, the longest; 16 allowed. */
    static final int META_CODE_BOUND = 16;
    /** The win/stale marks at the end of a meta status line: {@code " W Z X"} = 6; 9 allowed. */
    static final int META_MARKS_BOUND = 9;
    /** A numeric meta return flag: {@code " " letter number} = 1 + 1 + 20 = 22; 24 allowed. */
    static final int META_NUMERIC_FLAG_BOUND = 24;
    /** A key return flag around the key: {@code " k" key " b"} = 4; 5 allowed. */
    static final int META_KEY_FLAG_OVERHEAD = 5;

    private ReplySizes()
    {
    }

    /** A get/gets/gat/gats hit for one key: its VALUE line at the longest, the value, the CRLF after the value. */
    static int valueReplyBytes(final int keyLength, final int valueLength)
    {
        return keyLength + VALUE_LINE_BYTES_WITHOUT_KEY + valueLength + CRLF_BYTES;
    }

    /** Any reply a reader may have to write in one go for a parked write (a gat of the largest item), when values are at most {@code itemSizeMaxBytes}. */
    static int valueReplyBound(final int itemSizeMaxBytes)
    {
        return itemSizeMaxBytes + STATUS_REPLY_BOUND + VALUE_TRAILER_BOUND;
    }
}
