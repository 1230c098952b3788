package io.wirekv.controlplane.cli;

import io.wirekv.controlplane.client.McClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code wirekv get/set/delete/mc}: one memcached request each, over TCP or UDP. */
final class ClientCommands
{
    private ClientCommands()
    {
    }

    @Command(name = "get",
        description = {"Print the value stored under KEY.", "Exits 1 with 'NOT_FOUND' on stderr when the key is missing."})
    static final class Get implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Mixin
        HelpOption help;

        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "KEY", description = "the key")
        String key;

        @Option(names = "--show-flags", description = "print 'flags N' on stderr too")
        boolean showFlags;

        @Override
        public Integer call() throws IOException
        {
            try (McClient c = client.connect())
            {
                final McClient.Value v = c.get(key);
                if (v == null)
                {
                    spec.commandLine().getErr().println("NOT_FOUND");
                    return 1;
                }
                if (showFlags)
                {
                    spec.commandLine().getErr().println("flags " + v.flags());
                }
                final PrintWriter out = spec.commandLine().getOut();
                out.print(new String(v.data(), StandardCharsets.UTF_8));
                out.println();
                out.flush();
                return 0;
            }
        }
    }

    @Command(name = "set",
        description = {"Store VALUE under KEY; prints the server's reply (STORED).",
            "VALUE '-' reads the value from standard input."})
    static final class Set implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Mixin
        HelpOption help;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "KEY", description = "the key")
        String key;

        @Parameters(index = "1", paramLabel = "VALUE", description = "the value, or - for standard input")
        String value;

        @Option(names = "--flags", paramLabel = "N", defaultValue = "0", description = "client flags, 0..4294967295 (default: ${DEFAULT-VALUE})")
        long flags;

        @Option(names = "--ttl", paramLabel = "S", defaultValue = "0", description = "seconds to live, 0 = never expires (default: ${DEFAULT-VALUE})")
        long ttlSeconds;

        @Override
        public Integer call() throws IOException
        {
            if (ttlSeconds < 0)
            {
                throw new UserException("--ttl must be 0 or more seconds");
            }
            final byte[] data = "-".equals(value) ? readStdin() : value.getBytes(StandardCharsets.UTF_8);
            try (McClient c = client.connect())
            {
                final String reply = c.set(key, flags, ttlSeconds, data);
                if (!reply.equals("STORED"))
                {
                    throw new UserException("set " + key + " failed: " + reply);
                }
                spec.commandLine().getOut().println(reply);
                return 0;
            }
        }
    }

    @Command(name = "delete",
        description = {"Delete KEY; prints DELETED, or NOT_FOUND (exit 1) when it was not there."})
    static final class Delete implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Mixin
        HelpOption help;

        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "KEY", description = "the key")
        String key;

        @Override
        public Integer call()
        {
            try (McClient c = client.connect())
            {
                final String reply = c.delete(key);
                if (reply.equals("DELETED"))
                {
                    spec.commandLine().getOut().println(reply);
                    return 0;
                }
                if (reply.equals("NOT_FOUND"))
                {
                    spec.commandLine().getErr().println(reply);
                    return 1;
                }
                throw new UserException("delete " + key + " failed: " + reply);
            }
        }
    }

    @Command(name = "mc",
        description = {"Raw mode: send memcached request lines and print the raw replies.",
            "Lines come from the arguments (one each) or, with none, from standard input,",
            "and are sent with CRLF; a storage command's data block is the next line:",
            "  wirekv mc 'set k 0 0 5' hello 'get k'",
            "An 'mn' is sent last and replies are read up to its MN, so noreply works."})
    static final class Mc implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Mixin
        HelpOption help;

        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "LINE", arity = "0..*", description = "request lines (default: read standard input)")
        List<String> lines;

        @Override
        public Integer call() throws IOException
        {
            final ByteArrayOutputStream request = new ByteArrayOutputStream();
            if (lines == null || lines.isEmpty())
            {
                final String text = new String(readStdin(), StandardCharsets.UTF_8);
                for (final String line : text.split("\r?\n"))
                {
                    if (!line.isEmpty())
                    {
                        request.writeBytes((line + "\r\n").getBytes(StandardCharsets.UTF_8));
                    }
                }
            }
            else
            {
                for (final String line : lines)
                {
                    request.writeBytes((line + "\r\n").getBytes(StandardCharsets.UTF_8));
                }
            }
            if (request.size() == 0)
            {
                throw new UserException("no request lines: give them as arguments or on standard input");
            }
            try (McClient c = client.connect())
            {
                final byte[] reply = c.raw(request.toByteArray());
                final PrintWriter out = spec.commandLine().getOut();
                out.print(new String(reply, StandardCharsets.UTF_8));
                out.flush();
                return 0;
            }
        }
    }

    static byte[] readStdin() throws IOException
    {
        final InputStream in = System.in;
        return in.readAllBytes();
    }
}
