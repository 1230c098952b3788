package io.wirekv.controlplane.cli;

import io.wirekv.dataplane.cnc.AdminProtocol;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code wirekv snapshot}: through the CnC command ring, snapshots every partition of a running instance with
 * persistence, waits until the files are durable and the log segments they cover deleted, and prints a line per
 * partition (items, bytes, ms, sequence, segments deleted). Fails with the reason when persistence is none.
 */
@Command(name = "snapshot", description = {"Snapshot every partition now and delete the log segments they cover.",
    "Through the CnC command ring; waits until the snapshots are durable. Needs persistence async or sync."})
final class SnapshotCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Mixin
    InstanceOptions target;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "how long to wait for the snapshots (default 5m)")
    Duration timeout = Duration.ofMinutes(5);

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        out.print(target.command("snapshot", AdminProtocol.SNAPSHOT, null, 0, timeout));
        out.flush();
        return 0;
    }
}
