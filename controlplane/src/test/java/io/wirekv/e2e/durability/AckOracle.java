package io.wirekv.e2e.durability;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the server promised, key by key: every state an ACKNOWLEDGED write left (its reply arrived), in order, with
 * the time of its reply, since the last verified restart; and for the one write per key that was on the wire when
 * the server was killed, the state it would leave (old or new are both allowed for it).
 *
 * <p>Threading: each key belongs to one {@link RandomWriteDriver} thread, the only writer of its {@link KeyHistory}
 * during a cycle; {@link #check} runs on the test thread after every driver thread was joined (join is the
 * happens-before edge), and so does {@link KeyHistory#rebase}.
 */
final class AckOracle
{
    /** How a cycle is judged. */
    enum Durability
    {
        /** {@code persistence sync}: no acknowledged write may be lost. */
        SYNC,
        /** {@code persistence async}: the newest acknowledged writes may be lost (a prefix survives); measured. */
        ASYNC,
        /** No persistence (the harness's self-test): losses are the expected finding. */
        NONE
    }

    private final Map<String, KeyHistory> keys = new LinkedHashMap<>();

    /** Registers the key universe; only these keys are ever written, so any other key on the server is wrong. */
    AckOracle(final Collection<String> universe)
    {
        for (final String key : universe)
        {
            keys.put(key, new KeyHistory(key));
        }
    }

    KeyHistory history(final String key)
    {
        final KeyHistory h = keys.get(key);
        if (h == null)
        {
            throw new IllegalArgumentException("not in the key universe: " + key);
        }
        return h;
    }

    Collection<String> universe()
    {
        return keys.keySet();
    }

    /**
     * Judges the server's state after a restart against the acknowledged writes of the cycle, then makes what it
     * saw the next cycle's starting point.
     *
     * @param seen        every key of the universe as the restarted server shows it
     * @param itemsBefore the server's {@code curr_items} read before the keys: nothing inserts after a restart, so
     *                    every key seen present was counted in it (fewer means the server miscounts)
     * @param itemsAfter  {@code curr_items} read after the keys: at most the keys seen present and those that may be
     *                    expired and not yet reaped (more means the server holds keys that were never sent)
     * @param nowMs       wall-clock time of the scan, for expiry
     * @param killNanos   {@link System#nanoTime()} when SIGKILL was sent, for the loss window
     * @param replyProblems what the drivers found during the load (unexpected replies)
     */
    CycleVerdict check(final int cycle, final Durability durability, final Map<String, Observation> seen,
        final long itemsBefore, final long itemsAfter, final long nowMs, final long killNanos,
        final List<String> replyProblems)
    {
        final CycleVerdict.Builder verdict = new CycleVerdict.Builder(cycle);
        replyProblems.forEach(verdict::replyProblem);
        long present = 0;
        long mayBeUnreaped = 0;
        for (final KeyHistory h : keys.values())
        {
            final Observation o = seen.getOrDefault(h.key, Observation.ABSENT);
            present += o.present() ? 1 : 0;
            mayBeUnreaped += !o.present() && h.everExpires() ? 1 : 0;
            h.judge(o, durability, nowMs, killNanos, verdict);
        }
        if (itemsBefore < present)
        {
            verdict.wrongKey("stats curr_items was " + itemsBefore + " before the keys were read, but " + present +
                " of the " + keys.size() + " keys the test ever sent are present: the server miscounts");
        }
        if (itemsAfter > present + mayBeUnreaped)
        {
            verdict.wrongKey("stats curr_items is " + itemsAfter + " after the keys were read, but " + present +
                " of the " + keys.size() + " keys the test ever sent are present (" + mayBeUnreaped + " more may be " +
                "expired and not yet reaped): the server holds keys that were never sent, or miscounts");
        }
        return verdict.build();
    }

    /**
     * One key's acknowledged history in the current cycle. {@code states.get(0)} is the state verified after the last
     * restart (or absent before the first); every later entry is the state an acknowledged write left, with the
     * {@link System#nanoTime()} its reply arrived.
     */
    static final class KeyHistory
    {
        private final String key;
        private final List<KeyState> states = new ArrayList<>();
        private final List<Long> ackNanos = new ArrayList<>();
        /**
         * Per state: the largest CAS unique an earlier version of the key had, which the state's own must exceed;
         * {@code syncFloors} counts every unique a reply showed, {@code asyncFloors} only those that survived a
         * restart (under async a lost write's unique may be handed out again).
         */
        private final List<Long> syncFloors = new ArrayList<>();
        private final List<Long> asyncFloors = new ArrayList<>();
        private KeyState inFlight;
        private long inFlightSyncFloor;
        private long inFlightAsyncFloor;
        private boolean inFlightKeepsCas;
        private boolean unsure;
        private long maxCasSurvived;
        private long maxCasAcked;
        private long acknowledged;
        /** Some write ever gave the key an expiry: an expired item of it may sit unreaped (and counted) after any restart. */
        private boolean everExpired;

        private KeyHistory(final String key)
        {
            this.key = key;
            states.add(KeyState.ABSENT);
            ackNanos.add(Long.MIN_VALUE);
            syncFloors.add(0L);
            asyncFloors.add(0L);
        }

        String key()
        {
            return key;
        }

        KeyState current()
        {
            return states.getLast();
        }

        /**
         * A write goes on the wire; {@code ifApplied} is the state it leaves if the server applies it.
         *
         * @param keepsCas the write keeps the item's CAS unique (touch), every other one gives it a new one
         */
        void sending(final KeyState ifApplied, final boolean keepsCas)
        {
            // a write that cannot change the key (add of a present key) leaves nothing to be unsure about
            inFlight = ifApplied.equals(current()) ? null : ifApplied;
            everExpired |= ifApplied.expires();
            inFlightKeepsCas = keepsCas;
            inFlightSyncFloor = keepsCas ? syncFloors.getLast() : Math.max(maxCasAcked, maxCasSurvived);
            inFlightAsyncFloor = keepsCas ? asyncFloors.getLast() : maxCasSurvived;
        }

        /** The write's reply arrived and says the key is now {@code result} (the old state when it was not stored). */
        void acknowledged(final KeyState result, final long replyNanos)
        {
            if (!result.equals(current()))
            {
                states.add(result);
                ackNanos.add(replyNanos);
                syncFloors.add(inFlightKeepsCas ? syncFloors.getLast() : Math.max(maxCasAcked, maxCasSurvived));
                asyncFloors.add(inFlightKeepsCas ? asyncFloors.getLast() : maxCasSurvived);
            }
            inFlight = null;
            acknowledged++;
            maxCasAcked = Math.max(maxCasAcked, result.cas());
        }

        /**
         * The reply was an error whose outcome is unknown (SERVER_ERROR: e.g. a failed log write): both outcomes stay
         * allowed and the driver leaves the key alone until the next restart.
         */
        void unsure()
        {
            unsure = true;
        }

        boolean isUnsure()
        {
            return unsure;
        }

        /** A read ({@code gets}) told the current state's CAS unique; from now on it must survive a restart. */
        void learnedCas(final long cas)
        {
            final int last = states.size() - 1;
            states.set(last, states.get(last).withCas(cas));
            maxCasAcked = Math.max(maxCasAcked, cas);
        }

        private boolean everExpires()
        {
            for (final KeyState s : states)
            {
                everExpired |= s.expires();
            }
            return everExpired;
        }

        private void judge(final Observation o, final Durability durability, final long nowMs, final long killNanos,
            final CycleVerdict.Builder verdict)
        {
            verdict.acknowledged(acknowledged, states.size() - 1, inFlight != null);
            final List<Long> floors = durability == Durability.SYNC ? syncFloors : asyncFloors;
            KeyState survived = null;
            long casFloor = 0;
            final int newest = states.size() - 1;
            if (current().matches(o, nowMs))
            {
                survived = current();
                casFloor = floors.get(newest);
            }
            else if (inFlight != null && inFlight.matches(o, nowMs))
            {
                survived = inFlight;
                casFloor = durability == Durability.SYNC ? inFlightSyncFloor : inFlightAsyncFloor;
            }
            else
            {
                for (int i = newest - 1; i >= 0 && survived == null; i--)
                {
                    if (states.get(i).matches(o, nowMs))
                    {
                        survived = states.get(i);
                        casFloor = floors.get(i);
                        final int lost = newest - i;
                        if (lost > 0)
                        {
                            final long windowNanos = killNanos - ackNanos.get(i + 1);
                            verdict.lost(lost, windowNanos, key + ": " + lost + " acknowledged write(s) lost, the oldest " +
                                windowNanos / 1_000_000 + " ms before the kill; shows " + o + " (an older state), last acknowledged " +
                                current());
                        }
                    }
                }
            }
            if (survived == null)
            {
                verdict.wrongKey(key + ": shows " + o + ", which no acknowledged or in-flight write left; last acknowledged " +
                    current() + (inFlight != null ? ", in flight " + inFlight : "") + (states.size() > 1 ? ", at cycle start " + states.getFirst() : ""));
                survived = fromObservation(o, nowMs);
            }
            else if (o.present() && o.cas() <= casFloor)
            {
                // A new version needs a CAS unique above every earlier version's: a counter that restarted lower
                // would let a client's old 'cas' succeed against a newer item.
                verdict.casRegression(key + ": its CAS unique " + o.cas() + " is not above " + casFloor +
                    ", one an earlier version of the key already had");
            }
            rebase(o.present() ? survived.withCas(o.cas()) : KeyState.ABSENT, o, casFloor);
        }

        private static KeyState fromObservation(final Observation o, final long nowMs)
        {
            if (!o.present())
            {
                return KeyState.ABSENT;
            }
            final long expiry = o.ttlSeconds() < 0 ? 0 : nowMs + o.ttlSeconds() * 1000L;
            final KeyState s = KeyState.stored(o.value(), o.flags(), expiry == 0 ? 0 : expiry - 1000, expiry == 0 ? 0 : expiry + 1000);
            return s.withValue(o.value(), s.counterValue() != null).withCas(o.cas());
        }

        /** The verified state becomes the next cycle's start; {@code casFloor} is what its CAS unique had to exceed. */
        private void rebase(final KeyState verified, final Observation o, final long casFloor)
        {
            states.clear();
            ackNanos.clear();
            syncFloors.clear();
            asyncFloors.clear();
            states.add(verified);
            ackNanos.add(Long.MIN_VALUE);
            syncFloors.add(casFloor);
            asyncFloors.add(casFloor);
            inFlight = null;
            unsure = false;
            acknowledged = 0;
            if (o.present())
            {
                maxCasSurvived = Math.max(maxCasSurvived, o.cas());
            }
        }
    }
}
