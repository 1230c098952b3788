package io.wirekv.dataplane.digest;

import io.wirekv.dataplane.table.KeyHash;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One partition's digest: the live items counted, and the sum and xor of their
 * {@link io.wirekv.dataplane.table.ItemView#contentHash}es. Both combinations are commutative, so the order in which
 * the items were written or scanned does not matter; the two together (and the count) make a collision of two
 * different contents need more than one compensating change.
 *
 * @param partition the partition, or {@link #TOTAL} for the whole table.
 */
public record PartitionDigest(int partition, long items, long sum, long xor)
{
    /** The partition number of the whole table's digest ({@link #total}). */
    public static final int TOTAL = -1;

    private static final Pattern LINE = Pattern.compile(
        "(?:partition (\\d+)|total) items (\\d+) digest 0x([0-9a-f]{16}) sum 0x([0-9a-f]{16}) xor 0x([0-9a-f]{16})");

    /** The empty partition's digest. */
    public static PartitionDigest empty(final int partition)
    {
        return new PartitionDigest(partition, 0, 0, 0);
    }

    /** The digest of the union of the partitions' items (the table's, when given every partition). */
    public static PartitionDigest total(final List<PartitionDigest> partitions)
    {
        long items = 0;
        long sum = 0;
        long xor = 0;
        for (final PartitionDigest p : partitions)
        {
            items += p.items;
            sum += p.sum;
            xor ^= p.xor;
        }
        return new PartitionDigest(TOTAL, items, sum, xor);
    }

    /** The 64-bit digest printed: 0 for no items, otherwise a mix of the count, the sum and the xor. */
    public long digest()
    {
        if (items == 0)
        {
            return 0;
        }
        return KeyHash.fmix64(sum ^ KeyHash.fmix64(xor ^ KeyHash.fmix64(items)));
    }

    /** {@link #digest()} as {@code 0x} and 16 lowercase hex digits, as printed. */
    public String digestHex()
    {
        return "0x" + hex(digest());
    }

    /** {@code partition N items C digest 0x...} (or {@code total items ...}): what {@code wirekv digest} prints. */
    public String line()
    {
        return (partition == TOTAL ? "total" : "partition " + partition) + " items " + items + " digest " + digestHex();
    }

    /** {@link #line()} with the sum and xor, so that a client can add partitions' digests ({@link #parse}). */
    public String wireLine()
    {
        return line() + " sum 0x" + hex(sum) + " xor 0x" + hex(xor);
    }

    /** The digests of the lines {@link #wireLine()} made (the admin channel's answer to a digest command). */
    public static List<PartitionDigest> parse(final String text)
    {
        final List<PartitionDigest> digests = new ArrayList<>();
        for (final String line : text.split("\n"))
        {
            if (line.isBlank())
            {
                continue;
            }
            final Matcher m = LINE.matcher(line.strip());
            if (!m.matches())
            {
                throw new IllegalArgumentException("not a digest line: " + line);
            }
            final PartitionDigest d = new PartitionDigest(null == m.group(1) ? TOTAL : Integer.parseInt(m.group(1)),
                Long.parseLong(m.group(2)), Long.parseUnsignedLong(m.group(4), 16), Long.parseUnsignedLong(m.group(5), 16));
            if (d.digest() != Long.parseUnsignedLong(m.group(3), 16))
            {
                throw new IllegalArgumentException("digest does not match its sum and xor: " + line);
            }
            digests.add(d);
        }
        return digests;
    }

    private static String hex(final long value)
    {
        return String.format("%016x", value);
    }
}
