package io.wirekv.dataplane.port;

import io.wirekv.hugepages.HugepageMemory;
import io.wirekv.hugepages.PageSize;
import io.wirekv.nativebindings.xdp.XdpProgramAttachment;
import io.wirekv.nativebindings.xdp.XskBindMode;

import java.util.Objects;

/**
 * Settings of one {@link XskFrameQueue}: fluent setters for the caller, package-private getters for
 * {@link XskSocketBinding} and the queue; validated by {@link XskFrameQueue#open(XskFrameQueueConfig)}.
 * <p>
 * <b>Threading.</b> Filled in and validated on the thread that opens the queue, before its lcore starts;
 * read-only afterwards.
 */
public final class XskFrameQueueConfig
{
    private final String interfaceName;
    private final int queueId;
    private int frameCount = 4096;
    private int frameSize = 2048;
    private int fillSize = 2048;
    private int completionSize = 2048;
    private int rxSize = 2048;
    private int txSize = 2048;
    private XskBindMode bindMode = XskBindMode.AUTO;
    private boolean needWakeup = true;
    private boolean busyPoll;
    private int busyPollUs = 20;
    private int busyPollBudget = 64;
    private HugepageMemory hugepages = HugepageMemory.global();
    private PageSize pageSize = PageSize.HUGE_2M;
    private XdpProgramAttachment attachment;

    /**
     * @param interfaceName the interface, e.g. {@code "eth0"}.
     * @param queueId       its queue.
     */
    public XskFrameQueueConfig(final String interfaceName, final int queueId)
    {
        this.interfaceName = Objects.requireNonNull(interfaceName);
        this.queueId = queueId;
    }

    /**
     * @param frameCount UMEM frames, a power of two (default 4096).
     * @param frameSize  bytes per frame, 2048 or 4096 (default 2048).
     * @return this.
     */
    public XskFrameQueueConfig frames(final int frameCount, final int frameSize)
    {
        this.frameCount = frameCount;
        this.frameSize = frameSize;
        return this;
    }

    /**
     * @param fill       fill ring entries (default 2048; at most half the frames leaves room for the lcore).
     * @param completion completion ring entries (default 2048).
     * @param rx         RX ring entries (default 2048).
     * @param tx         TX ring entries (default 2048).
     * @return this.
     */
    public XskFrameQueueConfig rings(final int fill, final int completion, final int rx, final int tx)
    {
        this.fillSize = fill;
        this.completionSize = completion;
        this.rxSize = rx;
        this.txSize = tx;
        return this;
    }

    /**
     * @param bindMode zero-copy, copy, or auto (default: zero-copy, falling back to copy).
     * @return this.
     */
    public XskFrameQueueConfig bindMode(final XskBindMode bindMode)
    {
        this.bindMode = Objects.requireNonNull(bindMode);
        return this;
    }

    /**
     * @param needWakeup bind with {@code XDP_USE_NEED_WAKEUP} (default true).
     * @return this.
     */
    public XskFrameQueueConfig needWakeup(final boolean needWakeup)
    {
        this.needWakeup = needWakeup;
        return this;
    }

    /**
     * @param busyPollUs microseconds ({@code SO_BUSY_POLL}); turns on {@code SO_PREFER_BUSY_POLL}.
     * @param budget     packets per busy-poll ({@code SO_BUSY_POLL_BUDGET}).
     * @return this.
     */
    public XskFrameQueueConfig busyPoll(final int busyPollUs, final int budget)
    {
        this.busyPoll = true;
        this.busyPollUs = busyPollUs;
        this.busyPollBudget = budget;
        return this;
    }

    /**
     * @param hugepages where the UMEM is mapped (default {@link HugepageMemory#global()}).
     * @param pageSize  page size wanted (default 2 MiB; falls back to ordinary pages with a warning).
     * @return this.
     */
    public XskFrameQueueConfig memory(final HugepageMemory hugepages, final PageSize pageSize)
    {
        this.hugepages = Objects.requireNonNull(hugepages);
        this.pageSize = Objects.requireNonNull(pageSize);
        return this;
    }

    /**
     * @param attachment the interface's XDP program; the queue's socket is put in its XSKMAP (and taken out
     *                   on close). The attachment stays the caller's to close, after the queues.
     * @return this.
     */
    public XskFrameQueueConfig attachment(final XdpProgramAttachment attachment)
    {
        this.attachment = attachment;
        return this;
    }

    String interfaceName()
    {
        return interfaceName;
    }

    int queueId()
    {
        return queueId;
    }

    int frameCount()
    {
        return frameCount;
    }

    int frameSize()
    {
        return frameSize;
    }

    int fillSize()
    {
        return fillSize;
    }

    int completionSize()
    {
        return completionSize;
    }

    int rxSize()
    {
        return rxSize;
    }

    int txSize()
    {
        return txSize;
    }

    XskBindMode bindMode()
    {
        return bindMode;
    }

    boolean needWakeup()
    {
        return needWakeup;
    }

    boolean busyPoll()
    {
        return busyPoll;
    }

    int busyPollUs()
    {
        return busyPollUs;
    }

    int busyPollBudget()
    {
        return busyPollBudget;
    }

    HugepageMemory hugepages()
    {
        return hugepages;
    }

    PageSize pageSize()
    {
        return pageSize;
    }

    XdpProgramAttachment attachment()
    {
        return attachment;
    }

    void validate()
    {
        if (frameSize != 2048 && frameSize != 4096)
        {
            throw new IllegalArgumentException("xdp frame size must be 2048 or 4096, was " + frameSize);
        }
        requirePowerOfTwo("frame count", frameCount);
        requirePowerOfTwo("fill ring size", fillSize);
        requirePowerOfTwo("completion ring size", completionSize);
        requirePowerOfTwo("rx ring size", rxSize);
        requirePowerOfTwo("tx ring size", txSize);
        if (fillSize >= frameCount)
        {
            throw new IllegalArgumentException("xdp fill ring (" + fillSize + ") must be smaller than the frame count (" +
                frameCount + "), or no frame is left for replies");
        }
        if (queueId < 0 || queueId >= XdpProgramAttachment.MAX_QUEUES)
        {
            throw new IllegalArgumentException("xdp queue id must be 0.." + (XdpProgramAttachment.MAX_QUEUES - 1) +
                ", was " + queueId);
        }
    }

    private static void requirePowerOfTwo(final String what, final int value)
    {
        if (value <= 0 || Integer.bitCount(value) != 1)
        {
            throw new IllegalArgumentException("xdp " + what + " must be a power of two, was " + value);
        }
    }
}
