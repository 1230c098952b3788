package io.wirekv.dataplane.table;

/** What the table does when its memory budget is exhausted. */
public enum MemoryMode
{
    /** Evict cold items (CLOCK approximation) to make room, and count the evictions. */
    CACHE,
    /** Refuse the write with {@code SERVER_ERROR out of memory storing object}; reads and deletes keep working. */
    STORE
}
