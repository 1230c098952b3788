package io.wirekv.dataplane.table;

/**
 * Receives the live items of a partition from {@link PartitionScanner} (and {@link Table#forEachItem}).
 * The view is valid only during the call: the scanner passes a quiescent state soon after it returns, and the
 * item may then be freed. Copy what must outlive the call.
 */
@FunctionalInterface
public interface ItemVisitor
{
    /**
     * @param item one live item, wrapped in the scanner's reusable view.
     * @return true to go on, false to stop the scan (e.g. after an I/O error the visitor keeps for its caller).
     */
    boolean visit(ItemView item);

    /**
     * Called between chunks with the scanning thread's reader offline: it holds no item, and the partition's writer
     * frees retired memory without waiting for it. The place for work that may block, such as writing a full buffer
     * to disk, which inside {@link #visit} would hold a grace period for as long as the disk takes.
     *
     * @return true to go on, false to stop the scan.
     */
    default boolean endChunk()
    {
        return true;
    }
}
