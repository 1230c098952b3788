package io.wirekv.e2e;

import java.util.Map;

/**
 * THE ONE LIST of documented, deliberate behaviour differences between wirekv and memcached 1.6.18 that the
 * differential suite does not compare with memcached (the other place where the two may differ is
 * {@link Normalisation}, for differences that do not change what a client can do). A sequence opts in with
 * {@code === NAME ... differs=REASON}, REASON a key here; its steps marked {@code @target ...} are then checked
 * against the target's own expected reply instead of memcached's, all other steps are still compared with
 * memcached:
 * <ul>
 *   <li>{@code @target LINE} (repeatable): the target's reply to the next step must be exactly these lines
 *       (escapes and placeholders as in requests; the harness's trailing {@code MN} excluded).</li>
 *   <li>{@code @target-silent}: the target must send nothing at all for the next step, while memcached does
 *       answer it (so the marker cannot outlive the difference unnoticed).</li>
 * </ul>
 */
public final class DeliberateDifferences
{
    /** Reason key -> why wirekv deliberately differs from memcached 1.6.18. */
    public static final Map<String, String> REASONS = Map.of(
        "explicit-cas",
        "The meta flag E<token> (explicit CAS for ms, mg with N, md with I, ma) is documented in protocol.txt " +
            "(shared/reference) and required by the project's issue; memcached 1.6.18 predates it and answers " +
            "CLIENT_ERROR invalid flag / invalid or duplicate flag. wirekv implements it as protocol.txt says.");

    private DeliberateDifferences()
    {
    }

    /** Checks a reason key from a sequence header. */
    public static void requireKnown(final String reason, final String where)
    {
        if (!REASONS.containsKey(reason))
        {
            throw new IllegalArgumentException(where + ": unknown differs=" + reason + " (known: " +
                REASONS.keySet() + "; add it with its reason to DeliberateDifferences)");
        }
    }
}
