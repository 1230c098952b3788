package io.wirekv.nativebindings.xdp;

/**
 * How an AF_XDP socket moves frames between the driver and the UMEM.
 */
public enum XskBindMode
{
    /** {@code XDP_ZEROCOPY}: the driver DMAs straight into the UMEM; needs driver support. */
    ZERO_COPY(XskDescriptor.XDP_ZEROCOPY, "zero-copy"),
    /** {@code XDP_COPY}: the kernel copies each frame; works on every device. */
    COPY(XskDescriptor.XDP_COPY, "copy"),
    /** Zero-copy where the driver supports it, else copy; the mode obtained is reported. */
    AUTO(XskDescriptor.XDP_ZEROCOPY, "auto");

    private final int bindFlag;
    private final String label;

    XskBindMode(final int bindFlag, final String label)
    {
        this.bindFlag = bindFlag;
        this.label = label;
    }

    /**
     * @return the {@code XDP_*} bind flag tried first.
     */
    public int bindFlag()
    {
        return bindFlag;
    }

    /**
     * @return a name for reports.
     */
    public String label()
    {
        return label;
    }
}
