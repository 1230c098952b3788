package io.wirekv.e2e;

import io.wirekv.e2e.Sequence.Transport;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Runs sequences against a reference memcached and a target, step by step (reference first, then target,
 * back to back), over reused connections. All non-exclusive sequences run phase by phase: phase 0 of
 * every sequence, then ONE sleep of {@link #SLEEP_MS}, then phase 1 of every sequence that has one, and
 * so on, so one sleep serves every expiry test. Exclusive sequences (flush_all) run afterwards, alone.
 */
final class DifferentialRunner implements AutoCloseable
{
    /**
     * The barrier sleep. Sequences that sleep use exptimes of at most 2 s: memcached's clock ticks once a
     * second and lags real time by up to 1 s, so 3.2 s is the smallest sleep that expires them for sure.
     */
    static final long SLEEP_MS = 3_200;

    /**
     * A side that timed out this often is given up on: its remaining steps are recorded as not run, so a
     * target that does not answer (e.g. no {@code mn} support yet) fails fast instead of costing a timeout
     * per step. memcached itself times out exactly three times (the dropped UDP requests whose datagram count is not 1).
     */
    static final int MAX_TIMEOUTS_PER_SIDE = 20;

    /**
     * One step's request and normalised reply; {@code raw} is the reply as received (TCP bytes or UDP payloads,
     * the harness's trailing MN included); {@code mismatch} is set only on a target step with a deliberate-difference
     * expectation ({@link Sequence.Step#expectTarget()}): null if it was met, else why not.
     */
    record StepOutcome(String request, String reply, byte[] raw, String mismatch)
    {
        StepOutcome(final String request, final String reply, final byte[] raw)
        {
            this(request, reply, raw, null);
        }

        StepOutcome withMismatch(final String why)
        {
            return new StepOutcome(request, reply, raw, why);
        }
    }

    /** One sequence over one transport: the reference's and the target's outcomes. */
    record Run(Sequence sequence, int index, Transport transport, List<StepOutcome> reference, List<StepOutcome> target)
    {
        String displayName()
        {
            return sequence.name() + " [" + transport + "]";
        }
    }

    private final Side reference;
    private final Side target;
    private int nextRequestId = 1;

    DifferentialRunner(final Target referenceServer, final Target targetServer)
    {
        this.reference = new Side(referenceServer);
        this.target = new Side(targetServer);
    }

    List<Run> runAll(final List<Sequence> sequences)
    {
        final List<Run> runs = new ArrayList<>();
        final List<Run> shared = new ArrayList<>();
        final List<Run> exclusive = new ArrayList<>();
        for (int i = 0; i < sequences.size(); i++)
        {
            final Sequence s = sequences.get(i);
            for (final Transport t : s.transports().stream().sorted(Comparator.naturalOrder()).toList())
            {
                final Run run = new Run(s, i, t, new ArrayList<>(), new ArrayList<>());
                runs.add(run);
                (s.exclusive() ? exclusive : shared).add(run);
            }
        }
        final int maxPhases = shared.stream().mapToInt(r -> r.sequence().phases().size()).max().orElse(0);
        final List<State> states = new ArrayList<>();
        for (final Run run : shared)
        {
            states.add(new State(run));
        }
        for (int p = 0; p < maxPhases; p++)
        {
            for (final State state : states)
            {
                runPhase(state, p);
            }
            if (p + 1 < maxPhases)
            {
                MemcachedProcess.sleepMs(SLEEP_MS);
            }
        }
        for (final Run run : exclusive)
        {
            final State state = new State(run);
            final int phases = run.sequence().phases().size();
            for (int p = 0; p < phases; p++)
            {
                runPhase(state, p);
                if (p + 1 < phases)
                {
                    MemcachedProcess.sleepMs(SLEEP_MS);
                }
            }
        }
        return runs;
    }

    /** Per run: each server's CAS values in order of appearance. */
    private static final class State
    {
        final Run run;
        final List<String> referenceCas = new ArrayList<>();
        final List<String> targetCas = new ArrayList<>();

        State(final Run run)
        {
            this.run = run;
        }

        String prefix()
        {
            return (run.transport() == Transport.TCP ? "t" : "u") + run.index() + "_";
        }
    }

    private void runPhase(final State state, final int phase)
    {
        final List<List<Sequence.Step>> phases = state.run.sequence().phases();
        if (phase >= phases.size())
        {
            return;
        }
        for (final Sequence.Step step : phases.get(phase))
        {
            final int requestId = nextRequestId;
            nextRequestId = nextRequestId == 0xFFFF ? 1 : nextRequestId + 1;
            final long t0 = System.nanoTime();
            state.run.reference().add(reference.execute(state.run.transport(), step, state.prefix(), state.referenceCas, requestId));
            final long ms = (System.nanoTime() - t0) / 1_000_000;
            if (ms > 100)
            {
                System.err.println("slow step (" + ms + " ms on reference): " + state.run.displayName() + " " +
                    state.run.reference().getLast().request());
            }
            final StepOutcome t = target.execute(state.run.transport(), step, state.prefix(), state.targetCas, requestId);
            state.run.target().add(step.expectTarget() == null ? t :
                t.withMismatch(checkExpectation(step, state, state.run.reference().getLast(), t)));
        }
    }

    private static final byte[] MN = "MN\r\n".getBytes(StandardCharsets.ISO_8859_1);

    /** A deliberate-difference step ({@link DeliberateDifferences}): null if the target did what the sequence expects. */
    private static String checkExpectation(
        final Sequence.Step step, final State state, final StepOutcome reference, final StepOutcome target)
    {
        if (Sequence.Step.SILENT.equals(step.expectTarget()))
        {
            if (target.raw().length != 0)
            {
                return "expected no reply at all, got " + target.reply();
            }
            if (reference.raw().length <= MN.length)
            {
                return "memcached no longer answers this step: the deliberate difference is gone, drop the marker";
            }
            return null;
        }
        final byte[] expected = Templates.resolve(step.expectTarget(), state.prefix(), state.targetCas);
        final byte[] raw = target.raw();
        final boolean endsWithMn = raw.length >= MN.length &&
            Arrays.equals(raw, raw.length - MN.length, raw.length, MN, 0, MN.length);
        final byte[] got = endsWithMn ? Arrays.copyOf(raw, raw.length - MN.length) : raw;
        if (!endsWithMn || !Arrays.equals(expected, got))
        {
            final StringBuilder e = new StringBuilder();
            Normalisation.escape(expected, 0, expected.length, e);
            final StringBuilder g = new StringBuilder();
            Normalisation.escape(raw, 0, raw.length, g);
            return "expected exactly " + e + " (then MN), got " + g;
        }
        return null;
    }

    /** One server's reused TCP connection and UDP socket. */
    private static final class Side implements AutoCloseable
    {
        private final Target server;
        private TcpWire tcp;
        private UdpWire udp;
        private int timeouts;

        Side(final Target server)
        {
            this.server = server;
        }

        StepOutcome execute(
            final Transport transport, final Sequence.Step step, final String prefix, final List<String> cas, final int requestId)
        {
            final byte[] request = Templates.resolve(step.template(), prefix, cas);
            final String shown = Normalisation.displayRequest(request);
            if (timeouts >= MAX_TIMEOUTS_PER_SIDE)
            {
                return new StepOutcome(shown, "<not run: " + server.name() + " timed out " + timeouts + " times>\n",
                    new byte[0]);
            }
            if (transport == Transport.TCP)
            {
                if (tcp == null)
                {
                    tcp = server.openTcpWire();
                }
                final TcpWire.Reply reply = tcp.exchange(request, TcpWire.countMnCommands(step.template()));
                final StringBuilder sb = new StringBuilder(Normalisation.normalise(reply.bytes(), cas));
                if (reply.sendFailed())
                {
                    sb.append("<send failed>\n");
                }
                if (reply.closed())
                {
                    sb.append("<connection closed>\n");
                }
                if (reply.timedOut())
                {
                    timeouts++;
                    sb.append("<timeout: no MN>\n");
                }
                return new StepOutcome(shown, sb.toString(), reply.bytes());
            }
            if (udp == null)
            {
                udp = server.openUdpWire();
            }
            final UdpWire.Reply reply = udp.exchange(requestId, step, request);
            if (reply.timedOut())
            {
                timeouts++;
            }
            final boolean[] altered = new boolean[1];
            final String payload = Normalisation.normalise(reply.payload(), cas, altered);
            final String text = "datagrams " + Normalisation.udpLayout(reply.layout(), altered[0], payload) + "\n" + payload +
                (reply.timedOut() ? "<timeout: no MN>\n" : "");
            return new StepOutcome("[udp seq=" + step.udpSeq() + " count=" + step.udpCount() + " res=" +
                step.udpReserved() + "] " + shown, text, reply.payload());
        }

        @Override
        public void close()
        {
            if (tcp != null)
            {
                tcp.close();
            }
            if (udp != null)
            {
                udp.close();
            }
        }
    }

    @Override
    public void close()
    {
        reference.close();
        target.close();
    }
}
