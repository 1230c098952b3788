package io.wirekv.dataplane.table;

/**
 * Validated table settings.
 *
 * @param partitions       number of partitions, a power of two; each has exactly one writer thread.
 * @param memoryBytes      budget for items and index together; the table never maps more.
 * @param mode             what happens when the budget is exhausted.
 * @param itemSizeMaxBytes largest key + value + header the table accepts (memcached's -I, 1 MiB default).
 * @param preferHugepages  map arenas with hugepages where reserved, falling back with a warning.
 */
public record TableConfig(int partitions, long memoryBytes, MemoryMode mode, int itemSizeMaxBytes, boolean preferHugepages)
{
    public static final int DEFAULT_ITEM_SIZE_MAX_BYTES = 1024 * 1024;
    public static final int MAX_KEY_LENGTH = 250;

    public TableConfig
    {
        if (partitions <= 0 || Integer.bitCount(partitions) != 1)
        {
            throw new IllegalArgumentException("partitions must be a power of two, got " + partitions);
        }
        if (memoryBytes <= 0)
        {
            throw new IllegalArgumentException("memoryBytes must be positive, got " + memoryBytes);
        }
        if (itemSizeMaxBytes < 1024)
        {
            throw new IllegalArgumentException("itemSizeMaxBytes must be at least 1024, got " + itemSizeMaxBytes);
        }
        final long minimum = minimumMemoryBytes(partitions, itemSizeMaxBytes);
        if (memoryBytes < minimum)
        {
            throw new IllegalArgumentException("memory " + memoryBytes + " bytes holds less than two slab pages (" +
                SizeClasses.pageBytesFor(itemSizeMaxBytes) + " bytes each) per partition: give at least " + minimum +
                " bytes, or fewer partitions, or a smaller item size limit");
        }
    }

    /**
     * The least memory a table can work with: two slab pages per partition (one it always owns, one's
     * worth for its index and what is shared), a page being the item size limit rounded up to a power
     * of two (at least 64 KiB).
     */
    public static long minimumMemoryBytes(final int partitions, final int itemSizeMaxBytes)
    {
        return 2L * partitions * SizeClasses.pageBytesFor(itemSizeMaxBytes);
    }
}
