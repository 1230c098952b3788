package io.wirekv.dataplane.housekeeping;

import java.util.concurrent.CompletableFuture;

/**
 * The admin {@code snapshot} command's action: starts a snapshot of every partition and completes, once they are
 * durable, with the text the command prints (a line per partition). Called on the housekeeping thread; must not
 * block (the housekeeping thread answers when the future is done).
 */
@FunctionalInterface
public interface SnapshotCommand
{
    CompletableFuture<String> snapshotAll();
}
