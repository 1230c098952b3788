package io.wirekv.controlplane.load;

import io.wirekv.controlplane.client.ServerAddress;

import java.time.Duration;

/**
 * What a load run does. Keys are {@code keySizeBytes} long: 'k', zero padding, then the key's
 * index in decimal ({@code k00000000000042}); values are {@code valueSizeBytes} of 'v'. Each
 * request is a GET with probability {@code getRatio}, else a SET, of a uniformly chosen key.
 *
 * @param udpTarget      where UDP requests go (null when udpThreads is 0).
 * @param tcpTarget      where TCP requests go (null when tcpThreads is 0).
 * @param duration       how long the measured phase runs (after the warm-up).
 * @param keySpace       number of distinct keys.
 * @param keySizeBytes   key length, 1..250, long enough for 'k' plus the largest index.
 * @param valueSizeBytes value length for SETs and the warm-up.
 * @param getRatio       0.0..1.0, share of GETs.
 * @param udpThreads     closed-loop UDP threads, each with its own socket.
 * @param udpInFlight    requests each UDP thread keeps outstanding, 1..256, told apart by request id.
 * @param tcpThreads     TCP threads, each with its own connection.
 * @param tcpPipeline    requests each TCP thread writes before reading their replies, 1..256.
 * @param timeoutMs      a request without its reply after this long counts as a timeout.
 * @param warmUp         SET every key once over TCP (or UDP when there is no TCP) before measuring.
 * @param seed           seed for key and operation choice, so runs repeat.
 */
public record LoadSpec(
    ServerAddress udpTarget,
    ServerAddress tcpTarget,
    Duration duration,
    int keySpace,
    int keySizeBytes,
    int valueSizeBytes,
    double getRatio,
    int udpThreads,
    int udpInFlight,
    int tcpThreads,
    int tcpPipeline,
    int timeoutMs,
    boolean warmUp,
    long seed)
{
    public static final int MAX_THREADS = 64;
    public static final int MAX_IN_FLIGHT = 256;
    public static final Duration MAX_DURATION = Duration.ofHours(1);
    /** Largest value the UDP load can SET: a request must fit in one datagram. */
    public static final int MAX_UDP_VALUE_BYTES = 60_000;

    /** @throws IllegalArgumentException naming the setting and its allowed range. */
    public LoadSpec
    {
        if (duration.isNegative() || duration.isZero() || duration.compareTo(MAX_DURATION) > 0)
        {
            throw new IllegalArgumentException("duration must be more than 0 and at most 1h, got " + duration);
        }
        if (keySpace < 1 || keySpace > 100_000_000)
        {
            throw new IllegalArgumentException("key space must be from 1 to 100000000, got " + keySpace);
        }
        final int digits = Integer.toString(keySpace - 1).length();
        if (keySizeBytes < digits + 1 || keySizeBytes > 250)
        {
            throw new IllegalArgumentException("key size must be from " + (digits + 1) + " (for " + keySpace +
                " keys) to 250 bytes, got " + keySizeBytes);
        }
        if (valueSizeBytes < 1 || valueSizeBytes > 1024 * 1024 || (udpThreads > 0 && valueSizeBytes > MAX_UDP_VALUE_BYTES))
        {
            throw new IllegalArgumentException("value size must be from 1 to " +
                (udpThreads > 0 ? MAX_UDP_VALUE_BYTES + " bytes with UDP threads" : "1048576 bytes") + ", got " + valueSizeBytes);
        }
        if (!(getRatio >= 0.0 && getRatio <= 1.0))
        {
            throw new IllegalArgumentException("get ratio must be from 0.0 to 1.0, got " + getRatio);
        }
        if (udpThreads < 0 || udpThreads > MAX_THREADS || tcpThreads < 0 || tcpThreads > MAX_THREADS)
        {
            throw new IllegalArgumentException("UDP and TCP threads must each be from 0 to " + MAX_THREADS);
        }
        if (udpThreads + tcpThreads == 0)
        {
            throw new IllegalArgumentException("nothing to do: both UDP and TCP threads are 0");
        }
        if (udpInFlight < 1 || udpInFlight > MAX_IN_FLIGHT || tcpPipeline < 1 || tcpPipeline > MAX_IN_FLIGHT)
        {
            throw new IllegalArgumentException("UDP in-flight and TCP pipeline depth must be from 1 to " + MAX_IN_FLIGHT);
        }
        if (timeoutMs < 1 || timeoutMs > 60_000)
        {
            throw new IllegalArgumentException("timeout must be from 1 to 60000 ms, got " + timeoutMs);
        }
        if ((udpThreads > 0 && udpTarget == null) || (tcpThreads > 0 && tcpTarget == null))
        {
            throw new IllegalArgumentException("a target address is needed for each protocol with threads");
        }
    }
}
