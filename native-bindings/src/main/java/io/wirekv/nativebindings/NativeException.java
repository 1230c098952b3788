package io.wirekv.nativebindings;

/**
 * A native call failed at setup time: carries the call's name, the errno number with its text, and
 * what the operator or developer can do about it.
 * <p>
 * Thrown only from setup paths (opening sockets, mapping memory, pinning threads). Hot-path bindings
 * return {@code -errno} instead and never throw.
 */
public final class NativeException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;
    private final String hint;

    /**
     * @param call  the native call and, where useful, its arguments, e.g. {@code "bind(127.0.0.1:11211)"}.
     * @param errno the positive errno value, or 0 when the failure did not come with one.
     * @param hint  what to do about it; may be empty.
     */
    public NativeException(final String call, final int errno, final String hint)
    {
        super(format(call, errno, hint));
        this.call = call;
        this.errno = errno;
        this.hint = hint;
    }

    /**
     * Throws when a binding returned a negative {@code -errno} code.
     *
     * @param result the binding's return value: {@code >= 0} is success, {@code < 0} is {@code -errno}.
     * @param call   the call's name for the message.
     * @param hint   what to do about it.
     * @return the result when it is not negative.
     */
    public static int check(final int result, final String call, final String hint)
    {
        if (result < 0)
        {
            throw new NativeException(call, -result, hint);
        }
        return result;
    }

    /**
     * @return the native call that failed.
     */
    public String call()
    {
        return call;
    }

    /**
     * @return the positive errno value, or 0 when there was none.
     */
    public int errno()
    {
        return errno;
    }

    /**
     * @return what to do about the failure; may be empty.
     */
    public String hint()
    {
        return hint;
    }

    private static String format(final String call, final int errno, final String hint)
    {
        final StringBuilder sb = new StringBuilder(call).append(" failed");
        if (errno != 0)
        {
            sb.append(": ").append(Errno.name(errno)).append(" (").append(errno).append(", ")
                .append(Errno.describe(errno)).append(')');
        }
        if (hint != null && !hint.isEmpty())
        {
            sb.append(". ").append(hint);
        }
        return sb.toString();
    }
}
