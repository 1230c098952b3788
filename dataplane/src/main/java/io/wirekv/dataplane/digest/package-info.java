/**
 * {@code wirekv digest}: an order-independent digest of each partition's live items, to compare two tables (a
 * primary's and its backup's) without copying them. Each item's {@link io.wirekv.dataplane.table.ItemView#contentHash}
 * is combined commutatively (sum and xor, plus the count), so equal contents give equal digests whatever the
 * insertion order or slab placement.
 * <p>
 * Threading: {@link io.wirekv.dataplane.digest.TableDigests} scans on a thread of its own, a registered table reader
 * that is neither an lcore nor a writer, lock-free ({@link io.wirekv.dataplane.table.PartitionScanner}); the writers
 * never wait for it. Under concurrent writes the scan is fuzzy (an item changed meanwhile may count in its old or new
 * version), so a digest is a consistent answer only once writes have stopped.
 */
package io.wirekv.dataplane.digest;
