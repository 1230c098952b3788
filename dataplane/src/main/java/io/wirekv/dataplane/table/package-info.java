/**
 * The partitioned copy-on-write key-value table (CREW: concurrent reads, exclusive write per partition).
 *
 * <h2>Publication rule</h2>
 * Items are immutable once published (but for two bytes no reader relies on: the slab state, the writer's own, and
 * the CLOCK's reference bit, a hint for eviction that a read hit sets; see {@code ItemDescriptor}). A writer builds a
 * complete new item in memory that no reader can reach (a free slab chunk), then publishes its address into the
 * partition's index slot with a single release store ({@code setRelease}); readers load index slots with {@code
 * getAcquire}, so every byte of an item a reader reaches was written before the store that made it reachable. A grown
 * index is built completely, then published with a release store of the partition's index reference; readers load
 * that reference with {@code getAcquire} and move to the new index at their next lookup. A writer never modifies
 * an index after it has published its successor. ({@link io.wirekv.dataplane.table.ItemEncoder} lays out the
 * item; {@link io.wirekv.dataplane.table.PartitionIndexWriter} makes the release stores, {@link
 * io.wirekv.dataplane.table.Table#get} the acquire loads.)
 *
 * <h2>Reclamation rule (QSBR)</h2>
 * Each registered reader thread reports a quiescent state once per duty cycle ({@link
 * io.wirekv.dataplane.table.QsbrReader#quiescent()}): it copies the global epoch into its own padded slot
 * with a release store, declaring that it holds no reference into the table. A writer that unlinks an item
 * or an index retires it with tag {@code e = epoch.incrementAndGet()} (after the unlinking store). Memory
 * retired with tag {@code e} is freed once every registered reader's slot is {@code >= e}, i.e. every reader
 * has passed a quiescent state after the unlink. A reader that stops reporting holds back reclamation; it is
 * counted in {@link io.wirekv.dataplane.table.TableCounters#stalledReaders()} and the withheld memory in
 * {@link io.wirekv.dataplane.table.TableCounters#retiredNotFreedBytes()}; retired memory stays inside the
 * memory budget, so a stall makes writes fail or evict, never grow memory. Each partition's
 * {@link io.wirekv.dataplane.table.QsbrReclaimer} keeps its retired memory and frees it. A writer that shares
 * its thread with readers (a colocated server: the writers run between the lcore's duty cycles) takes those
 * readers offline while it waits for a grace period, since they cannot pass a quiescent state while their own
 * thread waits ({@link io.wirekv.dataplane.table.PartitionWriter#sharesThreadWithReaders()}).
 *
 * <h2>Expiry</h2>
 * Expired items are found without scanning live ones: each partition's {@link io.wirekv.dataplane.table.ExpiryWheel}
 * keeps every linked item with an expiry time in a bucket of its time, and its writer unlinks the items of due
 * buckets, a bounded number per housekeeping call, retiring them under the rule above like any other unlink.
 *
 * <h2>Threads</h2>
 * Exactly one thread writes a given partition ({@link io.wirekv.dataplane.table.PartitionWriter}); any
 * number of registered reader threads call {@link io.wirekv.dataplane.table.Table#get}, which takes no
 * lock, performs no CAS and writes no shared memory (hit/miss counts go to the reader's own counter block,
 * {@link io.wirekv.dataplane.table.ReaderCounters}; an unregistered thread's go to a shared block, atomically). A
 * reader that keeps the {@link io.wirekv.dataplane.table.QsbrReader} it registered with passes it to
 * {@code get(QsbrReader, ...)}, which finds that slot without a thread-local lookup. A registered thread that is not
 * the writer may also iterate a partition ({@link io.wirekv.dataplane.table.PartitionScanner}, for snapshots), offline
 * between chunks of slots, so the writer's reclamation waits one chunk at most.
 *
 * <h2>Counters</h2>
 * Every counter and gauge the table keeps is a slot of a counter registry (the CnC file's, on a server): each
 * partition writer owns a block ({@link io.wirekv.dataplane.table.PartitionCounters}), each registered reader
 * another ({@link io.wirekv.dataplane.table.ReaderCounters}); the owner stores with a plain load and an opaque
 * store, everyone else loads opaque. Counters only grow; items, bytes and retired bytes are gauges.
 */
package io.wirekv.dataplane.table;
