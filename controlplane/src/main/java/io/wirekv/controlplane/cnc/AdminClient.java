package io.wirekv.controlplane.cnc;

import io.wirekv.dataplane.cnc.AdminProtocol;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.broadcast.CopyBroadcastReceiver;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

import java.time.Duration;

/**
 * Sends admin commands through an instance's CnC file: the command goes into the file's command ring
 * with a fresh correlation id, and the answer comes back on the response broadcast with the same id
 * (as Aeron's clients talk to its media driver). Any number of clients may do this at once.
 */
public final class AdminClient
{
    /** The appliance's answer. */
    public record Response(int status, int flags, byte[] payload)
    {
        public String text()
        {
            return AdminProtocol.text(payload);
        }
    }

    private final CncReader cnc;

    /** @param cnc a writable reader. */
    public AdminClient(final CncReader cnc)
    {
        this.cnc = cnc;
    }

    public Response send(
        final int command, final byte[] key, final byte[] value, final int flags, final int exptime, final Duration timeout)
    {
        cnc.checkAlive();
        final ManyToOneRingBuffer ring = cnc.commandRing();
        final int length = AdminProtocol.KEY_OFFSET + key.length + value.length;
        if (length > ring.maxMsgLength())
        {
            throw new CncException("the command is " + length + " bytes, more than the admin channel carries (" +
                ring.maxMsgLength() + "); store large values with 'wirekv set'");
        }
        // Positioned at the broadcast's end before the command is written, so the answer cannot be missed.
        final CopyBroadcastReceiver responses = new CopyBroadcastReceiver(cnc.responseReceiver(),
            new ExpandableArrayBuffer(AdminProtocol.PAYLOAD_OFFSET + 1024));
        final long correlationId = ring.nextCorrelationId();
        final UnsafeBuffer message = new UnsafeBuffer(new byte[length]);
        AdminProtocol.encodeCommand(message, correlationId, flags, exptime, key, value);
        if (!ring.write(command, message, 0, length))
        {
            throw new CncException("the admin command ring of instance '" + cnc.instance() + "' is full; " +
                "the appliance is not draining it (see 'wirekv status')");
        }
        final Response[] answer = new Response[1];
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (answer[0] == null)
        {
            responses.receive((msgTypeId, buffer, index, len) ->
            {
                if (msgTypeId == AdminProtocol.RESPONSE &&
                    buffer.getLong(index + AdminProtocol.CORRELATION_ID_OFFSET) == correlationId)
                {
                    answer[0] = new Response(buffer.getInt(index + AdminProtocol.STATUS_OFFSET),
                        buffer.getInt(index + AdminProtocol.RESPONSE_FLAGS_OFFSET), AdminProtocol.payload(buffer, index));
                }
            });
            if (answer[0] == null)
            {
                if (System.nanoTime() > deadline)
                {
                    throw new CncException("no answer from instance '" + cnc.instance() + "' within " +
                        timeout.toMillis() + " ms (heartbeat " + (System.currentTimeMillis() - cnc.heartbeatMs()) +
                        " ms old); is it stuck? see 'wirekv status'");
                }
                cnc.checkAlive();
                Thread.onSpinWait();
                try
                {
                    Thread.sleep(1);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    throw new CncException("interrupted while waiting for the answer");
                }
            }
        }
        return answer[0];
    }
}
