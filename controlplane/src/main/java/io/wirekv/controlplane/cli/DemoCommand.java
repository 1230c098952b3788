package io.wirekv.controlplane.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** Placeholder, replaced below. */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Quick-start demo (coming).")
final class DemoCommand implements Callable<Integer>
{
    @Override
    public Integer call()
    {
        throw new UserException("demo: not yet implemented");
    }
}
