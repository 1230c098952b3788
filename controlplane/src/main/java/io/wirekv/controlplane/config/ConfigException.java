package io.wirekv.controlplane.config;

import java.util.List;

/**
 * A configuration the appliance refuses to start with. Carries every problem found, one line
 * each, so the operator fixes the file in one pass; each line names the key, the bad value and
 * the fix.
 */
public final class ConfigException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public ConfigException(final List<String> problems)
    {
        super(String.join(System.lineSeparator(), problems));
        this.problems = List.copyOf(problems);
    }

    public ConfigException(final String problem)
    {
        this(List.of(problem));
    }

    /** One line per problem, in the order they were found. */
    public List<String> problems()
    {
        return problems;
    }
}
