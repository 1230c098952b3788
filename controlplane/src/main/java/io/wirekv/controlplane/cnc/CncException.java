package io.wirekv.controlplane.cnc;

/** A CnC file that cannot be used (missing, not ready, another layout version, crashed instance): one line says why. */
public final class CncException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public CncException(final String message)
    {
        super(message);
    }
}
