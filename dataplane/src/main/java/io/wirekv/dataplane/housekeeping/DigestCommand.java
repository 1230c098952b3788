package io.wirekv.dataplane.housekeeping;

import java.util.concurrent.CompletableFuture;

/**
 * The admin {@code digest} command's action: starts a digest of one partition (or all, -1) and completes with the
 * lines the admin channel carries ({@link io.wirekv.dataplane.digest.TableDigests#digestText}). Called on the
 * housekeeping thread; must not block (the housekeeping thread answers when the future is done).
 */
@FunctionalInterface
public interface DigestCommand
{
    CompletableFuture<String> digest(int partition);
}
