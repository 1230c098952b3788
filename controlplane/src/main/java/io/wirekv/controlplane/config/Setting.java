package io.wirekv.controlplane.config;

/**
 * One raw {@code key = value} pair before validation, with where it came from so an error can
 * point at it.
 *
 * @param key    the configuration key, e.g. {@code tcp.threads}.
 * @param value  the value as written, trimmed.
 * @param origin where it was set: {@code "wirekv.conf line 7"}, {@code "--port"}, or
 *               {@link #DEFAULT_ORIGIN}.
 */
public record Setting(String key, String value, String origin)
{
    /** Origin of values taken from {@code ServerConfig.defaults()}. */
    public static final String DEFAULT_ORIGIN = "default";

    public boolean isDefault()
    {
        return DEFAULT_ORIGIN.equals(origin);
    }
}
