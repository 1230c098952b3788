package io.wirekv.dataplane.replication.rdma;

/**
 * Opens a {@link QueuePair} for one link (the device was chosen at start-up: {@link TransportChoice}).
 */
@FunctionalInterface
public interface QueuePairFactory
{
    /**
     * @param sendQueueDepth work requests in flight at most.
     * @throws io.wirekv.nativebindings.NativeException with the failing verb and errno.
     */
    QueuePair open(int sendQueueDepth);
}
