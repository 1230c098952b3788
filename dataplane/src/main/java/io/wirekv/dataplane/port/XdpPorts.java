package io.wirekv.dataplane.port;

/**
 * The {@code xdp} backend (interim: being built).
 */
public final class XdpPorts
{
    private XdpPorts()
    {
    }

    public static PortSet open(
        final BypassSettings settings, final int queues, final int udpPort, final int burstSize, final int udpMaxPayload)
    {
        throw new IllegalStateException("backend xdp: not in this build yet");
    }
}
