package io.wirekv.dataplane.testnet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The delay relay process ({@code deploy/lib/netns-relay.py}, run by Debian's {@code /usr/bin/python3}): two TUN
 * devices in the host namespace and a user-space queue that holds every packet read from one for the one-way delay
 * before writing it to the other, as Mahimahi's delayshell does. It stands in for netem, which this kernel lacks;
 * {@link NetnsLink#delay} moves the devices into its namespaces and routes through them.
 * <p>
 * The devices are not persistent: they and every route through them vanish when the relay exits, which it does on
 * {@link #close()}, when this JVM dies (the relay watches its parent PID) and when a device's namespace is deleted.
 * Threading: driven by the one thread that drives its {@link NetnsLink}.
 */
final class TunDelayRelay implements AutoCloseable
{
    static final String PYTHON = "/usr/bin/python3";
    static final String SCRIPT = "deploy/lib/netns-relay.py";

    private final Process process;
    private final Path output;

    private TunDelayRelay(final Process process, final Path output)
    {
        this.process = process;
        this.output = output;
    }

    /** Why a relay cannot run here (no TUN, no /usr/bin/python3, no script), or null. */
    static String unavailableReason()
    {
        if (!Files.exists(Path.of("/dev/net/tun")))
        {
            return "no /dev/net/tun (the kernel's CONFIG_TUN): the delay relay needs two TUN devices";
        }
        if (!Files.isExecutable(Path.of(PYTHON)))
        {
            return "no " + PYTHON + " for the delay relay: run deploy/install-deps.sh (Debian package python3)";
        }
        return null == script() ? SCRIPT + " not found above " + Path.of("").toAbsolutePath() : null;
    }

    /**
     * Starts a relay between two new TUN devices in the host namespace and returns once both exist.
     *
     * @throws IllegalStateException when it cannot run or says why not within 10 s.
     */
    static TunDelayRelay start(final String tunA, final String tunB, final int delayMs, final int jitterMs)
    {
        final String unavailable = unavailableReason();
        if (null != unavailable)
        {
            throw new IllegalStateException(unavailable);
        }
        Path output = null;
        Process process = null;
        try
        {
            output = Files.createTempFile("wirekv-relay", ".out");
            process = new ProcessBuilder(PYTHON, script().toString(), tunA, tunB, "--delay", Integer.toString(delayMs),
                "--jitter", Integer.toString(jitterMs)).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            final TunDelayRelay relay = new TunDelayRelay(process, output);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!relay.output().startsWith("ready"))
            {
                if (!process.isAlive() || System.nanoTime() > deadline)
                {
                    final String said = relay.output().trim();
                    relay.close();
                    throw new IllegalStateException("the delay relay (" + SCRIPT + ") did not start: " + said);
                }
                Thread.sleep(10);
            }
            return relay;
        }
        catch (final IOException ex)
        {
            destroy(process, output);
            throw new IllegalStateException("cannot start the delay relay: " + ex.getMessage(), ex);
        }
        catch (final InterruptedException ex)
        {
            destroy(process, output);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted starting the delay relay", ex);
        }
    }

    boolean isAlive()
    {
        return process.isAlive();
    }

    /** What the relay printed so far ({@code ready}, and at its end how many packets it relayed and dropped). */
    String output()
    {
        try
        {
            return Files.readString(output, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            return "(" + ex.getMessage() + ")";
        }
    }

    /** Stops the relay (SIGTERM, SIGKILL after 5 s); its devices and their routes are gone when this returns. */
    @Override
    public void close()
    {
        destroy(process, output);
    }

    private static void destroy(final Process process, final Path output)
    {
        try
        {
            if (null != process)
            {
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS))
                {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        finally
        {
            if (null != output)
            {
                output.toFile().delete();
            }
        }
    }

    /** The relay script, found above the working directory (a module's directory under Maven). */
    private static Path script()
    {
        for (Path dir = Path.of("").toAbsolutePath(); null != dir; dir = dir.getParent())
        {
            final Path candidate = dir.resolve(SCRIPT);
            if (Files.isRegularFile(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
