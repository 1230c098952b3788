package io.wirekv.controlplane.cli;

import picocli.CommandLine.Option;

/** {@code -h/--help} for subcommands (the version flag lives on {@code wirekv} only). */
public final class HelpOption
{
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;
}
