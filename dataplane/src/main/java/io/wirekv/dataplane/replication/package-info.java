/**
 * Replication: a primary pushes its partition logs' sealed effect records to a backup over a
 * {@link io.wirekv.dataplane.replication.ReplicationChannel} (TCP, or RDMA: the {@code rdma} package), in
 * {@link io.wirekv.dataplane.replication.ReplicationFrameDescriptor frames}; the backup applies them through its own
 * writers and logs them with the same sequences.
 * <p>
 * Threading rules: one thread, {@code wirekv-replication}, runs the sender and the receiver agents; never an lcore
 * or a writer. The sender reads a partition's records only up to the sequence its writer published with a release
 * store ({@code PartitionLog.appendedSequence}, acquire). The receiver hands records to each writer through an SPSC
 * ring of its own ({@link io.wirekv.dataplane.replication.ReplicationRings}), so every partition keeps exactly one
 * writer. The backup's acknowledgements reach the writers through {@code ReplicationState.covered} (release by the
 * sender, acquire by the writers' held replies). Role, epoch and fencing change under the state's lock and are read
 * with volatile loads; a writer refuses a client write by the role it reads at that write.
 */
package io.wirekv.dataplane.replication;
