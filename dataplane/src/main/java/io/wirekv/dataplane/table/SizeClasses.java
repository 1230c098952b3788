package io.wirekv.dataplane.table;

import java.util.Arrays;

/**
 * Slab size classes: chunk sizes grow from 64 bytes to the item size limit, each a multiple of
 * {@link ItemDescriptor#ALIGNMENT} (4), by a factor of {@link #FINE_FACTOR} (1.0625) up to {@link #FINE_LIMIT_BYTES}
 * and of {@link #FACTOR} (1.25) above. Small items are most of a cache's items, so their classes are fine: one
 * loses at most about 1/16 of its chunk to rounding (a 76-byte item takes a 76-byte chunk, not 80; a 144-byte
 * one 144, not 176; a 1,068-byte one 1,124, not 1,216 as with 1.25 and 4-byte steps), for more classes (83 to
 * 1 MiB instead of 45).
 * <p>
 * Every page has the same size, a power of two at least {@link #MIN_PAGE_BYTES} and at least the item size
 * limit, and is aligned to its size. A page is cut into {@link #unitsPerPage()} units of {@link #unitBytes()}
 * (16 KiB, or {@code pageBytes / 64} for item limits above 1 MiB), each aligned to its size. The unit is what a
 * class holds at the least in a partition that stores its items, so that the finer classes do not pin more
 * memory than the coarser ones did with 64 KiB units: 16 KiB x 83 classes is less than 64 KiB x 45.
 * <p>
 * A class's slab is the memory it carves chunks from: the smallest power-of-two run of units, up to a whole
 * page, that holds a chunk and loses at most an eighth of itself to the chunks' rounding
 * ({@link #MAX_WASTE_DIVISOR}; a 32nd, {@link #FINE_MAX_WASTE_DIVISOR}, for the fine classes, whose rounding is
 * already up to a 16th), aligned to its size (a buddy-style run inside one page). Chunks up to 512 bytes
 * take one unit; a 77,000-byte chunk sixteen units (3 chunks); a 120,320-byte chunk eight units (one chunk);
 * the biggest classes a whole page (a <em>page class</em>). So a class's smallest footprint in a partition is
 * one slab: 16 KiB for the small items that are most of a cache, not a whole page.
 * <pre>
 *   page (pageBytes, aligned; U units of unitBytes)      page
 *   +------+------+-------------+------+------+---+     +----------------------------------+
 *   | c3   | free | c12 (2 units)| c0   | free |...|     |  one slab of a page class         |
 *   +------+------+-------------+------+------+---+     |  (chunks above pageBytes / 8)     |
 *   unit 0  unit 1  units 2-3     ...                    +----------------------------------+
 *   a chunk's slab: address &amp; -slabBytes(class)
 * </pre>
 * A class holds {@code slabBytes / chunkBytes} chunks per slab. Immutable, shared by all partitions.
 */
final class SizeClasses
{
    static final int MIN_CHUNK_BYTES = 64;
    static final int MIN_PAGE_BYTES = 64 * 1024;
    /** The smallest slab unit: what a size class holds at the least in a partition. */
    static final int MIN_UNIT_BYTES = 16 * 1024;
    static final double FACTOR = 1.25;
    /** Growth factor of the classes below {@link #FINE_LIMIT_BYTES}. */
    static final double FINE_FACTOR = 1.0625;
    static final int FINE_LIMIT_BYTES = 2048;
    /** Most units per page, so a page's free units fit one {@code long} bit mask. */
    static final int MAX_UNITS_PER_PAGE = 64;
    /** A slab smaller than a page leaves at most {@code slabBytes / MAX_WASTE_DIVISOR} bytes unused by chunks. */
    static final int MAX_WASTE_DIVISOR = 8;
    /** The same for chunks up to {@link #FINE_LIMIT_BYTES}: e.g. 1,124-byte chunks take 32 KiB, not 16 (4% lost). */
    static final int FINE_MAX_WASTE_DIVISOR = 32;

    private final int[] chunkBytes;
    private final int[] chunksPerSlab;
    private final int[] slabBytes;
    private final int pageBytes;
    private final int unitBytes;

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
            final double factor = size < FINE_LIMIT_BYTES ? FINE_FACTOR : FACTOR;
            size = Math.max(size + ItemDescriptor.ALIGNMENT, align((int)Math.min((long)max, (long)(size * factor))));
        }
        if (n == sizes.length)
        {
            sizes = Arrays.copyOf(sizes, n + 1);
        }
        sizes[n++] = max;
        chunkBytes = Arrays.copyOf(sizes, n);
        chunksPerSlab = new int[n];
        slabBytes = new int[n];
        pageBytes = pageBytesFor(itemSizeMaxBytes);
        unitBytes = unitBytesFor(pageBytes);
        for (int i = 0; i < n; i++)
        {
            int slab = unitBytes;
            final int divisor = maxWasteDivisor(chunkBytes[i]);
            while (slab < chunkBytes[i] || (slab < pageBytes && slab % chunkBytes[i] > slab / divisor))
            {
                slab <<= 1;
            }
            slabBytes[i] = slab;
            chunksPerSlab[i] = slabBytes[i] / chunkBytes[i];
        }
    }

    /** The slab page size for an item size limit: a power of two, at least the limit. */
    static int pageBytesFor(final int itemSizeMaxBytes)
    {
        return Math.max(MIN_PAGE_BYTES, Integer.highestOneBit(align(itemSizeMaxBytes) - 1) << 1);
    }

    /** The slab unit for a page size: 16 KiB, or more so that a page holds at most {@link #MAX_UNITS_PER_PAGE}. */
    static int unitBytesFor(final int pageBytes)
    {
        return Math.max(Math.min(MIN_UNIT_BYTES, pageBytes), pageBytes / MAX_UNITS_PER_PAGE);
    }

    /** A slab of {@code chunkBytes} chunks smaller than a page leaves at most {@code slabBytes / this} unused. */
    static int maxWasteDivisor(final int chunkBytes)
    {
        return chunkBytes <= FINE_LIMIT_BYTES ? FINE_MAX_WASTE_DIVISOR : MAX_WASTE_DIVISOR;
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

    /** Chunks in one slab of the class. */
    int chunksPerSlab(final int sizeClass)
    {
        return chunksPerSlab[sizeClass];
    }

    /** The class's slab: a power of two from {@link #unitBytes()} to {@link #pageBytes()}. */
    int slabBytes(final int sizeClass)
    {
        return slabBytes[sizeClass];
    }

    /** Units in one slab of the class (a power of two, up to {@link #unitsPerPage()}). */
    int slabUnits(final int sizeClass)
    {
        return slabBytes[sizeClass] / unitBytes;
    }

    int pageBytes()
    {
        return pageBytes;
    }

    int unitBytes()
    {
        return unitBytes;
    }

    int unitsPerPage()
    {
        return pageBytes / unitBytes;
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
