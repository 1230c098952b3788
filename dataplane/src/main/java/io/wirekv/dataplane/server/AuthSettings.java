package io.wirekv.dataplane.server;

/**
 * Client authentication, as memcached's {@code -S}: SASL PLAIN on the binary protocol against a password file
 * ({@code user:password} lines, memcached's {@code MEMCACHED_SASL_PWDB} format). With it on, the text protocol is
 * refused (memcached: "You cannot allow the ASCII protocol while using SASL").
 *
 * @param sasl         SASL on (config {@code auth.sasl}).
 * @param passwordFile the password file (config {@code auth.sasl.password.file}); "" when SASL is off.
 */
public record AuthSettings(boolean sasl, String passwordFile)
{
    /** Off, as memcached without -S. */
    public static AuthSettings defaults()
    {
        return new AuthSettings(false, "");
    }
}
