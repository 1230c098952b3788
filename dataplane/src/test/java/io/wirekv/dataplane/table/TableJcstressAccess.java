package io.wirekv.dataplane.table;

import org.agrona.concurrent.EpochClock;

/** Test-only access to package-private Table construction (poisoning freed memory). */
public final class TableJcstressAccess
{
    private TableJcstressAccess()
    {
    }

    public static Table newPoisoningTable(final TableConfig config, final EpochClock clock)
    {
        return new Table(config, clock, true);
    }

    public static int reclaim(final Table table, final int partition)
    {
        return table.writer(partition).reclaim();
    }
}
