package io.wirekv.nativebindings.libc;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * {@code struct sockaddr_in} (IPv4 socket address), 16 bytes, port and address in network byte order.
 * <pre>
 *   0       2       4               8                              16
 *   +-------+-------+---------------+-------------------------------+
 *   |family | port  |   sin_addr    |           sin_zero            |
 *   | (u16) |(be16) |    (be32)     |           (8 bytes)           |
 *   +-------+-------+---------------+-------------------------------+
 * </pre>
 * Offsets are checked against the C headers by {@code SocketLayoutTest}.
 */
public final class SockaddrInDescriptor
{
    /** {@code AF_INET}. */
    public static final short AF_INET = 2;

    private static final ValueLayout.OfShort BE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** The struct's layout. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
        ValueLayout.JAVA_SHORT.withName("sin_family"),
        ValueLayout.JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN).withName("sin_port"),
        ValueLayout.JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN).withName("sin_addr"),
        MemoryLayout.sequenceLayout(8, ValueLayout.JAVA_BYTE).withName("sin_zero"));

    public static final int FAMILY_OFFSET = 0;
    public static final int PORT_OFFSET = FAMILY_OFFSET + 2;
    public static final int ADDR_OFFSET = PORT_OFFSET + 2;
    public static final int ZERO_OFFSET = ADDR_OFFSET + 4;
    /** {@code sizeof(struct sockaddr_in)}. */
    public static final int SIZE = ZERO_OFFSET + 8;

    private SockaddrInDescriptor()
    {
    }

    /**
     * Writes a complete {@code sockaddr_in}.
     *
     * @param segment        the destination.
     * @param offset         where the struct starts.
     * @param ipv4HostOrder  the address, e.g. {@code 0x7f000001} for 127.0.0.1.
     * @param port           the port, 0..65535.
     */
    public static void write(final MemorySegment segment, final long offset, final int ipv4HostOrder, final int port)
    {
        segment.set(ValueLayout.JAVA_SHORT_UNALIGNED, offset + FAMILY_OFFSET, AF_INET);
        segment.set(BE_SHORT, offset + PORT_OFFSET, (short)port);
        segment.set(BE_INT, offset + ADDR_OFFSET, ipv4HostOrder);
        segment.set(ValueLayout.JAVA_LONG_UNALIGNED, offset + ZERO_OFFSET, 0L);
    }

    /**
     * @param segment holds the struct.
     * @param offset  where it starts.
     * @return the port, 0..65535.
     */
    public static int port(final MemorySegment segment, final long offset)
    {
        return segment.get(BE_SHORT, offset + PORT_OFFSET) & 0xFFFF;
    }

    /**
     * @param segment holds the struct.
     * @param offset  where it starts.
     * @return the IPv4 address in host order (127.0.0.1 is {@code 0x7f000001}).
     */
    public static int address(final MemorySegment segment, final long offset)
    {
        return segment.get(BE_INT, offset + ADDR_OFFSET);
    }

    /**
     * @param segment holds the struct.
     * @param offset  where it starts.
     * @return the address family ({@link #AF_INET} for IPv4).
     */
    public static int family(final MemorySegment segment, final long offset)
    {
        return segment.get(ValueLayout.JAVA_SHORT_UNALIGNED, offset + FAMILY_OFFSET);
    }
}
