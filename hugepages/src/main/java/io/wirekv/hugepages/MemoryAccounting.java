package io.wirekv.hugepages;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes mapped by {@link HugepageMemory}, by purpose ("table", "udp-buffers", "umem", ...), so
 * start-up can report the memory it took and tests can assert that every region was released.
 * <p>
 * Thread-safe; updated only when regions are mapped and closed (setup and shutdown), never per packet.
 */
public final class MemoryAccounting
{
    private static final MemoryAccounting GLOBAL = new MemoryAccounting();

    private final ConcurrentHashMap<String, AtomicLong> bytesByPurpose = new ConcurrentHashMap<>();
    private final AtomicLong mappedBytes = new AtomicLong();
    private final AtomicLong hugepageBytes = new AtomicLong();
    private final AtomicLong lockedBytes = new AtomicLong();
    private final AtomicLong regions = new AtomicLong();

    /**
     * @return the process-wide accounting that {@link HugepageMemory#global()} reports to.
     */
    public static MemoryAccounting global()
    {
        return GLOBAL;
    }

    void mapped(final String purpose, final long bytes, final boolean hugepages, final boolean locked)
    {
        bytesByPurpose.computeIfAbsent(purpose, p -> new AtomicLong()).addAndGet(bytes);
        mappedBytes.addAndGet(bytes);
        if (hugepages)
        {
            hugepageBytes.addAndGet(bytes);
        }
        if (locked)
        {
            lockedBytes.addAndGet(bytes);
        }
        regions.incrementAndGet();
    }

    void unmapped(final String purpose, final long bytes, final boolean hugepages, final boolean locked)
    {
        bytesByPurpose.computeIfAbsent(purpose, p -> new AtomicLong()).addAndGet(-bytes);
        mappedBytes.addAndGet(-bytes);
        if (hugepages)
        {
            hugepageBytes.addAndGet(-bytes);
        }
        if (locked)
        {
            lockedBytes.addAndGet(-bytes);
        }
        regions.decrementAndGet();
    }

    /**
     * @return bytes mapped now, all purposes.
     */
    public long mappedBytes()
    {
        return mappedBytes.get();
    }

    /**
     * @param purpose a purpose given to {@link HugepageMemory#map}.
     * @return bytes mapped now for it.
     */
    public long mappedBytes(final String purpose)
    {
        final AtomicLong bytes = bytesByPurpose.get(purpose);
        return bytes == null ? 0 : bytes.get();
    }

    /**
     * @return of {@link #mappedBytes()}, those backed by hugetlb pages.
     */
    public long hugepageBytes()
    {
        return hugepageBytes.get();
    }

    /**
     * @return of {@link #mappedBytes()}, those locked with mlock.
     */
    public long lockedBytes()
    {
        return lockedBytes.get();
    }

    /**
     * @return regions mapped and not yet closed.
     */
    public long regions()
    {
        return regions.get();
    }

    /**
     * @return a snapshot of bytes mapped by purpose, purposes with 0 bytes left out.
     */
    public Map<String, Long> byPurpose()
    {
        final Map<String, Long> snapshot = new TreeMap<>();
        bytesByPurpose.forEach((purpose, bytes) ->
        {
            final long value = bytes.get();
            if (value != 0)
            {
                snapshot.put(purpose, value);
            }
        });
        return snapshot;
    }

    @Override
    public String toString()
    {
        return "mapped=" + mappedBytes() + " hugepage=" + hugepageBytes() + " locked=" + lockedBytes() +
            " regions=" + regions() + " " + byPurpose();
    }
}
