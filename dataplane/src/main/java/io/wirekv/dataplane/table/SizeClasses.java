package io.wirekv.dataplane.table;

import java.util.Arrays;

/**
 * Slab size classes: chunk sizes grow by a factor of 1.25 from 64 bytes to the item size limit, each
 * a multiple of 8. Every page has the same size, a power of two at least {@link #MIN_PAGE_BYTES} and at
 * least the item size limit, and is aligned to its size (so a chunk's page is {@code address & -pageBytes},
 * and a page can move between classes). A class's page holds {@code pageBytes / chunkBytes} chunks.
 * Immutable, shared by all partitions.
 */
final class SizeClasses
{
    static final int MIN_CHUNK_BYTES = 64;
    static final int MIN_PAGE_BYTES = 64 * 1024;
    static final double FACTOR = 1.25;

    private final int[] chunkBytes;
    private final int[] chunksPerPage;
    private final int pageBytes;

    SizeClasses(final int itemSizeMaxBytes)
    {
        final int max = align(itemSizeMaxBytes);
        int[] sizes = new int[64];
        int n = 0;
        int size = MIN_CHUNK_BYTES;
        while (size < max)
        {
            if (n == sizes.length)
            {
                sizes = Arrays.copyOf(sizes, n * 2);
            }
            sizes[n++] = size;
            size = align((int)Math.min((long)max, (long)(size * FACTOR)));
        }
        if (n == sizes.length)
        {
            sizes = Arrays.copyOf(sizes, n + 1);
        }
        sizes[n++] = max;
        chunkBytes = Arrays.copyOf(sizes, n);
        chunksPerPage = new int[n];
        pageBytes = pageBytesFor(itemSizeMaxBytes);
        for (int i = 0; i < n; i++)
        {
            chunksPerPage[i] = pageBytes / chunkBytes[i];
        }
    }

    /** The slab page size for an item size limit: a power of two, at least the limit. */
    static int pageBytesFor(final int itemSizeMaxBytes)
    {
        return Math.max(MIN_PAGE_BYTES, Integer.highestOneBit(align(itemSizeMaxBytes) - 1) << 1);
    }

    static int align(final int bytes)
    {
        return (bytes + ItemDescriptor.ALIGNMENT - 1) & -ItemDescriptor.ALIGNMENT;
    }

    int count()
    {
        return chunkBytes.length;
    }

    int chunkBytes(final int sizeClass)
    {
        return chunkBytes[sizeClass];
    }

    int chunksPerPage(final int sizeClass)
    {
        return chunksPerPage[sizeClass];
    }

    int pageBytes()
    {
        return pageBytes;
    }

    /** Smallest class whose chunk holds {@code itemBytes}; -1 if none. */
    int classOf(final long itemBytes)
    {
        final int[] sizes = chunkBytes;
        int lo = 0;
        int hi = sizes.length - 1;
        if (itemBytes > sizes[hi])
        {
            return -1;
        }
        while (lo < hi)
        {
            final int mid = (lo + hi) >>> 1;
            if (sizes[mid] >= itemBytes)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }
        return lo;
    }
}
