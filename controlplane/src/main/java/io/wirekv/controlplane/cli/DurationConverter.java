package io.wirekv.controlplane.cli;

import picocli.CommandLine;

import java.time.Duration;
import java.util.Locale;

/** Reads durations as people write them: {@code 10s}, {@code 500ms}, {@code 2m}, {@code 10} (seconds). */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration>
{
    @Override
    public Duration convert(final String value)
    {
        final String s = value.trim().toLowerCase(Locale.ROOT);
        try
        {
            final Duration d;
            if (s.endsWith("ms"))
            {
                d = Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            }
            else if (s.endsWith("s"))
            {
                d = Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
            }
            else if (s.endsWith("m"))
            {
                d = Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)));
            }
            else
            {
                d = Duration.ofSeconds(Long.parseLong(s));
            }
            if (d.isNegative() || d.isZero())
            {
                throw new NumberFormatException();
            }
            return d;
        }
        catch (final NumberFormatException ex)
        {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a duration; write e.g. 10s, 500ms or 2m");
        }
    }
}
