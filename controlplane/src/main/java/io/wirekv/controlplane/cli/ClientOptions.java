package io.wirekv.controlplane.cli;

import io.wirekv.controlplane.client.McClient;
import io.wirekv.controlplane.client.McTransport;
import io.wirekv.controlplane.client.ServerAddress;
import picocli.CommandLine.Option;

/** Options every client command shares: where the server is and how to reach it. */
public final class ClientOptions
{
    @Option(names = "--server", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:11211",
        description = "server to talk to (default: ${DEFAULT-VALUE})")
    String server;

    @Option(names = "--udp", description = "use memcached's UDP framing instead of TCP")
    boolean udp;

    @Option(names = "--timeout-ms", paramLabel = "MS", defaultValue = "1000",
        description = "connect and reply timeout per attempt (default: ${DEFAULT-VALUE})")
    int timeoutMs;

    @Option(names = "--retries", paramLabel = "N", defaultValue = "2",
        description = "UDP: resend a request with no complete reply this many times (default: ${DEFAULT-VALUE})")
    int retries;

    McClient connect()
    {
        final ServerAddress address;
        try
        {
            address = ServerAddress.parse(server);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new UserException("--server " + ex.getMessage());
        }
        if (timeoutMs < 1)
        {
            throw new UserException("--timeout-ms must be at least 1");
        }
        if (retries < 0)
        {
            throw new UserException("--retries must be 0 or more");
        }
        return new McClient(McTransport.open(address, udp, timeoutMs, retries));
    }
}
