package io.wirekv.controlplane.config;

import java.util.Locale;

/**
 * Parses and prints byte sizes the way operators write them: {@code 64m}, {@code 1g},
 * {@code 1024k}, {@code 512} (bytes). Suffixes are binary (k = 1024) and case-insensitive;
 * {@code kb}, {@code mib} and friends are accepted too. The table's memory budget follows memcached's
 * {@code -m} instead: a bare number there means MiB ({@link #parseMemory}).
 */
public final class Sizes
{
    private Sizes()
    {
    }

    /**
     * @return the size in bytes, or -1 when {@code text} is not a size (no exception, so the
     * validator can word the error with the key's name).
     */
    public static long parse(final String text)
    {
        if (text == null)
        {
            return -1;
        }
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.endsWith("ib"))
        {
            s = s.substring(0, s.length() - 2);
        }
        else if (s.endsWith("b"))
        {
            s = s.substring(0, s.length() - 1);
        }
        if (s.isEmpty())
        {
            return -1;
        }
        long multiplier = 1;
        final char last = s.charAt(s.length() - 1);
        switch (last)
        {
            case 'k' -> multiplier = 1L << 10;
            case 'm' -> multiplier = 1L << 20;
            case 'g' -> multiplier = 1L << 30;
            case 't' -> multiplier = 1L << 40;
            default ->
            {
            }
        }
        if (multiplier != 1)
        {
            s = s.substring(0, s.length() - 1).trim();
        }
        if (s.isEmpty() || s.length() > 18)
        {
            return -1;
        }
        for (int i = 0; i < s.length(); i++)
        {
            if (!Character.isDigit(s.charAt(i)))
            {
                return -1;
            }
        }
        final long number = Long.parseLong(s);
        if (number > Long.MAX_VALUE / multiplier)
        {
            return -1;
        }
        return number * multiplier;
    }

    /** A plain decimal number ({@code 2}, {@code 2.5}), or NaN when {@code text} is not one. */
    public static double parseNumber(final String text)
    {
        if (null == text || !text.trim().matches("\\d{1,9}(\\.\\d{1,9})?"))
        {
            return Double.NaN;
        }
        return Double.parseDouble(text.trim());
    }

    /**
     * Parses a memory budget the way memcached's {@code -m} reads it: a bare number is MiB ({@code 64} =
     * 64 MiB); with a suffix it is {@link #parse} ({@code 64m}, {@code 1g}, {@code 65536k}, {@code 512b}).
     *
     * @return the size in bytes, or -1 when {@code text} is not a size.
     */
    public static long parseMemory(final String text)
    {
        if (text == null)
        {
            return -1;
        }
        final String s = text.trim();
        if (!s.isEmpty() && s.chars().allMatch(Character::isDigit))
        {
            return parse(s + "m");
        }
        return parse(s);
    }

    /** The shortest exact form: {@code 64m} for 67108864, {@code 1000} for 1000. */
    public static String format(final long bytes)
    {
        final String[] units = {"t", "g", "m", "k"};
        final int[] shifts = {40, 30, 20, 10};
        for (int i = 0; i < units.length; i++)
        {
            final long unit = 1L << shifts[i];
            if (bytes >= unit && bytes % unit == 0)
            {
                return (bytes / unit) + units[i];
            }
        }
        return Long.toString(bytes);
    }
}
