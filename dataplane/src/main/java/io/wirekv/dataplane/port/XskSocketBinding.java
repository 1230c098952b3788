package io.wirekv.dataplane.port;

import io.wirekv.hugepages.MemoryRegion;
import io.wirekv.nativebindings.Errno;
import io.wirekv.nativebindings.NativeException;
import io.wirekv.nativebindings.xdp.XdpProgramAttachment;
import io.wirekv.nativebindings.xdp.XskBindMode;
import io.wirekv.nativebindings.xdp.XskDescriptor;
import io.wirekv.nativebindings.xdp.XskSocket;
import io.wirekv.nativebindings.xdp.XskUmem;

import java.lang.foreign.MemorySegment;

/**
 * The native side of one {@link XskFrameQueue}, set up and torn down as one: the UMEM's memory region
 * (hugepages, ordinary pages as a reported fallback), the UMEM with its fill and completion rings, the
 * AF_XDP socket bound to (interface, queue id) with its RX and TX rings, busy polling on it when asked,
 * and its entry in the XDP program's XSKMAP when an attachment is configured. {@link #describe()} is the
 * queue's line in the start-up report: what was asked for and what the kernel granted.
 * <p>
 * <b>Threading.</b> Opened, described and closed off the lcore (close once the lcore has stopped); the
 * lcore drives only the rings and the socket's wakeups, through the {@link XskFrameQueue}.
 *
 * @param config     the queue's settings.
 * @param region     the mapping the UMEM lives in (may be larger than the UMEM: whole pages).
 * @param memory     the UMEM: {@code frameCount} frames of {@code frameSize} bytes.
 * @param umem       the UMEM, owner of the fill and completion rings.
 * @param socket     the bound socket, owner of the RX and TX rings.
 * @param modeReport the bind mode granted, and why on a fallback, for the start-up report.
 */
record XskSocketBinding(
    XskFrameQueueConfig config, MemoryRegion region, MemorySegment memory, XskUmem umem, XskSocket socket,
    String modeReport) implements AutoCloseable
{
    private static final long BIND_RETRY_MS = 1000;

    /**
     * Maps the UMEM, creates the socket and binds it (zero-copy first when the mode allows, then copy),
     * turns on busy polling when configured and registers the socket in the program's XSKMAP when an
     * attachment is configured. On failure, whatever was set up is released again.
     *
     * @param config the queue's settings, already validated.
     * @return the binding; close it after the queue's lcore stopped.
     * @throws NativeException when the socket cannot be created in any allowed mode, with the reasons.
     */
    static XskSocketBinding open(final XskFrameQueueConfig config)
    {
        final long umemBytes = (long)config.frameCount() * config.frameSize();
        final MemoryRegion region = config.hugepages().map(
            "xdp-umem " + config.interfaceName() + "/" + config.queueId(), umemBytes, config.pageSize(), true, true);
        XskUmem umem = null;
        XskSocket socket = null;
        try
        {
            final MemorySegment memory = region.segment().asSlice(0, umemBytes);
            final int wakeupFlag = config.needWakeup() ? XskDescriptor.XDP_USE_NEED_WAKEUP : 0;
            String report;
            Bound bound;
            try
            {
                bound = bind(config, memory, config.bindMode().bindFlag() | wakeupFlag);
                report = config.bindMode() == XskBindMode.COPY ? "copy (as configured)" : "zero-copy";
            }
            catch (final NativeException ex)
            {
                if (config.bindMode() != XskBindMode.AUTO || ex.errno() == Errno.EBUSY)
                {
                    throw ex;
                }
                bound = bind(config, memory, XskDescriptor.XDP_COPY | wakeupFlag);
                report = "copy (fallback: zero-copy bind refused: " + Errno.name(ex.errno()) + ")";
            }
            umem = bound.umem();
            socket = bound.socket();
            if (config.busyPoll())
            {
                socket.enableBusyPoll(config.busyPollUs(), config.busyPollBudget());
            }
            if (config.attachment() != null)
            {
                config.attachment().registerSocket(config.queueId(), socket.fd());
            }
            return new XskSocketBinding(config, region, memory, umem, socket, report);
        }
        catch (final RuntimeException ex)
        {
            if (socket != null)
            {
                socket.close();
            }
            if (umem != null)
            {
                umem.close();
            }
            region.close();
            throw ex;
        }
    }

    private record Bound(XskUmem umem, XskSocket socket)
    {
    }

    /**
     * A fresh UMEM and a socket on it. A queue's previous socket is released by the kernel asynchronously
     * (its buffer pool is freed from a workqueue), so binding again right after closing one can meet
     * {@code EBUSY} for a moment: retried for up to {@value #BIND_RETRY_MS} ms, then reported.
     */
    private static Bound bind(final XskFrameQueueConfig config, final MemorySegment memory, final int bindFlags)
    {
        final long deadline = System.nanoTime() + BIND_RETRY_MS * 1_000_000L;
        while (true)
        {
            // A fresh UMEM per attempt: libxdp may have set rings up on the UMEM's descriptor before bind failed.
            final XskUmem umem = XskUmem.create(
                memory, config.frameSize(), 0, config.fillSize(), config.completionSize());
            try
            {
                return new Bound(umem, XskSocket.create(
                    umem, config.interfaceName(), config.queueId(), config.rxSize(), config.txSize(), bindFlags));
            }
            catch (final NativeException ex)
            {
                umem.close();
                if (ex.errno() != Errno.EBUSY || System.nanoTime() > deadline)
                {
                    throw ex;
                }
            }
            catch (final RuntimeException ex)
            {
                umem.close();
                throw ex;
            }
            try
            {
                Thread.sleep(10);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(
                    "interrupted while binding " + config.interfaceName() + " queue " + config.queueId(), ex);
            }
        }
    }

    /**
     * @return one line for the start-up report: bind mode (and why, on a fallback), wakeup and busy-poll
     * settings, the UMEM and its backing, ring sizes, and the XSKMAP the socket is in.
     */
    String describe()
    {
        final XdpProgramAttachment attachment = config.attachment();
        return "xdp " + config.interfaceName() + " queue " + config.queueId() + ": " + modeReport +
            ", need_wakeup " + (config.needWakeup() ? "on" : "off") +
            ", busy-poll " + (config.busyPoll() ? config.busyPollUs() + " us budget " + config.busyPollBudget() : "off") +
            ", UMEM " + config.frameCount() + " x " + config.frameSize() + " B (" + region.backing() + ")" +
            ", rings fill/completion/rx/tx " + config.fillSize() + "/" + config.completionSize() + "/" +
            config.rxSize() + "/" + config.txSize() +
            (attachment != null ? ", in the XSKMAP of wirekv_xdp on " + attachment.interfaceName() + " (" +
            attachment.mode().label() + ")" : ", in no XDP program's XSKMAP");
    }

    /**
     * Takes the socket out of the XSKMAP, closes the socket and the UMEM, and unmaps the region. Called once,
     * by {@link XskFrameQueue#close()} (or by {@link XskFrameQueue#open} when the queue cannot be built).
     */
    @Override
    public void close()
    {
        try
        {
            if (config.attachment() != null)
            {
                try
                {
                    config.attachment().unregisterSocket(config.queueId());
                }
                catch (final RuntimeException ignored)
                {
                    // The program may already be detached; deleting the socket removes it from the map anyway.
                }
            }
            socket.close();
            umem.close();
        }
        finally
        {
            region.close();
        }
    }
}
