package io.wirekv.nativebindings.xdp;

/**
 * Where an XDP program runs on an interface.
 */
public enum XdpAttachMode
{
    /** In the driver ({@code XDP_MODE_NATIVE}, DRV): the fast path, before any skb exists. */
    NATIVE(LibXdp.XDP_MODE_NATIVE, "native"),
    /** Generic XDP ({@code XDP_MODE_SKB}): after the kernel built an skb; works on every device, slower. */
    SKB(LibXdp.XDP_MODE_SKB, "skb (generic)"),
    /** Native when the driver supports it, else generic; the mode obtained is reported. */
    AUTO(LibXdp.XDP_MODE_UNSPEC, "auto");

    private final int libxdpMode;
    private final String label;

    XdpAttachMode(final int libxdpMode, final String label)
    {
        this.libxdpMode = libxdpMode;
        this.label = label;
    }

    /**
     * @return libxdp's {@code enum xdp_attach_mode} value.
     */
    public int libxdpMode()
    {
        return libxdpMode;
    }

    /**
     * @return a name for reports.
     */
    public String label()
    {
        return label;
    }
}
