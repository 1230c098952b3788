package io.wirekv.controlplane.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the configuration file format:
 * <pre>
 * # a comment; blank lines are ignored
 * port = 11211
 * memory = 4g        # a trailing comment after whitespace
 * cpus = 2,3
 * </pre>
 * One {@code key = value} per line ({@code key: value} is accepted too, as in Java
 * properties). Keys are those of {@link ConfigKey}; a key may appear once. Values are not
 * interpreted here: {@link ConfigValidator} does that, so every problem of a file, syntax or
 * value, is reported in one pass.
 */
public final class ConfigLoader
{
    private ConfigLoader()
    {
    }

    /**
     * @return the file's settings by key, in file order.
     * @throws ConfigException naming the file and every problem when it cannot be read, has a
     *                         line that is not {@code key = value}, an unknown key, or a key twice.
     */
    public static Map<String, Setting> load(final Path file)
    {
        final String text;
        try
        {
            text = Files.readString(file, StandardCharsets.UTF_8);
        }
        catch (final NoSuchFileException ex)
        {
            throw new ConfigException("cannot read config file " + file + ": no such file");
        }
        catch (final AccessDeniedException ex)
        {
            throw new ConfigException("cannot read config file " + file + ": permission denied");
        }
        catch (final IOException ex)
        {
            throw new ConfigException("cannot read config file " + file + ": " + ex.getMessage());
        }
        return parse(text, file.toString());
    }

    /** Parses {@code text} as the content of a file called {@code name} (used in messages). */
    public static Map<String, Setting> parse(final String text, final String name)
    {
        final Map<String, Setting> settings = new LinkedHashMap<>();
        final List<String> problems = new ArrayList<>();
        final String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++)
        {
            final String origin = name + " line " + (i + 1);
            final String line = stripComment(lines[i]).trim();
            if (line.isEmpty())
            {
                continue;
            }
            final int eq = separatorIndex(line);
            if (eq <= 0)
            {
                problems.add(origin + ": expected 'key = value', got '" + line + "'");
                continue;
            }
            final String key = line.substring(0, eq).trim();
            final String value = line.substring(eq + 1).trim();
            if (ConfigKey.byKey(key) == null)
            {
                problems.add(unknownKey(key, origin));
                continue;
            }
            final Setting earlier = settings.get(key);
            if (earlier != null)
            {
                problems.add(origin + ": key '" + key + "' is already set on " + earlier.origin().substring(name.length() + 1) +
                    "; keep one of them");
                continue;
            }
            settings.put(key, new Setting(key, value, origin));
        }
        if (!problems.isEmpty())
        {
            throw new ConfigException(problems);
        }
        return settings;
    }

    /** The message for a key that does not exist, with a suggestion and the valid keys. */
    public static String unknownKey(final String key, final String origin)
    {
        final String suggestion = ConfigKey.suggest(key);
        return origin + ": unknown key '" + key + "'" +
            (suggestion != null ? "; did you mean '" + suggestion + "'?" : ".") +
            " Valid keys: " + ConfigKey.validKeys();
    }

    private static int separatorIndex(final String line)
    {
        final int eq = line.indexOf('=');
        final int colon = line.indexOf(':');
        if (eq < 0)
        {
            return colon;
        }
        return colon < 0 ? eq : Math.min(eq, colon);
    }

    private static String stripComment(final String line)
    {
        final String trimmed = line.stripLeading();
        if (trimmed.startsWith("#") || trimmed.startsWith("!"))
        {
            return "";
        }
        for (int i = 1; i < line.length(); i++)
        {
            if (line.charAt(i) == '#' && Character.isWhitespace(line.charAt(i - 1)))
            {
                return line.substring(0, i);
            }
        }
        return line;
    }
}
