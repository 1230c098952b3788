package io.wirekv.dataplane.latency;

/**
 * One reader thread's request latency, from the moment its burst or read arrived to the moment the
 * reply left, per command family: reads (answered from the table on the receiving thread) and writes
 * (forwarded to a partition's writer, or held back because its ring was full). The receiving agent
 * is the only writer (see {@link LatencyHistogram}); the exporter sums all agents' histograms.
 */
public final class RequestLatency
{
    /** The families, in the order of {@link #histogram}: the {@code family} label values. */
    public enum Family
    {
        READ("read"), WRITE("write");

        private final String label;

        Family(final String label)
        {
            this.label = label;
        }

        /** The Prometheus label value. */
        public String label()
        {
            return label;
        }
    }

    private final LatencyHistogram read = new LatencyHistogram();
    private final LatencyHistogram write = new LatencyHistogram();

    /** Records one request (or one TCP read's requests) that waited for a writer or not; owning thread only. */
    public void record(final boolean wroteThroughWriter, final long durationNs)
    {
        (wroteThroughWriter ? write : read).record(durationNs);
    }

    /** The histogram of one family; read it from any thread, record into it from the owner only. */
    public LatencyHistogram histogram(final Family family)
    {
        return family == Family.READ ? read : write;
    }
}
