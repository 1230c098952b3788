package io.wirekv.controlplane.cli;

/** A failure caused by the user's input or environment: printed as one line, no stack trace. */
public final class UserException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public UserException(final String message)
    {
        super(message);
    }
}
