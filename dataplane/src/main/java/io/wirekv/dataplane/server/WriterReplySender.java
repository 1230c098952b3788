package io.wirekv.dataplane.server;

import io.wirekv.dataplane.lcore.UdpLcoreAgent;
import org.agrona.concurrent.Agent;

/**
 * Colocated, the writers run on lcore 0's thread after the lcore's turn: this agent, placed after them, sends the
 * duty cycle's replies, the writers' included ({@link UdpLcoreAgent#sendWriterReplies}), so a write's reply leaves in
 * the cycle that received it rather than in the next one.
 */
final class WriterReplySender implements Agent
{
    private final UdpLcoreAgent lcore;

    WriterReplySender(final UdpLcoreAgent lcore)
    {
        this.lcore = lcore;
        lcore.sendAfterWriters();
    }

    @Override
    public int doWork()
    {
        return lcore.sendWriterReplies();
    }

    @Override
    public String roleName()
    {
        return lcore.roleName() + "-writer-replies";
    }
}
