package io.wirekv.nativebindings.verbs;

import io.wirekv.nativebindings.Errno;
import io.wirekv.nativebindings.NativeException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Finds RDMA devices with {@code ibv_get_device_list}, and each device's port states (open, query, close).
 * <p>
 * On the machines this was written on (no RDMA device, no RDMA kernel support) {@code ibv_get_device_list} returns
 * {@code NULL} with {@code ENOSYS}; the device and port branch has never run here.
 */
public final class RdmaDevices
{
    /** {@code ENOSYS}: what libibverbs reports when the kernel has no RDMA subsystem. */
    static final int ENOSYS = 38;

    private RdmaDevices()
    {
    }

    /**
     * Looks for devices; safe on any host: a missing library, a kernel without RDMA or zero devices is a
     * {@link RdmaDiscovery.NoDevice} with the reason.
     *
     * @return the devices with their ports, or no device and why.
     */
    public static RdmaDiscovery discover()
    {
        final String unavailable = VerbsLibrary.unavailableReason();
        if (unavailable != null)
        {
            return new RdmaDiscovery.NoDevice(unavailable);
        }
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment errno = Errno.allocateState(arena);
            final MemorySegment count = arena.allocate(JAVA_INT);
            final MemorySegment list = LibIbverbs.ibv_get_device_list(errno, count);
            if (MemorySegment.NULL.equals(list))
            {
                final int error = Errno.read(errno);
                return new RdmaDiscovery.NoDevice(noListReason(error, Errno.describe(error)));
            }
            try
            {
                final int n = count.get(JAVA_INT, 0);
                if (n <= 0)
                {
                    return new RdmaDiscovery.NoDevice("ibv_get_device_list returned 0 devices");
                }
                final List<RdmaDiscovery.RdmaDevice> devices = new ArrayList<>(n);
                final MemorySegment array = list.reinterpret(ADDRESS.byteSize() * n);
                for (int i = 0; i < n; i++)
                {
                    devices.add(describe(arena, array.getAtIndex(ADDRESS, i)));
                }
                return new RdmaDiscovery.Devices(devices);
            }
            finally
            {
                LibIbverbs.ibv_free_device_list(list);
            }
        }
        catch (final NativeException ex)
        {
            return new RdmaDiscovery.NoDevice(ex.getMessage());
        }
    }

    /**
     * The reason when {@code ibv_get_device_list} returns {@code NULL}; package-private for the test.
     */
    static String noListReason(final int errno, final String text)
    {
        final String hint = errno == ENOSYS ? ": no RDMA support in the kernel, no ib_uverbs or RDMA driver loaded" :
            errno == Errno.EACCES || errno == Errno.EPERM ? ": no permission on /dev/infiniband" : "";
        return "ibv_get_device_list returned 0 devices (errno " + errno + ", " + text + hint + ")";
    }

    @SuppressWarnings("restricted")
    private static RdmaDiscovery.RdmaDevice describe(final Arena arena, final MemorySegment device)
    {
        final String name = LibIbverbs.ibv_get_device_name(device).reinterpret(64).getString(0);
        final MemorySegment errno = Errno.allocateState(arena);
        final MemorySegment context = LibIbverbs.ibv_open_device(errno, device);
        if (MemorySegment.NULL.equals(context))
        {
            final int error = Errno.read(errno);
            return new RdmaDiscovery.RdmaDevice(name, List.of(), "ibv_open_device failed: " + Errno.name(error) + " " +
                Errno.describe(error));
        }
        try
        {
            final MemorySegment deviceAttr = arena.allocate(VerbsLayouts.IBV_DEVICE_ATTR);
            final int rc = LibIbverbs.ibv_query_device(context, deviceAttr);
            if (rc != 0)
            {
                return new RdmaDiscovery.RdmaDevice(name, List.of(), "ibv_query_device failed: " + Errno.name(rc));
            }
            final int portCount = Byte.toUnsignedInt(deviceAttr.get(JAVA_BYTE,
                VerbsLayouts.off(VerbsLayouts.IBV_DEVICE_ATTR, "phys_port_cnt")));
            final List<RdmaDiscovery.Port> ports = new ArrayList<>(portCount);
            for (int port = 1; port <= portCount; port++)
            {
                final MemorySegment attr = arena.allocate(VerbsLayouts.IBV_PORT_ATTR); // zeroed, as the inline does
                final int portRc = LibIbverbs.ibv_query_port(context, (byte)port, attr);
                if (portRc != 0)
                {
                    return new RdmaDiscovery.RdmaDevice(name, ports, "ibv_query_port(" + port + ") failed: " +
                        Errno.name(portRc));
                }
                ports.add(new RdmaDiscovery.Port(port,
                    attr.get(JAVA_INT, VerbsLayouts.off(VerbsLayouts.IBV_PORT_ATTR, "state")),
                    Short.toUnsignedInt(attr.get(JAVA_SHORT, VerbsLayouts.off(VerbsLayouts.IBV_PORT_ATTR, "lid"))),
                    Byte.toUnsignedInt(attr.get(JAVA_BYTE, VerbsLayouts.off(VerbsLayouts.IBV_PORT_ATTR, "link_layer")))));
            }
            return new RdmaDiscovery.RdmaDevice(name, ports, null);
        }
        finally
        {
            LibIbverbs.ibv_close_device(context);
        }
    }
}
