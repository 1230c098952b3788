package io.wirekv.dataplane.server;

/** The version wirekv reports (memcached's {@code version} command and {@code stats}). */
public final class Version
{
    public static final String VERSION = "0.1.0-wirekv";

    private Version()
    {
    }
}
