package io.wirekv.controlplane.load;

import io.wirekv.controlplane.client.ServerAddress;

import java.time.Duration;
import java.util.Locale;

/**
 * One {@code wirekv bench} trial's settings, validated once before any thread starts. Keys are
 * {@code keySizeBytes} long ({@code k000…042}, see {@link KeyValues#putKey}); key {@code i}'s value
 * has a length and content derived from {@code i} and {@link #valueVersion()} only (see
 * {@link BenchValues}), so any reply can be checked without remembering what was set.
 *
 * @param target          the server, any memcached-protocol server.
 * @param transport       UDP (memcached's 8-byte frame header, one datagram per request) or TCP.
 * @param protocol        text get/set or meta mg/ms.
 * @param keySpace        distinct keys, 1..100,000,000.
 * @param keySizeBytes    key length, long enough for 'k' plus the largest index, at most 250.
 * @param valueSizeMin    smallest value length; equal to {@code valueSizeMax} for fixed sizes.
 * @param valueSizeMax    largest value length; each key's length is uniform in [min, max].
 * @param zipfTheta       0 for uniform key choice, else Zipf's θ in (0, 1) (0.99 is YCSB's).
 * @param getRatio        share of GET requests, 0..1; the rest are SETs.
 * @param multiget        keys per GET request, 1..{@link #MAX_MULTIGET}.
 * @param threads         generator threads ("lcores"), each with its own socket.
 * @param cpus            CPUs to pin thread i to ({@code cpus[i % cpus.length]}), or empty for no pinning.
 * @param ratePerSecond   open loop at this offered rate (all threads together), or 0 for closed loop.
 * @param outstanding     closed loop: requests each thread keeps in flight.
 * @param duration        measured time.
 * @param maxRequests     most requests sent in the trial (all threads together).
 * @param timeoutNs       a request with no reply this long after its intended send time is lost.
 * @param verifyFraction  share of GETs whose values are checked byte for byte, 0..1.
 * @param seed            seed of key, operation and verify choice, so runs repeat.
 * @param idle            what a worker does in a cycle that had nothing to do.
 * @param noreply         TCP only: SETs ask for no reply (text {@code noreply}, meta {@code q}) and are pipelined;
 *                        a {@code mn} no-op every {@link #syncEvery()} SETs (and at every flush) is the sync point
 *                        whose {@code MN} proves the server processed every SET before it ({@link BenchTcpWorker}).
 */
