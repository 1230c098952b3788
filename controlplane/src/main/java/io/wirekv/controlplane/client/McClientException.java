package io.wirekv.controlplane.client;

/**
 * A client-side failure worth one line to the user: the server cannot be reached, did not
 * reply in time, or replied with something the command did not expect.
 */
public final class McClientException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public McClientException(final String message)
    {
        super(message);
    }

    public McClientException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
