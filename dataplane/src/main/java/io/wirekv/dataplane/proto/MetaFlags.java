package io.wirekv.dataplane.proto;

import java.lang.foreign.MemorySegment;

/**
 * memcached 1.6.18's {@code _meta_flag_preparse}: validates the flag tokens of a meta command
 * (one letter each, optionally followed by an argument), rejects duplicates and unknown letters,
 * parses the numeric arguments, and decodes a base64 key ({@code b}) into a scratch segment.
 * Reused per command; allocation-free.
 */
final class MetaFlags
{
    static final byte[] ERR_BAD_FORMAT = bytes("CLIENT_ERROR bad command line format\r\n");
    static final byte[] ERR_BAD_TOKEN = bytes("CLIENT_ERROR bad token in command line format\r\n");
    static final byte[] ERR_INVALID_FLAG = bytes("CLIENT_ERROR invalid flag\r\n");
    static final byte[] ERR_DUPLICATE_FLAG = bytes("CLIENT_ERROR duplicate flag\r\n");
    static final byte[] ERR_DECODING_KEY = bytes("CLIENT_ERROR error decoding key\r\n");
    static final byte[] ERR_M_LENGTH = bytes("CLIENT_ERROR incorrect length for M token\r\n");
    static final byte[] ERR_INITIAL = bytes("CLIENT_ERROR invalid numeric initial value\r\n");
    static final byte[] ERR_DELTA = bytes("CLIENT_ERROR invalid numeric delta value\r\n");

    /** memcached's MFLAG_MAX_OPAQUE_LENGTH: an O token longer than this is refused. */
    static final int MAX_OPAQUE_TOKEN_LENGTH = 32;

    final MemorySegment keyScratch;

    long seenLow;
    long seenHigh;
    byte[] error;

    boolean binaryKey;
    MemorySegment key;
    long keyOffset;
    int keyLength;

    boolean vivify;
    long vivifyExptime;
    boolean newTtl;
    long ttlExptime;
    boolean recache;
    long recacheExptime;
    boolean value;
    boolean quiet;
    /** u: a hit leaves the item's place in the eviction order alone (memcached: no LRU bump). */
    boolean noBump;
    long clientFlags;
    boolean hasCompareCas;
    long compareCas;
    /** E(token): the CAS to give the item if this command modifies it (protocol.txt; not in memcached 1.6.18). */
    boolean hasExplicitCas;
    long explicitCas;
    byte mode;
    long initial;
    long delta;
    boolean invalidate;

    MetaFlags()
    {
        keyScratch = MemorySegment.ofArray(new byte[AsciiCodec.KEY_MAX_LENGTH + 8]);
    }