public record BenchSpec(
    ServerAddress target,
    Transport transport,
    Protocol protocol,
    int keySpace,
    int keySizeBytes,
    int valueSizeMin,
    int valueSizeMax,
    double zipfTheta,
    double getRatio,
    int multiget,
    int threads,
    int[] cpus,
    long ratePerSecond,
    int outstanding,
    Duration duration,
    long maxRequests,
    long timeoutNs,
    double verifyFraction,
    long seed,
    Idle idle,
    boolean noreply)
{
    public static final int MAX_THREADS = 64;
    public static final int MAX_MULTIGET = 100;
    public static final int MAX_OUTSTANDING = 4096;
    public static final long MAX_RATE_PER_SECOND = 100_000_000L;
    /** Largest value over UDP: a SET must fit in one datagram. */
    public static final int MAX_UDP_VALUE_BYTES = 60_000;
    public static final int MAX_VALUE_BYTES = 1024 * 1024;
    public static final Duration MAX_DURATION = Duration.ofHours(1);

    /** How requests travel. */
    public enum Transport
    {
        UDP, TCP;

        public String label()
        {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What a worker does when a cycle found no reply and nothing due. */
    public enum Idle
    {
        /** Busy-spin ({@link Thread#onSpinWait}): the most precise timestamps; takes a whole CPU. */
        SPIN,
        /** {@link Thread#yield}: lets a server on the same CPUs run; precise while CPUs are free. */
        YIELD,
        /** Park 50 us: little CPU; timestamps late by up to the park time plus timer slack. */
        PARK;

        public String label()
        {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** SETs that get replies. */
    public BenchSpec(final ServerAddress target, final Transport transport, final Protocol protocol, final int keySpace,
        final int keySizeBytes, final int valueSizeMin, final int valueSizeMax, final double zipfTheta, final double getRatio,
        final int multiget, final int threads, final int[] cpus, final long ratePerSecond, final int outstanding,
        final Duration duration, final long maxRequests, final long timeoutNs, final double verifyFraction, final long seed,
        final Idle idle)
    {
        this(target, transport, protocol, keySpace, keySizeBytes, valueSizeMin, valueSizeMax, zipfTheta, getRatio, multiget,
            threads, cpus, ratePerSecond, outstanding, duration, maxRequests, timeoutNs, verifyFraction, seed, idle, false);
    }

    /** With the default idle strategy, {@link Idle#SPIN}. */
    public BenchSpec(final ServerAddress target, final Transport transport, final Protocol protocol, final int keySpace,
        final int keySizeBytes, final int valueSizeMin, final int valueSizeMax, final double zipfTheta, final double getRatio,
        final int multiget, final int threads, final int[] cpus, final long ratePerSecond, final int outstanding,
        final Duration duration, final long maxRequests, final long timeoutNs, final double verifyFraction, final long seed)
    {
        this(target, transport, protocol, keySpace, keySizeBytes, valueSizeMin, valueSizeMax, zipfTheta, getRatio, multiget,
            threads, cpus, ratePerSecond, outstanding, duration, maxRequests, timeoutNs, verifyFraction, seed, Idle.SPIN);
    }

    /** Which memcached commands the requests use. */
    public enum Protocol
    {
        /** {@code get k1 k2 ...} and {@code set k 0 0 N}. */
        TEXT,
        /** {@code mg k v k O<n>} (with {@code q} and a closing {@code mn} for multi-key gets) and {@code ms k N T0 O<n>}. */
        META;

        public String label()
        {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** @throws IllegalArgumentException naming the option and its allowed range. */
    public BenchSpec
    {
        if (target == null || transport == null || protocol == null || idle == null)
        {
            throw new IllegalArgumentException("a target, a transport, a protocol and an idle strategy are needed");
        }
        if (keySpace < 1 || keySpace > 100_000_000)
        {
            throw new IllegalArgumentException("--keys must be from 1 to 100000000, got " + keySpace);
        }
        final int digits = Integer.toString(keySpace - 1).length();
        if (keySizeBytes < digits + 1 || keySizeBytes > 250)
        {
            throw new IllegalArgumentException("--key-size must be from " + (digits + 1) + " (for " + keySpace +
                " keys) to 250 bytes, got " + keySizeBytes);
        }
        final int maxValue = transport == Transport.UDP ? MAX_UDP_VALUE_BYTES : MAX_VALUE_BYTES;
        if (valueSizeMin < 1 || valueSizeMax < valueSizeMin || valueSizeMax > maxValue)
        {
            throw new IllegalArgumentException("--value-size must be N or MIN-MAX within 1.." + maxValue + " bytes over " +
                transport.label() + ", got " + valueSizeMin + "-" + valueSizeMax);
        }
        if (!(zipfTheta >= 0.0 && zipfTheta < 1.0))
        {
            throw new IllegalArgumentException("--zipf must be 0 (uniform) or a θ in (0, 1), got " + zipfTheta);
        }
        if (!(getRatio >= 0.0 && getRatio <= 1.0))
        {
            throw new IllegalArgumentException("--get-ratio must be from 0.0 to 1.0, got " + getRatio);
        }
        if (multiget < 1 || multiget > MAX_MULTIGET)
        {
            throw new IllegalArgumentException("--multiget must be from 1 to " + MAX_MULTIGET + ", got " + multiget);
        }
        if (transport == Transport.UDP &&
            (long)multiget * (keySizeBytes + 24) + 16 > MAX_UDP_VALUE_BYTES)
        {
            throw new IllegalArgumentException("--multiget " + multiget + " of " + keySizeBytes +
                "-byte keys does not fit in one datagram");
        }
        if (threads < 1 || threads > MAX_THREADS)
        {
            throw new IllegalArgumentException("--threads must be from 1 to " + MAX_THREADS + ", got " + threads);
        }
        cpus = cpus == null ? new int[0] : cpus.clone();
        for (final int cpu : cpus)
        {
            if (cpu < 0)
            {
                throw new IllegalArgumentException("--cpus must list CPU numbers, got " + cpu);
            }
        }
        if (ratePerSecond < 0 || ratePerSecond > MAX_RATE_PER_SECOND)
        {
            throw new IllegalArgumentException("--rate must be from 1 to " + MAX_RATE_PER_SECOND +
                " requests/s (or absent for closed loop), got " + ratePerSecond);
        }
        if (outstanding < 1 || outstanding > MAX_OUTSTANDING)
        {
            throw new IllegalArgumentException("--outstanding must be from 1 to " + MAX_OUTSTANDING + ", got " + outstanding);
        }
        if (duration == null || duration.isNegative() || duration.isZero() || duration.compareTo(MAX_DURATION) > 0)
        {
            throw new IllegalArgumentException("--duration must be more than 0 and at most 1h, got " + duration);
        }
        if (maxRequests < 1)
        {
            throw new IllegalArgumentException("--max-requests must be at least 1, got " + maxRequests);
        }
        if (timeoutNs < 1_000_000L || timeoutNs > 60_000_000_000L)
        {
            throw new IllegalArgumentException("--timeout must be from 1ms to 60s, got " + timeoutNs / 1_000_000 + "ms");
        }
        if (!(verifyFraction >= 0.0 && verifyFraction <= 1.0))
        {
            throw new IllegalArgumentException("--verify-fraction must be from 0.0 to 1.0, got " + verifyFraction);
        }
        if (noreply && transport != Transport.TCP)
        {
            throw new IllegalArgumentException("--noreply needs --transport tcp (a datagram without a reply cannot be " +
                "told from a lost one)");
        }
    }

    /** {@link #noreply()}: SETs between two sync points, a quarter of the window so the pipeline never drains. */
    public int syncEvery()
    {
        return Math.max(1, outstanding / 4);
    }

    /** The same settings at another offered rate (0 for closed loop) and duration: a search or sweep trial. */
    public BenchSpec withRate(final long rate, final Duration trialDuration)
    {
        return new BenchSpec(target, transport, protocol, keySpace, keySizeBytes, valueSizeMin, valueSizeMax, zipfTheta,
            getRatio, multiget, threads, cpus, rate, outstanding, trialDuration, maxRequests, timeoutNs, verifyFraction,
            seed, idle, noreply);
    }

    /**
     * The warm-up as a trial: SETs only, closed loop, one request per key, at most 10 minutes, no
     * value checks (the worker takes the keys in order, see {@code BenchOps}).
     */
    public BenchSpec forWarmUp()
    {
        return new BenchSpec(target, transport, protocol, keySpace, keySizeBytes, valueSizeMin, valueSizeMax, zipfTheta,
            0.0, multiget, threads, cpus, 0, outstanding, Duration.ofMinutes(10), keySpace, timeoutNs, 0.0, seed, idle,
            noreply);
    }

    /**
     * The TCP side of a mixed UDP + TCP trial ({@code wirekv bench --tcp-threads}, {@code wirekv demo}): the same
     * target, keys, values, mix, seed and duration over TCP, closed loop, with {@code tcpThreads} threads keeping
     * {@code tcpOutstanding} requests in flight each, pinned (when CPUs are given) to the CPUs after the UDP
     * threads'. The seed stays the same so both sides store and check the same values; the TCP workers draw
     * their own key sequences ({@link BenchWorker}).
     */
    public BenchSpec tcpSide(final int tcpThreads, final int tcpOutstanding)
    {
        final int[] tcpCpus = new int[cpus.length];
        for (int i = 0; i < cpus.length; i++)
        {
            tcpCpus[i] = cpus[(threads + i) % cpus.length];
        }
        return new BenchSpec(target, Transport.TCP, protocol, keySpace, keySizeBytes, valueSizeMin, valueSizeMax, zipfTheta,
            getRatio, multiget, tcpThreads, tcpCpus, 0, tcpOutstanding, duration, maxRequests, timeoutNs, verifyFraction,
            seed, idle, noreply);
    }

    public boolean openLoop()
    {
        return ratePerSecond > 0;
    }

    /** The version mixed into every value, so values written by a run with another seed read as wrong. */
    public int valueVersion()
    {
        return (int)(seed ^ (seed >>> 32));
    }

    /** Upper bound of one request's bytes (without the UDP frame header). */
    public int maxRequestBytes()
    {
        final int get = multiget * (keySizeBytes + 24) + 8;
        final int set = keySizeBytes + 48 + valueSizeMax;
        return Math.max(get, set);
    }

    @Override
    public int[] cpus()
    {
        return cpus.clone();
    }

    /** CPU thread {@code i} pins itself to, or -1. */
    public int cpuOf(final int thread)
    {
        return cpus.length == 0 ? -1 : cpus[thread % cpus.length];
    }
}
