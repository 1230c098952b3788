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
 * {@code wirekv promote}, {@code wirekv demote} and {@code wirekv replication}: replication's run-time roles and
 * status, through the CnC command ring (as {@code wirekv snapshot}).
 */
final class ReplicationCommands
{
    private ReplicationCommands()
    {
    }

    /** Sends one admin command and prints its answer; fails with the server's reason. */
    static int send(final CommandSpec spec, final InstanceOptions target, final int type, final String name,
        final String argument)
    {
        final String text = target.command(name, type, argument, 0, Duration.ofSeconds(30));
        final PrintWriter out = spec.commandLine().getOut();
        out.print(text);
        if (!text.endsWith("\n"))
        {
            out.println();
        }
        out.flush();
        return 0;
    }

    @Command(name = "promote", description = {"Make this backup the primary: it stops applying the stream, takes " +
        "epoch + 1 (persisted) and accepts writes.", "Pushes to --peer (or replication.peer) when given."})
    static final class Promote implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Mixin
        HelpOption help;

        @Mixin
        InstanceOptions target;

        @Option(names = "--peer", paramLabel = "HOST:PORT", description = "the backup to push to (its replication.listen)")
        String peer;

        @Override
        public Integer call()
        {
            return send(spec, target, AdminProtocol.PROMOTE, "promote", peer);
        }
    }

    @Command(name = "demote", description = {"Make this primary (fenced or not) a backup listening on " +
        "replication.listen; the new primary full-syncs it."})
    static final class Demote implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Mixin
        HelpOption help;

        @Mixin
        InstanceOptions target;

        @Option(names = "--peer", paramLabel = "HOST:PORT", description = "the new primary (shown in status)")
        String peer;

        @Override
        public Integer call()
        {
            return send(spec, target, AdminProtocol.DEMOTE, "demote", peer);
        }
    }

    @Command(name = "replication", description = {"Replication status: role, epoch, peer, connection, per-partition " +
        "sequences and lag."})
    static final class Status implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Mixin
        HelpOption help;

        @Mixin
        InstanceOptions target;

        @Override
        public Integer call()
        {
            return send(spec, target, AdminProtocol.REPLICATION_STATUS, "replication", null);
        }
    }
}
