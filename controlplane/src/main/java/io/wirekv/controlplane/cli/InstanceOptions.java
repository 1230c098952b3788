package io.wirekv.controlplane.cli;

import io.wirekv.controlplane.cnc.AdminClient;
import io.wirekv.controlplane.cnc.CncException;
import io.wirekv.controlplane.cnc.CncReader;
import io.wirekv.dataplane.cnc.AdminProtocol;
import io.wirekv.dataplane.cnc.CncFileDescriptor;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/** {@code --instance NAME} (and where the CnC files are) for the commands that read an instance's CnC file. */
public final class InstanceOptions
{
    public static final String DEFAULT_INSTANCE = "default";

    @Option(names = "--instance", paramLabel = "NAME", description = "the instance (default: default)")
    String instance;

    @Option(names = "--cnc-dir", paramLabel = "DIR", description = "where instances keep their CnC files " +
        "(default /dev/shm, or -Dwirekv.cnc.dir)")
    Path cncDir;

    String instance()
    {
        return instance == null ? DEFAULT_INSTANCE : instance;
    }

    boolean isExplicit()
    {
        return instance != null;
    }

    Path base()
    {
        return cncDir != null ? cncDir : CncFileDescriptor.baseDirectory();
    }

    /** Maps the instance's CnC file; failures are CncExceptions with the reason. */
    CncReader open(final boolean writable)
    {
        return CncReader.open(base(), instance(), writable);
    }

    /**
     * Sends one admin command (snapshot, digest, promote, ...) through the instance's CnC command ring and waits for
     * its answer.
     *
     * @param name     the command's name, which prefixes a failure's reason.
     * @param argument the command's key (e.g. a peer), or null for none.
     * @return the answer's text.
     * @throws CncException {@code name: reason} when the instance is not there or refuses or fails the command.
     */
    String command(final String name, final int type, final String argument, final int flags, final Duration timeout)
    {
        try (CncReader cnc = open(true))
        {
            final AdminClient.Response r = new AdminClient(cnc).send(type,
                null == argument ? new byte[0] : argument.getBytes(StandardCharsets.UTF_8), new byte[0], flags, 0, timeout);
            if (r.status() != AdminProtocol.STATUS_OK)
            {
                throw new CncException(name + ": " + r.text());
            }
            return r.text();
        }
    }
}
