package io.wirekv.dataplane.table;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

abstract class IndexRefPad0
{
    long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
}

abstract class IndexRefField extends IndexRefPad0
{
    /** Written by the partition's writer (release); read by every reader (acquire). */
    PartitionIndex index;
}

/**
 * The partition's current index reference on its own cache lines, so that readers loading it do not
 * share a line with the writer's hot fields.
 */
final class IndexRef extends IndexRefField
{
    long q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;

    private static final VarHandle INDEX;

    static
    {
        try
        {
            INDEX = MethodHandles.lookup().findVarHandle(IndexRefField.class, "index", PartitionIndex.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    PartitionIndex getAcquire()
    {
        return (PartitionIndex)INDEX.getAcquire(this); // acquire: pairs with setRelease in IndexRef.setRelease
    }

    void setRelease(final PartitionIndex value)
    {
        INDEX.setRelease(this, value); // release: publish a fully built index; pairs with getAcquire above
    }
}
