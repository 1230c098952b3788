package io.wirekv.e2e;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * One differential request sequence: named, run over the listed transports, split into phases by
 * {@code @sleep} barriers. Each step is a request template (see {@link Templates}) sent as one TCP write
 * or one UDP datagram, followed by the {@code mn} sentinel.
 *
 * @param name       unique name, shown in reports.
 * @param origin     where it came from: {@code file:line} or {@code generated}.
 * @param transports TCP and/or UDP.
 * @param exclusive  true when it affects the whole server (flush_all): run alone, after all others.
 * @param phases     steps, split where the sequence says {@code @sleep}.
 * @param differs    null, or a {@link DeliberateDifferences} reason: steps with an expectation are checked
 *                   against it instead of memcached.
 */
public record Sequence(
    String name, String origin, Set<Transport> transports, boolean exclusive, List<List<Step>> phases, String differs)
{
    public enum Transport
    {
        TCP, UDP
    }

    /**
     * One request.
     *
     * @param template bytes as ISO-8859-1 chars, with {@code ${...}} placeholders.
     * @param udpSeq   UDP frame sequence number to send (memcached clients send 0).
     * @param udpCount UDP frame datagram count to send (memcached requires 1).
     * @param udpReserved UDP frame reserved field to send (0).
     * @param expectTarget null to compare with memcached; otherwise the target's exact reply (template, without
     *                     the harness's MN), or {@link #SILENT} for "no reply at all" (see {@link DeliberateDifferences}).
     */
    public record Step(String template, int udpSeq, int udpCount, int udpReserved, String expectTarget)
    {
        /** {@link #expectTarget} value: the target sends nothing while memcached answers. */
        public static final String SILENT = "\u0000<silent>";

        public Step(final String template)
        {
            this(template, 0, 1, 0, null);
        }

        public Step(final String template, final int udpSeq, final int udpCount, final int udpReserved)
        {
            this(template, udpSeq, udpCount, udpReserved, null);
        }
    }

    public int stepCount()
    {
        return phases.stream().mapToInt(List::size).sum();
    }

    /** Builds sequences in code; {@code sleep()} starts a new phase. */
    public static final class Builder
    {
        private final String name;
        private final Set<Transport> transports = EnumSet.noneOf(Transport.class);
        private boolean exclusive;
        private String differs;
        private final List<List<Step>> phases = new ArrayList<>();

        public Builder(final String name)
        {
            this.name = name;
            phases.add(new ArrayList<>());
        }

        public Builder tcp()
        {
            transports.add(Transport.TCP);
            return this;
        }

        public Builder udp()
        {
            transports.add(Transport.UDP);
            return this;
        }

        public Builder exclusive()
        {
            exclusive = true;
            return this;
        }

        /** A documented deliberate difference ({@link DeliberateDifferences} key). */
        public Builder differs(final String reason)
        {
            differs = reason;
            return this;
        }

        /** A step: the given lines, each followed by CRLF. */
        public Builder send(final String... lines)
        {
            final StringBuilder sb = new StringBuilder();
            for (final String line : lines)
            {
                sb.append(line).append("\r\n");
            }
            return raw(sb.toString());
        }

        /** A step of exactly these bytes (ISO-8859-1 chars, templates allowed). */
        public Builder raw(final String bytes)
        {
            phases.getLast().add(new Step(bytes));
            return this;
        }

        public Builder step(final Step step)
        {
            phases.getLast().add(step);
            return this;
        }

        public Builder sleep()
        {
            phases.add(new ArrayList<>());
            return this;
        }

        public Sequence build(final String origin)
        {
            if (transports.isEmpty())
            {
                transports.add(Transport.TCP);
                transports.add(Transport.UDP);
            }
            final List<List<Step>> copy = new ArrayList<>();
            for (final List<Step> phase : phases)
            {
                copy.add(List.copyOf(phase));
            }
            final boolean expectations = copy.stream().flatMap(List::stream).anyMatch(st -> st.expectTarget() != null);
            if (expectations && differs == null)
            {
                throw new IllegalArgumentException(origin + ": @target needs differs=REASON in the === header");
            }
            if (!expectations && differs != null)
            {
                throw new IllegalArgumentException(origin + ": differs=" + differs + " but no @target step");
            }
            return new Sequence(name, origin, Set.copyOf(transports), exclusive, List.copyOf(copy), differs);
        }
    }
}
