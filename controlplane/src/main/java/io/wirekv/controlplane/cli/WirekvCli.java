package io.wirekv.controlplane.cli;

import io.wirekv.controlplane.client.McClientException;
import io.wirekv.controlplane.cnc.CncException;
import io.wirekv.controlplane.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * The {@code wirekv} command line. Exit codes: 0 success, 1 failure (one line on stderr saying
 * why), 2 bad usage. Set {@code WIREKV_DEBUG=1} to get stack traces of unexpected failures.
 */
@Command(name = "wirekv", mixinStandardHelpOptions = true, versionProvider = WirekvCli.Version.class,
    description = "wirekv: a memcached-compatible key-value appliance.",
    subcommands = {
        ServeCommand.class,
        ClientCommands.Get.class,
        ClientCommands.Set.class,
        ClientCommands.Delete.class,
        ClientCommands.Mc.class,
        DemoCommand.class,
        BenchCommand.class,
        CncCommands.Status.class,
        CncCommands.Stat.class,
        CncCommands.Top.class,
        CncCommands.Errors.class,
        CncCommands.Config.class,
        CncCommands.Admin.class,
        CncCommands.Shutdown.class,
        SnapshotCommand.class,
        DigestCommand.class,
        ReplicationCommands.Promote.class,
        ReplicationCommands.Demote.class,
        ReplicationCommands.Status.class,
        CncCommands.Completion.class,
        CommandLine.HelpCommand.class},
    footer = {"", "Run 'wirekv COMMAND --help' for a command's options."})
public final class WirekvCli implements Callable<Integer>
{
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    public static void main(final String[] args)
    {
        // Under systemd: each line gets its syslog level for the journal (a terminal sees no change).
        io.wirekv.controlplane.systemd.JournalOutputStream.installIfJournal();
        final int code = run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        System.exit(code);
    }

    /** Runs the CLI with the given output streams; returns the exit code. */
    public static int run(final String[] args, final PrintWriter out, final PrintWriter err)
    {
        final CommandLine cl = commandLine();
        cl.setOut(out);
        cl.setErr(err);
        return cl.execute(args);
    }

    /** The configured picocli command tree, for tests and embedding. */
    public static CommandLine commandLine()
    {
        final CommandLine cl = new CommandLine(new WirekvCli());
        cl.registerConverter(java.time.Duration.class, new DurationConverter());
        cl.setParameterExceptionHandler(WirekvCli::usageError);
        cl.setExecutionExceptionHandler(WirekvCli::failure);
        return cl;
    }

    @Override
    public Integer call()
    {
        // "wirekv" alone: show what there is
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }

    private static int usageError(final ParameterException ex, final String[] args)
    {
        final CommandLine cl = ex.getCommandLine();
        final PrintWriter err = cl.getErr();
        err.println("wirekv: " + ex.getMessage());
        err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help'.");
        err.flush();
        return 2;
    }

    private static int failure(final Exception ex, final CommandLine cl, final CommandLine.ParseResult parsed)
    {
        final PrintWriter err = cl.getErr();
        if (ex instanceof ConfigException ce)
        {
            for (final String p : ce.problems())
            {
                err.println("wirekv: " + p);
            }
        }
        else if (ex instanceof UserException || ex instanceof McClientException || ex instanceof CncException)
        {
            err.println("wirekv: " + ex.getMessage());
        }
        else
        {
            err.println("wirekv: " + cl.getCommandName() + " failed: " + ex);
            if (System.getenv("WIREKV_DEBUG") != null)
            {
                ex.printStackTrace(err);
            }
            else
            {
                err.println("(set WIREKV_DEBUG=1 for the stack trace)");
            }
        }
        err.flush();
        return 1;
    }

    static void debug(final Throwable t)
    {
        if (System.getenv("WIREKV_DEBUG") != null)
        {
            t.printStackTrace();
        }
    }

    /** {@code wirekv --version}: what the build recorded ({@link io.wirekv.dataplane.server.Version}) and the JDK. */
    static final class Version implements CommandLine.IVersionProvider
    {
        @Override
        public String[] getVersion()
        {
            return new String[] {io.wirekv.dataplane.server.Version.describe(),
                io.wirekv.dataplane.server.Version.describeJdk()};
        }
    }
}
