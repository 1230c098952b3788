package io.wirekv.e2e.durability;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * What a client may see of one key: absent, or a value with flags, an expiry window and, when a reply told it, a
 * CAS unique. Immutable.
 *
 * <p>The expiry is a window of wall-clock times ({@code expiryLoMs..expiryHiMs}, both 0 = never) because a
 * relative exptime is turned into a time by the server somewhere between sending and the reply. A counter's value
 * (after incr/decr) is {@code numeric}: memcached rewrites a shorter number in place padded with spaces, so the
 * digits are compared and trailing spaces ignored.
 *
 * @param cas 0 when no reply has told the client the item's CAS unique (text set, append, incr, touch)
 */
record KeyState(boolean present, byte[] value, long flags, boolean numeric, long expiryLoMs, long expiryHiMs, long cas)
{
    /** How far the server's clock (whole seconds) and the client's may disagree about an expiry. */
    static final long EXPIRY_TOLERANCE_MS = 2_000;

    static final KeyState ABSENT = new KeyState(false, new byte[0], 0, false, 0, 0, 0);

    static KeyState stored(final byte[] value, final long flags, final long expiryLoMs, final long expiryHiMs)
    {
        return new KeyState(true, value, flags, false, expiryLoMs, expiryHiMs, 0);
    }

    boolean expires()
    {
        return expiryHiMs != 0;
    }

    /** Expired for certain at {@code nowMs} (past the window and the clocks' tolerance). */
    boolean expiredAt(final long nowMs)
    {
        return present && expires() && nowMs > expiryHiMs + EXPIRY_TOLERANCE_MS;
    }

    /** Possibly expired at {@code nowMs}: the server may already have dropped it. */
    boolean mayBeExpiredAt(final long nowMs)
    {
        return present && expires() && nowMs >= expiryLoMs - EXPIRY_TOLERANCE_MS;
    }

    KeyState withCas(final long newCas)
    {
        return new KeyState(present, value, flags, numeric, expiryLoMs, expiryHiMs, newCas);
    }

    KeyState withValue(final byte[] newValue, final boolean isNumeric)
    {
        return new KeyState(present, newValue, flags, isNumeric, expiryLoMs, expiryHiMs, 0);
    }

    KeyState withExpiry(final long loMs, final long hiMs)
    {
        return new KeyState(present, value, flags, numeric, loMs, hiMs, 0);
    }

    /** The counter's value (unsigned 64 bits) when it is a number memcached's incr accepts, else null. */
    Long counterValue()
    {
        final String digits = new String(value, StandardCharsets.ISO_8859_1).stripTrailing();
        if (!present || digits.isEmpty() || digits.length() > 20 || !digits.chars().allMatch(Character::isDigit))
        {
            return null;
        }
        try
        {
            return Long.parseUnsignedLong(digits);
        }
        catch (final NumberFormatException ex)
        {
            return null;
        }
    }

    /**
     * Whether what the server showed at {@code nowMs} is this state: presence (an expired item is absent; one in
     * its expiry window may be either), value bytes, flags, remaining TTL within the tolerance, and the CAS unique
     * when this state knows it.
     */
    boolean matches(final Observation seen, final long nowMs)
    {
        if (!present || expiredAt(nowMs))
        {
            return !seen.present();
        }
        if (!seen.present())
        {
            return mayBeExpiredAt(nowMs);
        }
        if (flags != seen.flags() || (cas != 0 && cas != seen.cas()) || !sameValue(seen.value()))
        {
            return false;
        }
        if (!expires())
        {
            return seen.ttlSeconds() == -1;
        }
        final long ttlMs = seen.ttlSeconds() * 1000L;
        return seen.ttlSeconds() >= 0 && ttlMs >= expiryLoMs - nowMs - EXPIRY_TOLERANCE_MS &&
            ttlMs <= expiryHiMs - nowMs + EXPIRY_TOLERANCE_MS;
    }

    /** The value bytes are these (for a counter: these digits and any trailing spaces). */
    boolean sameValue(final byte[] seen)
    {
        if (!numeric)
        {
            return Arrays.equals(value, seen);
        }
        int end = seen.length;
        while (end > 0 && seen[end - 1] == ' ')
        {
            end--;
        }
        return Arrays.equals(value, 0, value.length, seen, 0, end);
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof KeyState k && present == k.present && flags == k.flags && numeric == k.numeric &&
            expiryLoMs == k.expiryLoMs && expiryHiMs == k.expiryHiMs && cas == k.cas && Arrays.equals(value, k.value);
    }

    @Override
    public int hashCode()
    {
        return Arrays.hashCode(value) * 31 + Long.hashCode(flags) * 17 + Long.hashCode(cas);
    }

    @Override
    public String toString()
    {
        if (!present)
        {
            return "absent";
        }
        return "value " + describe(value) + " flags " + flags + (expires() ? " expiry " + expiryLoMs + ".." + expiryHiMs : "") +
            (cas != 0 ? " cas " + cas : "");
    }

    static String describe(final byte[] bytes)
    {
        final int shown = Math.min(bytes.length, 16);
        return bytes.length + "B[" + HexFormat.of().formatHex(bytes, 0, shown) + (shown < bytes.length ? "..." : "") + "]";
    }
}
