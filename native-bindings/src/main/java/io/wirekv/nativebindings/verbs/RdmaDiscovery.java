package io.wirekv.nativebindings.verbs;

import java.util.List;

/**
 * What {@link RdmaDevices#discover()} found: either RDMA devices, or no device with the reason. Never an exception:
 * a host without RDMA is an ordinary answer.
 */
public sealed interface RdmaDiscovery
{
    /**
     * @return a one-line summary for the start-up report, e.g. {@code "mlx5_0 port 1 ACTIVE"} or the reason.
     */
    String summary();

    /**
     * At least one device.
     *
     * @param devices what {@code ibv_get_device_list} returned, in its order.
     */
    record Devices(List<RdmaDevice> devices) implements RdmaDiscovery
    {
        public Devices
        {
            devices = List.copyOf(devices);
            if (devices.isEmpty())
            {
                throw new IllegalArgumentException("Devices needs at least one device; use NoDevice");
            }
        }

        @Override
        public String summary()
        {
            final StringBuilder sb = new StringBuilder();
            for (final RdmaDevice device : devices)
            {
                if (!sb.isEmpty())
                {
                    sb.append("; ");
                }
                sb.append(device.describe());
            }
            return sb.toString();
        }

        /**
         * @return the first device with an ACTIVE port, or null when no port is up.
         */
        public RdmaDevice firstActive()
        {
            for (final RdmaDevice device : devices)
            {
                if (device.firstActivePort() != null)
                {
                    return device;
                }
            }
            return null;
        }
    }

    /**
     * No usable device.
     *
     * @param reason e.g. {@code "ibv_get_device_list returned 0 devices"} or {@code "RDMA unavailable:
     *               libibverbs.so.1 not found (...)"}.
     */
    record NoDevice(String reason) implements RdmaDiscovery
    {
        @Override
        public String summary()
        {
            return "no RDMA device: " + reason;
        }
    }

    /**
     * One device.
     *
     * @param name    the kernel device name, e.g. {@code mlx5_0}.
     * @param ports   its ports (empty with {@code problem} set when it could not be opened or queried).
     * @param problem why the ports are unknown, or null.
     */
    record RdmaDevice(String name, List<Port> ports, String problem)
    {
        public RdmaDevice
        {
            ports = List.copyOf(ports);
        }

        /**
         * @return the first ACTIVE port, or null.
         */
        public Port firstActivePort()
        {
            for (final Port port : ports)
            {
                if (port.state() == VerbsLayouts.IBV_PORT_ACTIVE)
                {
                    return port;
                }
            }
            return null;
        }

        String describe()
        {
            if (problem != null)
            {
                return name + " (" + problem + ")";
            }
            final StringBuilder sb = new StringBuilder(name);
            for (final Port port : ports)
            {
                sb.append(" port ").append(port.number()).append(' ').append(VerbsLayouts.portStateName(port.state()))
                    .append(port.linkLayer() == VerbsLayouts.IBV_LINK_LAYER_ETHERNET ? " (RoCE)" : " (InfiniBand)");
            }
            return sb.toString();
        }
    }

    /**
     * One port, from {@code ibv_query_port}.
     *
     * @param number    1-based port number.
     * @param state     {@code enum ibv_port_state}.
     * @param lid       the port's LID (0 on RoCE, which addresses by GID).
     * @param linkLayer {@code IBV_LINK_LAYER_*}.
     */
    record Port(int number, int state, int lid, int linkLayer)
    {
    }
}
