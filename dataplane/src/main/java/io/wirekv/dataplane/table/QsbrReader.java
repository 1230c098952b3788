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

    /**
     * Declares an extended quiescent period (e.g. before blocking in a poll): the thread holds no
     * reference and does not read until {@link #online()}. Writers do not wait for an offline reader.
     */
    default void offline()
    {
        throw new UnsupportedOperationException("offline");
    }

    /** Ends an {@link #offline()} period; must be called before the next {@link Table#get}. */
    default void online()
    {
        throw new UnsupportedOperationException("online");
    }

    /** Deregisters; the reader must not call {@link Table#get} afterwards. */
    @Override
    void close();
}
