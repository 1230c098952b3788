package io.wirekv.dataplane.server;

import io.wirekv.dataplane.proto.SaslPlainAuthenticator;

import java.io.IOException;
import java.nio.file.Path;

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

    /**
     * memcached's -S: the password file, read once; null when SASL is off. The control plane checked the file
     * already, so failing here means it changed in between: stop, naming the key.
     */
    public SaslPlainAuthenticator authenticator()
    {
        if (!sasl)
        {
            return null;
        }
        try
        {
            return SaslPlainAuthenticator.load(Path.of(passwordFile));
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("auth.sasl.password.file = " + passwordFile + ": cannot be read (" +
                ex + "); give a readable file of user:password lines, or set auth.sasl = false", ex);
        }
    }
}
