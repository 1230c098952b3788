package io.wirekv.dataplane.housekeeping;

import java.util.concurrent.CompletableFuture;

/**
 * The admin {@code promote}, {@code demote} and {@code replication} commands' actions (replication.role != none).
 * Called on the housekeeping thread; must not block (the futures are answered when done).
 */
public interface ReplicationCommands
{
    /** @param peer host:port to push to, or empty for replication.peer. */
    CompletableFuture<String> promote(String peer);

    /** @param peer the new primary's host:port (informational), or empty. */
    CompletableFuture<String> demote(String peer);

    /** Role, epoch, peer, connection and per-partition lag, as {@code wirekv replication} prints them. */
    String status();
}
