package io.wirekv.dataplane.table;

/** Outcomes of table writes, as ints so that the hot path returns them without allocating. */
public final class Status
{
    public static final int STORED = 0;
    public static final int NOT_STORED = 1;
    public static final int EXISTS = 2;
    public static final int NOT_FOUND = 3;
    public static final int DELETED = 4;
    public static final int TOUCHED = 5;
    /** incr/decr on a value that is not a decimal unsigned 64-bit number. */
    public static final int NON_NUMERIC = 6;
    /** key + value + header larger than the configured item size limit. */
    public static final int TOO_LARGE = 7;
    /** store mode and the budget is exhausted (or cache mode could not evict enough). */
    public static final int OUT_OF_MEMORY = 8;
    /**
     * {@link PartitionWriter#compareCas}: the key's live item has the expected CAS. A step inside a write, never
     * the outcome of one.
     */
    public static final int MATCHED = 9;

    private Status()
    {
    }
}
