/**
 * The replication transport choice and the RDMA data path beside the TCP one (issue 14, item 4).
 * <p>
 * {@link io.wirekv.dataplane.replication.rdma.ReplicationTransportSelector} turns {@code replication.transport =
 * auto | tcp | rdma} and RDMA device discovery into a {@link io.wirekv.dataplane.replication.rdma.TransportChoice}
 * with its start-up line; for RDMA, {@link io.wirekv.dataplane.replication.rdma.RdmaConnector} is the
 * {@link io.wirekv.dataplane.replication.ReplicationConnector} the replication agents get their channels from. It
 * exchanges {@link io.wirekv.dataplane.replication.rdma.RdmaConnectionParams} over each stream's TCP connection and
 * hands the agents an {@link io.wirekv.dataplane.replication.rdma.RdmaReplicationChannel}: the stream's bytes as
 * RDMA WRITEs into the peer's {@link io.wirekv.dataplane.replication.rdma.RdmaReceiveRing}, with the producer and
 * consumed positions written into the peer's doorbell.
 * <p>
 * The channel talks to the device through {@link io.wirekv.dataplane.replication.rdma.QueuePair}:
 * {@link io.wirekv.dataplane.replication.rdma.VerbsQueuePair} (libibverbs) on hardware, a loopback fabric in the
 * tests.
 * <p>
 * <b>What has run.</b> Everything above the {@code QueuePair} seam, in the suite, over the loopback fabric (it
 * executes the real work-request chains and writes real completions); discovery runs for real and answers "no
 * device" on the development machines (no RDMA hardware, no RDMA kernel support). {@code VerbsQueuePair} has never
 * executed: nothing constructs it unless discovery finds a device with an ACTIVE port.
 * <p>
 * <b>Threading.</b> Selection at start-up; a link's set-up and its reads and writes on the replication thread only
 * (it owns the queue pair and its completion queue).
 */
package io.wirekv.dataplane.replication.rdma;
