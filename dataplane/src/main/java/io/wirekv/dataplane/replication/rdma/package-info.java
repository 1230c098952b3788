/**
 * The replication transport choice and the RDMA data path beside the TCP one (issue 14, item 4).
 * <p>
 * {@link io.wirekv.dataplane.replication.rdma.ReplicationTransportSelector} turns {@code replication.transport =
 * auto | tcp | rdma} and RDMA device discovery into a {@link io.wirekv.dataplane.replication.rdma.TransportChoice}
 * with its start-up line. {@link io.wirekv.dataplane.replication.rdma.RdmaReplicationChannel} is the RDMA link: RC
 * queue pair, RDMA WRITE of sealed record batches into the backup's registered ring, an inline doorbell WRITE after
 * each batch, completions polled on the replication thread; {@link
 * io.wirekv.dataplane.replication.rdma.RdmaConnectionParams} is what the two sides exchange over the TCP control
 * connection to connect it; {@link io.wirekv.dataplane.replication.rdma.RdmaReceiveRing} is the backup's ring and
 * doorbell that the primary writes into.
 * <p>
 * <b>What has run.</b> The selector, the parameter codec, the receive ring's logic and the work-request encoding
 * are unit-tested; discovery runs for real and answers "no device" on the development machines (no RDMA hardware,
 * no RDMA kernel support). The channel has never executed: nothing constructs it unless discovery finds a device
 * with an ACTIVE port.
 * <p>
 * <b>Threading.</b> Selection and channel set-up at start-up; a channel's {@code writeBatch} / {@code
 * pollCompletions} on the replication thread only (it owns the QP and CQ). Ordering between the batch and its
 * doorbell comes from the RC QP executing its work requests in order; the backup still checks every record's CRC32C
 * and sequence.
 */
package io.wirekv.dataplane.replication.rdma;
