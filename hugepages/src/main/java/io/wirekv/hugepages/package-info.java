/**
 * Off-heap memory for the dataplane: hugetlb-backed, locked regions
 * ({@link io.wirekv.hugepages.HugepageMemory}, {@link io.wirekv.hugepages.MemoryRegion}) accounted by
 * purpose ({@link io.wirekv.hugepages.MemoryAccounting}), and fixed-size frame pools carved from them
 * ({@link io.wirekv.hugepages.FramePool}).
 * <p>
 * <b>Threading rule.</b> Mapping, closing and accounting are thread-safe setup operations; a
 * FramePool belongs to one thread. A region's memory may be shared between threads; the region is
 * closed only after every user has stopped (access after close throws, it does not fault).
 */
package io.wirekv.hugepages;
