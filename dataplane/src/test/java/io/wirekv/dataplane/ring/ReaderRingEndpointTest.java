package io.wirekv.dataplane.ring;

import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The reader's end takes a writer's replies only while records it sent await them: an idle reader does not look at
 * the rings, and every awaited reply is delivered, over more than one duty cycle when there are many.
 */
class ReaderRingEndpointTest
{
    private static final int RECORD_BYTES = 64;

    @Test
    void shouldTakeRepliesOnlyForTheRecordsItSent()
    {
        try (WriteRings rings = new WriteRings(1, 1, 4096, 4096))
        {
            final List<Long> delivered = new ArrayList<>();
            final ReaderRingEndpoint endpoint = new ReaderRingEndpoint(0, rings,
                (ticket, memory, offset, length) -> delivered.add(ticket));

            send(endpoint, 200);
            assertEquals(200, takeRequests(rings));
            for (int i = 0; i < 200; i++)
            {
                reply(rings, 1000 + i);
            }
            int taken = 0;
            for (int cycle = 0; cycle < 10 && taken < 200; cycle++)
            {
                taken += endpoint.drainReplies(); // a bounded number a cycle
            }
            assertEquals(200, taken);
            assertEquals(200, delivered.size());
            assertEquals(1000L, (long)delivered.getFirst());
            assertEquals(1199L, (long)delivered.getLast());

            reply(rings, 9); // a reply nothing asked for (a writer never sends one): it shows the rings go unread
            assertEquals(0, endpoint.drainReplies(), "every record answered: the reader does not look at the rings");
            send(endpoint, 1);
            assertEquals(1, endpoint.drainReplies(), "a record sent: the rings are read again");
        }
    }

    private static void send(final ReaderRingEndpoint endpoint, final int records)
    {
        for (int i = 0; i < records; i++)
        {
            final int at = endpoint.claim(0, RECORD_BYTES);
            endpoint.commit(at);
        }
    }

    private static int takeRequests(final WriteRings rings)
    {
        return rings.request(0, 0).ring().read((type, buffer, offset, length) -> { }, Integer.MAX_VALUE);
    }

    /** A reply whose first 8 bytes are the ticket, as a writer's binary reply starts. */
    private static void reply(final WriteRings rings, final long ticket)
    {
        final SpscMessageRing ring = rings.reply(0, 0);
        final int at = ring.tryClaim(WriteRings.MSG_WRITE, 32);
        ring.memory().set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), at, ticket);
        ring.commit(at);
    }
}
