package io.wirekv.dataplane.table;

import org.agrona.collections.Long2ObjectHashMap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One partition's off-heap memory with byte accounting against a fixed budget. The single place that maps
 * memory, so that hugepage arenas can replace it later. Slab pages come from one shared arena that lives
 * until {@link #close()}; freeable blocks (index arrays) each get their own arena so they can be returned.
 * <p>
 * Threading: allocate/free from the partition's writer thread (or the thread constructing the table);
 * {@link #allocatedBytes()} from any thread (opaque load).
 */
final class ArenaMemory implements AutoCloseable
{
    /**
     * A segment spanning the whole address space; items and index slots are addressed by absolute address
     * through it (no per-item segment object, no liveness check on the read path).
     */
    static final MemorySegment NATIVE = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private static final VarHandle ALLOCATED;

    static
    {
        try
        {
            ALLOCATED = MethodHandles.lookup().findVarHandle(ArenaMemory.class, "allocatedBytes", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final long budgetBytes;
    private final Arena pageArena = Arena.ofShared();
    private final Long2ObjectHashMap<Arena> blockArenas = new Long2ObjectHashMap<>();
    private long allocatedBytes;
    private boolean closed;

    ArenaMemory(final long budgetBytes)
    {
        this.budgetBytes = budgetBytes;
    }

    long budgetBytes()
    {
        return budgetBytes;
    }

    long allocatedBytes()
    {
        return (long)ALLOCATED.getOpaque(this); // opaque: stats read; pairs with setOpaque in account
    }

    long availableBytes()
    {
        return budgetBytes - allocatedBytes;
    }

    /** A zeroed page that lives until close; 0 if the budget does not allow it. */
    long allocatePage(final long bytes, final long alignment)
    {
        if (closed || allocatedBytes + bytes > budgetBytes)
        {
            return 0;
        }
        final MemorySegment segment = pageArena.allocate(bytes, alignment);
        account(bytes);
        return checkAddress(segment.address());
    }

    /** A zeroed block that {@link #freeBlock(long, long)} can return; 0 if the budget does not allow it. */
    long allocateBlock(final long bytes, final long alignment)
    {
        if (closed || allocatedBytes + bytes > budgetBytes)
        {
            return 0;
        }
        final Arena arena = Arena.ofShared();
        final MemorySegment segment = arena.allocate(bytes, alignment);
        blockArenas.put(segment.address(), arena);
        account(bytes);
        return checkAddress(segment.address());
    }

    void freeBlock(final long address, final long bytes)
    {
        final Arena arena = blockArenas.remove(address);
        if (arena != null)
        {
            arena.close();
            account(-bytes);
        }
    }

    private void account(final long delta)
    {
        ALLOCATED.setOpaque(this, allocatedBytes + delta); // opaque: single writer; pairs with getOpaque in allocatedBytes
    }

    private static long checkAddress(final long address)
    {
        if ((address & ~IndexDescriptor.ADDRESS_MASK) != 0)
        {
            throw new IllegalStateException("address above 2^48 cannot be indexed: 0x" + Long.toHexString(address));
        }
        return address;
    }

    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            for (final Arena arena : blockArenas.values())
            {
                arena.close();
            }
            blockArenas.clear();
            pageArena.close();
            ALLOCATED.setOpaque(this, 0L); // opaque: pairs with getOpaque in allocatedBytes
        }
    }
}
