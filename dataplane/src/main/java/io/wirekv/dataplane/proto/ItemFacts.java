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
        return set(item.cas(), item.clientFlags(), item.valueLength(), item.expiresAtSeconds(), item.storedAtSeconds(),
            item.metaBits());
    }

    ItemFacts from(final WriteReplyDecoder reply)
    {
        return set(reply.cas(), reply.clientFlags(), reply.itemValueLength(), reply.expiresAt(), reply.storedAt(),
            reply.metaBits());
    }

    private ItemFacts set(
        final long cas, final int clientFlags, final int valueLength, final long expiresAt, final long storedAt,
        final int metaBits)
    {
        this.cas = cas;
        this.clientFlags = clientFlags;
        this.valueLength = valueLength;
        this.expiresAt = expiresAt;
        this.storedAt = storedAt;
        this.metaBits = metaBits;
        return this;
    }
}
