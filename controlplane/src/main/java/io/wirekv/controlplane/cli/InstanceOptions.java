package io.wirekv.controlplane.cli;

import io.wirekv.controlplane.cnc.CncReader;
import io.wirekv.dataplane.cnc.CncFileDescriptor;
import picocli.CommandLine.Option;

import java.nio.file.Path;

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
}
