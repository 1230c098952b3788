package io.wirekv.controlplane.config;

import java.util.Locale;

/** Durations in the configuration: {@code 250ms}, {@code 1s}, {@code 2m}; a bare number is milliseconds. */
public final class Durations
{
    private Durations()
    {
    }

    /** @return milliseconds, or -1 when {@code text} is not a duration (the validator words the error). */
    public static long parseMillis(final String text)
    {
        if (null == text)
        {
            return -1;
        }
        String s = text.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (s.endsWith("ms"))
        {
            s = s.substring(0, s.length() - 2);
        }
        else if (s.endsWith("s"))
        {
            s = s.substring(0, s.length() - 1);
            unit = 1000;
        }
        else if (s.endsWith("m"))
        {
            s = s.substring(0, s.length() - 1);
            unit = 60_000;
        }
        s = s.trim();
        if (s.isEmpty() || s.length() > 12 || !s.chars().allMatch(Character::isDigit))
        {
            return -1;
        }
        return Long.parseLong(s) * unit;
    }

    /** The shortest exact form: {@code 1s} for 1000, {@code 250ms} for 250. */
    public static String format(final long millis)
    {
        if (millis >= 60_000 && millis % 60_000 == 0)
        {
            return millis / 60_000 + "m";
        }
        if (millis >= 1000 && millis % 1000 == 0)
        {
            return millis / 1000 + "s";
        }
        return millis + "ms";
    }
}
