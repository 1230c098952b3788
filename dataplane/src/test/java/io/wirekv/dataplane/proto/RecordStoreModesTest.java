package io.wirekv.dataplane.proto;

import io.wirekv.dataplane.record.WriteRecordDescriptor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The record's store modes are a frozen file format; WriteApplier hands them to StoreSemantics as they are. */
class RecordStoreModesTest
{
    @Test
    void shouldNumberStoreModesAsStoreSemanticsDoes()
    {
        assertEquals(StoreSemantics.MODE_SET, WriteRecordDescriptor.MODE_SET);
        assertEquals(StoreSemantics.MODE_ADD, WriteRecordDescriptor.MODE_ADD);
        assertEquals(StoreSemantics.MODE_REPLACE, WriteRecordDescriptor.MODE_REPLACE);
        assertEquals(StoreSemantics.MODE_APPEND, WriteRecordDescriptor.MODE_APPEND);
        assertEquals(StoreSemantics.MODE_PREPEND, WriteRecordDescriptor.MODE_PREPEND);
        assertEquals(StoreSemantics.MODE_CAS, WriteRecordDescriptor.MODE_CAS);
    }
}
