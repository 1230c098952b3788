package io.wirekv.dataplane.proto;

import io.wirekv.dataplane.record.WriteReplyDecoder;
import io.wirekv.dataplane.table.ItemView;

/**
 * What a reply says about an item, whether the reader read it from the table ({@link #from(ItemView)}) or the
 * writer reported it after a write ({@link #from(WriteReplyDecoder)}): one formatter serves both. Reused.
 */
final class ItemFacts
{
    long cas;
    int clientFlags;
    int valueLength;
    long expiresAt;
    long storedAt;
    int metaBits;

    ItemFacts from(final ItemView item)
    {
        cas = item.cas();
        clientFlags = item.clientFlags();
        valueLength = item.valueLength();
        expiresAt = item.expiresAtSeconds();
        storedAt = item.storedAtSeconds();
        metaBits = item.metaBits();
        return this;
    }

    ItemFacts from(final WriteReplyDecoder reply)
    {
        cas = reply.cas();
        clientFlags = reply.clientFlags();
        valueLength = reply.itemValueLength();
        expiresAt = reply.expiresAt();
        storedAt = reply.storedAt();
        metaBits = reply.metaBits();
        return this;
    }
}