    static byte[] bytes(final String s)
    {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** The parsed line moved by {@code delta} bytes into {@code line} (see {@link AsciiCodec#rebase}). */
    void rebase(final MemorySegment line, final long delta)
    {
        if (key != keyScratch)
        {
            key = line;
            keyOffset += delta;
        }
    }

    boolean has(final char flag)
    {
        return flag < 64 ? false : flag < 128 && ((flag < 96 ? seenLow >>> (flag - 64) : seenHigh >>> (flag - 96)) & 1) != 0;
    }

    /**
     * Parses tokens {@code [first, ntokens-1)} of {@code codec} as flags for the key in token 1.
     * @return true if valid; otherwise {@link #error} holds memcached's error line.
     */
    boolean parse(final AsciiCodec codec, final int first, final long nowSeconds)
    {
        seenLow = 0;
        seenHigh = 0;
        error = null;
        binaryKey = false;
        vivify = false;
        newTtl = false;
        recache = false;
        value = false;
        quiet = false;
        noBump = false;
        clientFlags = 0;
        hasCompareCas = false;
        compareCas = 0;
        hasExplicitCas = false;
        explicitCas = 0;
        mode = 0;
        initial = 0;
        delta = 1;
        invalidate = false;
        key = codec.line;
        keyOffset = codec.tokenStart[1];
        keyLength = codec.tokenLength[1];
        boolean hasError = false;
        byte[] errstr = ERR_BAD_FORMAT;
        final MemorySegment line = codec.line;
        for (int i = first; i < codec.ntokens - 1; i++)
        {
            final int o = codec.tokenByte(i, 0) & 0xFF;
            if (o >= 127 || has((char)o))
            {
                error = ERR_DUPLICATE_FLAG;
                return false;
            }
            if (o >= 64)
            {
                if (o < 96)
                {
                    seenLow |= 1L << (o - 64);
                }
                else
                {
                    seenHigh |= 1L << (o - 96);
                }
            }
            final long argStart = codec.tokenStart[i] + 1;
            final int argLength = codec.tokenLength[i] - 1;
            switch (o)
            {
                case 'b':
                {
                    final int n = AsciiCodec.base64Decode(
                        line, keyOffset, keyLength, keyScratch, AsciiCodec.KEY_MAX_LENGTH);
                    if (n <= 0)
                    {
                        error = ERR_DECODING_KEY;
                        return false;
                    }
                    binaryKey = true;
                    key = keyScratch;
                    keyOffset = 0;
                    keyLength = n;
                    break;
                }
                case 'N':
                    vivify = true;
                    if (!codec.parseSigned32(line, argStart, argLength))
                    {
                        errstr = ERR_BAD_TOKEN;
                        hasError = true;
                    }
                    else
                    {
                        vivifyExptime = AsciiCodec.absoluteExpiry(codec.number, nowSeconds);
                    }
                    break;
                case 'T':
                    if (!codec.parseSigned32(line, argStart, argLength))
                    {
                        errstr = ERR_BAD_TOKEN;
                        hasError = true;
                    }
                    else
                    {
                        ttlExptime = AsciiCodec.absoluteExpiry(codec.number, nowSeconds);
                        newTtl = true;
                    }
                    break;
                case 'R':
                    if (!codec.parseSigned32(line, argStart, argLength))
                    {
                        errstr = ERR_BAD_TOKEN;
                        hasError = true;
                    }
                    else
                    {
                        recache = true;
                        recacheExptime = AsciiCodec.absoluteExpiry(codec.number, nowSeconds);
                    }
                    break;
                case 'l':
                case 'O':
                case 'P':
                case 'L':
                case 'k':
                case 's':
                case 't':
                case 'c':
                case 'f':
                case 'h':
                    break;
                case 'u':
                    noBump = true;
                    break;
                case 'v':
                    value = true;
                    break;
                case 'q':
                    quiet = true;
                    break;
                case 'F':
                    if (!codec.parseUnsigned64(line, argStart, argLength))
                    {
                        hasError = true;
                    }
                    else
                    {
                        clientFlags = codec.number & 0xFFFFFFFFL;
                    }
                    break;
                case 'C':
                    if (!codec.parseUnsigned64(line, argStart, argLength))
                    {
                        errstr = ERR_BAD_TOKEN;
                        hasError = true;
                    }
                    else
                    {
                        hasCompareCas = true;
                        compareCas = codec.number;
                    }
                    break;
                case 'E':
                    // DELIBERATE difference: memcached 1.6.18 refuses E (invalid flag); protocol.txt and the
                    // project's issue require it
                    if (!codec.parseUnsigned64(line, argStart, argLength))
                    {
                        errstr = ERR_BAD_TOKEN;
                        hasError = true;
                    }
                    else
                    {
                        hasExplicitCas = true;
                        explicitCas = codec.number;
                    }
                    break;
                case 'M':
                    if (argLength != 1)
                    {
                        errstr = ERR_M_LENGTH;
                        hasError = true;
                    }
                    else
                    {
                        mode = line.get(AsciiCodec.BYTE, argStart);
                    }
                    break;
                case 'J':
                    if (!codec.parseUnsigned64(line, argStart, argLength))
                    {
                        errstr = ERR_INITIAL;
                        hasError = true;
                    }
                    else
                    {
                        initial = codec.number;
                    }
                    break;
                case 'D':
                    if (!codec.parseUnsigned64(line, argStart, argLength))
                    {
                        errstr = ERR_DELTA;
                        hasError = true;
                    }
                    else
                    {
                        delta = codec.number;
                    }
                    break;
                case 'I':
                    invalidate = true;
                    break;
                default:
                    error = ERR_INVALID_FLAG;
                    return false;
            }
        }
        if (hasError)
        {
            error = errstr;
            return false;
        }
        return true;
    }
}
