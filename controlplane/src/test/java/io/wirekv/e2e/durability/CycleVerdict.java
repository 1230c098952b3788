package io.wirekv.e2e.durability;

import java.util.ArrayList;
import java.util.List;

/**
 * The outcome of one kill cycle: how many writes were acknowledged, how many of those the restarted server lost and
 * how far back the loss reached, keys whose state no write explains, and CAS uniques that went backwards.
 *
 * @param acknowledged        writes whose reply arrived (stored or not)
 * @param changes             acknowledged writes that changed a key (the ones that can be lost)
 * @param inFlight            writes on the wire at the kill (either outcome allowed)
 * @param lost                acknowledged changes the restarted server does not show
 * @param largestLossWindowMs kill time minus the reply time of the oldest lost write, the largest over keys; 0 = none
 * @param problems            the first {@value Builder#MAX_PROBLEMS} findings, one line each
 */
record CycleVerdict(int cycle, long acknowledged, long changes, long inFlight, long lost, long keysWithLoss, long wrongKeys,
    long casRegressions, long replyProblems, double largestLossWindowMs, List<String> problems)
{
    /** Nothing the server showed is unexplained (losses are judged by the caller, per durability mode). */
    boolean consistent()
    {
        return wrongKeys == 0 && casRegressions == 0 && replyProblems == 0;
    }

    String summary()
    {
        return String.format("cycle %d: %d acknowledged writes (%d changes), %d in flight at the kill, %d lost over %d keys, " +
            "largest loss window %.1f ms, %d wrong keys, %d CAS regressions, %d unexpected replies", cycle, acknowledged, changes,
            inFlight, lost, keysWithLoss, largestLossWindowMs, wrongKeys, casRegressions, replyProblems);
    }

    static final class Builder
    {
        static final int MAX_PROBLEMS = 20;

        private final int cycle;
        private final List<String> problems = new ArrayList<>();
        private long acknowledged;
        private long changes;
        private long inFlight;
        private long lost;
        private long keysWithLoss;
        private long wrongKeys;
        private long casRegressions;
        private long replyProblems;
        private long largestLossWindowNanos;

        Builder(final int cycle)
        {
            this.cycle = cycle;
        }

        void acknowledged(final long writes, final long changed, final boolean wasInFlight)
        {
            acknowledged += writes;
            changes += changed;
            inFlight += wasInFlight ? 1 : 0;
        }

        void lost(final int writes, final long windowNanos, final String problem)
        {
            lost += writes;
            keysWithLoss++;
            largestLossWindowNanos = Math.max(largestLossWindowNanos, windowNanos);
            note(problem);
        }

        void wrongKey(final String problem)
        {
            wrongKeys++;
            note(problem);
        }

        void casRegression(final String problem)
        {
            casRegressions++;
            note(problem);
        }

        /** A reply during the load that the oracle did not predict, or a connection lost before the kill. */
        void replyProblem(final String problem)
        {
            replyProblems++;
            note(problem);
        }

        private void note(final String problem)
        {
            if (problems.size() < MAX_PROBLEMS)
            {
                problems.add(problem);
            }
        }

        CycleVerdict build()
        {
            return new CycleVerdict(cycle, acknowledged, changes, inFlight, lost, keysWithLoss, wrongKeys, casRegressions,
                replyProblems, largestLossWindowNanos / 1e6, List.copyOf(problems));
        }
    }
}
