package io.wirekv.controlplane.cli;

import io.wirekv.dataplane.cnc.AdminProtocol;
import io.wirekv.dataplane.digest.PartitionDigest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code wirekv digest}: through the CnC command ring, an order-independent digest of each partition's live items
 * (key, value, flags, absolute exptime, CAS), to compare two instances' tables (a primary and its backup): a line
 * {@code partition N items C digest 0x...} per partition and a {@code total} line, or one JSON object.
 */
@Command(name = "digest", description = {
    "Print a digest of each partition's live items (key, value, flags, exptime, CAS), and the total.",
    "Equal tables print equal digests whatever their insertion order; compare a primary with its backup.",
    "The scan does not stop writes: under concurrent writes the answer is fuzzy; it is consistent only once " +
        "writes have stopped (and, for a backup, the stream has caught up)."})
final class DigestCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Mixin
    InstanceOptions target;

    @Option(names = "--partition", paramLabel = "N", description = "only partition N (default: every partition)")
    Integer partition;

    @Option(names = "--json", description = "one JSON object, for scripts")
    boolean json;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "how long to wait for the scan (default 5m)")
    Duration timeout = Duration.ofMinutes(5);

    @Override
    public Integer call()
    {
        final List<PartitionDigest> partitions = PartitionDigest.parse(
            target.command("digest", AdminProtocol.DIGEST, null, null == partition ? -1 : partition, timeout));
        final PartitionDigest total = PartitionDigest.total(partitions);
        final PrintWriter out = spec.commandLine().getOut();
        if (json)
        {
            out.println("{\"instance\":\"" + target.instance() + "\",\"partitions\":[" + partitions.stream()
                .map(DigestCommand::json).collect(Collectors.joining(",")) + "],\"total\":" + json(total) + "}");
        }
        else
        {
            partitions.forEach(p -> out.println(p.line()));
            out.println(total.line());
        }
        out.flush();
        return 0;
    }

    private static String json(final PartitionDigest d)
    {
        return "{" + (d.partition() == PartitionDigest.TOTAL ? "" : "\"partition\":" + d.partition() + ",") +
            "\"items\":" + d.items() + ",\"digest\":\"" + d.digestHex() + "\"}";
    }
}
