package io.wirekv.nativebindings.dpdk;

import io.wirekv.nativebindings.NativeException;
import io.wirekv.nativebindings.NativeLibrary;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Two ring-PMD ethdev ports wired back to back inside this process, like the two ends of a cable:
 * what {@code a} sends on queue q arrives on {@code b}'s queue q and the other way round. Made with
 * {@code rte_ring_create} and {@code rte_eth_from_rings} (DPDK's ring PMD), so a test can play the
 * network on one port while the appliance owns the other, with no vdev argument fixed at EAL start.
 * <pre>
 *   a.tx[q] --ring "NAME_ab_q"--> b.rx[q]
 *   b.tx[q] --ring "NAME_ba_q"--> a.rx[q]
 * </pre>
 * Setup only; the EAL must be running. Open each side with {@link DpdkEthPort#open(String, DpdkEthPort.Config)}
 * under its name; closing the ports releases them (the rings stay until the process exits: the ring
 * PMD does not own rings it was given, and they are a few KiB).
 *
 * @param nameA the device name of side a (the appliance's, by convention): {@code net_ring_NAME_a}.
 * @param nameB the device name of side b (the test's): {@code net_ring_NAME_b}.
 */
public record RingPortPair(String nameA, String nameB)
{
    /** Debian package that ships the ring PMD. */
    private static final String PACKAGE = "dpdk";
    /** {@code RING_F_SP_ENQ | RING_F_SC_DEQ}: one lcore per queue on each side. */
    private static final int SINGLE_PRODUCER_CONSUMER = 0x0001 | 0x0002;

    private static final class Ring
    {
        static final MethodHandle CREATE = NativeLibrary.load("librte_ring.so.23", PACKAGE).downcall(
            "rte_ring_create", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT));
        static final MethodHandle FROM_RINGS = NativeLibrary.load("librte_net_ring.so.23", PACKAGE).downcall(
            "rte_eth_from_rings", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    }

    /**
     * @param name   names the two devices ({@code net_ring_NAME_a}, {@code net_ring_NAME_b}) and the rings;
     *               at most 16 characters, unique in the process.
     * @param queues queues per side.
     * @param slots  ring size, a power of two (holds {@code slots - 1} packets).
     * @return the pair's names.
     * @throws NativeException when DPDK refuses (no memory, name taken).
     */
    public static RingPortPair create(final String name, final int queues, final int slots)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment ab = arena.allocate(ADDRESS, queues);
            final MemorySegment ba = arena.allocate(ADDRESS, queues);
            for (int q = 0; q < queues; q++)
            {
                ab.setAtIndex(ADDRESS, q, ring(arena, name + "_ab_" + q, slots));
                ba.setAtIndex(ADDRESS, q, ring(arena, name + "_ba_" + q, slots));
            }
            fromRings(arena, name + "_a", ba, ab, queues);
            fromRings(arena, name + "_b", ab, ba, queues);
            // The ring PMD names its devices net_ring_NAME.
            return new RingPortPair("net_ring_" + name + "_a", "net_ring_" + name + "_b");
        }
    }

    private static MemorySegment ring(final Arena arena, final String ringName, final int slots)
    {
        final MemorySegment ring;
        try
        {
            ring = (MemorySegment)Ring.CREATE.invokeExact(arena.allocateFrom(ringName), slots, DpdkEthPort.SOCKET_ID_ANY,
                SINGLE_PRODUCER_CONSUMER);
        }
        catch (final Throwable t)
        {
            throw RteEal.rethrow(t);
        }
        if (ring.address() == 0)
        {
            final int errnum = RteEal.rte_errno();
            throw new NativeException("rte_ring_create(" + ringName + ", " + slots + ")", errnum,
                "DPDK says: " + RteEal.rte_strerror(errnum) + " (slots must be a power of two; names unique)");
        }
        return ring;
    }

    private static void fromRings(
        final Arena arena, final String device, final MemorySegment rx, final MemorySegment tx, final int queues)
    {
        final int port;
        try
        {
            port = (int)Ring.FROM_RINGS.invokeExact(arena.allocateFrom(device), rx, queues, tx, queues, 0);
        }
        catch (final Throwable t)
        {
            throw RteEal.rethrow(t);
        }
        if (port < 0)
        {
            final int errnum = RteEal.rte_errno();
            throw new NativeException("rte_eth_from_rings(" + device + ")", errnum, "DPDK says: " + RteEal.rte_strerror(errnum));
        }
    }
}
