package io.wirekv.dataplane.table;

/**
 * One registered reader thread's quiescent-state reporter. The owning thread calls
 * {@link #quiescent()} once per duty cycle, between batches, when it holds no {@link ItemView}.
 * {@link #close()} deregisters it so that it no longer holds back reclamation.
 */
public interface QsbrReader extends AutoCloseable
{
    /** Declares that this thread holds no reference into the table; a single release store. */
    void quiescent();

    /** Deregisters; the reader must not call {@link Table#get} afterwards. */
    @Override
    void close();
}
