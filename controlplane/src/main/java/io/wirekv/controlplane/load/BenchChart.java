package io.wirekv.controlplane.load;

import java.util.List;
import java.util.Locale;

/**
 * A hand-written SVG chart of a bench run. With several trials (search, sweep): latency
 * percentiles p50, p90, p99 and p99.9 (log scale) against offered load, one line each, trials
 * sorted by offered rate. With one trial: its latency distribution, latency (log scale) against
 * percentile on the usual "1/(1-p)" axis (50%, 90%, 99%, ... 99.999%).
 */
public final class BenchChart
{
    private static final int WIDTH = 800;
    private static final int HEIGHT = 480;
    private static final int LEFT = 80;
    private static final int RIGHT = 150;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;
    private static final double[] PERCENTILES = {50, 90, 99, 99.9};
    private static final String[] COLOURS = {"#1b9e77", "#d95f02", "#7570b3", "#e7298a"};

    private BenchChart()
    {
    }

    public static String svg(final Bench.Run run)
    {
        final List<BenchTrial> trials = run.trials().stream()
            .filter(t -> t.latencyNs().getTotalCount() > 0)
            .sorted((a, b) -> Double.compare(a.offeredPerSecond(), b.offeredPerSecond()))
            .toList();
        final StringBuilder sb = new StringBuilder(8192);
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" " +
            "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        final BenchSpec s = run.spec();
        text(sb, LEFT, 25, "start", 14, "wirekv bench " + s.target() + " " + s.transport().label() + "/" +
            s.protocol().label() + " " + run.date());
        if (trials.isEmpty())
        {
            text(sb, WIDTH / 2, HEIGHT / 2, "middle", 14, "no replies: nothing to plot");
            return sb.append("</svg>\n").toString();
        }
        if (trials.size() == 1 || run.plan().mode() == BenchPlan.Mode.SINGLE)
        {
            // one trial, or the sides of one mixed trial: the first side's distribution
            distribution(sb, trials.get(0));
        }
        else
        {
            versusLoad(sb, trials);
        }
        return sb.append("</svg>\n").toString();
    }

    private static void versusLoad(final StringBuilder sb, final List<BenchTrial> trials)
    {
        double maxX = 0;
        double minY = Double.MAX_VALUE;
        double maxY = 0;
        for (final BenchTrial t : trials)
        {
            maxX = Math.max(maxX, t.offeredPerSecond());
            minY = Math.min(minY, Math.max(0.1, t.percentileUs(50)));
            maxY = Math.max(maxY, t.percentileUs(99.9));
        }
        final double x1 = niceCeil(maxX);
        final double y0 = Math.pow(10, Math.floor(Math.log10(minY)));
        final double y1 = Math.pow(10, Math.ceil(Math.log10(Math.max(maxY, y0 * 10))));
        frame(sb, "offered load (requests/s)", "latency (us, log)");
        for (int i = 0; i <= 5; i++)
        {
            final double v = x1 * i / 5;
            final double x = LEFT + plotW() * i / 5.0;
            tick(sb, x, HEIGHT - BOTTOM, true);
            text(sb, x, HEIGHT - BOTTOM + 18, "middle", 11, String.format(Locale.ROOT, "%,.0f", v));
        }
        logTicks(sb, y0, y1);
        for (int p = 0; p < PERCENTILES.length; p++)
        {
            final StringBuilder points = new StringBuilder();
            for (final BenchTrial t : trials)
            {
                final double x = LEFT + plotW() * t.offeredPerSecond() / x1;
                final double y = logY(Math.max(y0, t.percentileUs(PERCENTILES[p])), y0, y1);
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n", x, y,
                    COLOURS[p]));
            }
            sb.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n",
                COLOURS[p], points.toString().trim()));
            legend(sb, p, "p" + label(PERCENTILES[p]));
        }
    }

    private static void distribution(final StringBuilder sb, final BenchTrial t)
    {
        final double[] ps = {0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999};
        final double maxNines = 5; // up to 99.999%
        final double y0 = Math.pow(10, Math.floor(Math.log10(Math.max(0.1, t.percentileUs(0)))));
        final double y1 = Math.pow(10, Math.ceil(Math.log10(Math.max(t.maxUs(), y0 * 10))));
        frame(sb, "percentile", "latency (us, log)");
        for (int n = 0; n <= maxNines; n++)
        {
            final double x = LEFT + plotW() * n / maxNines;
            tick(sb, x, HEIGHT - BOTTOM, true);
            final String label = n == 0 ? "0%" : label(100 - 100 / Math.pow(10, n)) + "%";
            text(sb, x, HEIGHT - BOTTOM + 18, "middle", 11, label);
        }
        logTicks(sb, y0, y1);
        final StringBuilder points = new StringBuilder();
        for (final double p : ps)
        {
            final double nines = p >= 100 ? maxNines : Math.min(maxNines, -Math.log10(1 - p / 100));
            final double x = LEFT + plotW() * nines / maxNines;
            final double y = logY(Math.max(y0, t.percentileUs(p)), y0, y1);
            points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        }
        sb.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n",
            COLOURS[2], points.toString().trim()));
        legend(sb, 2, String.format(Locale.ROOT, "%,.0f req/s", t.offeredPerSecond()));
    }

    private static void frame(final StringBuilder sb, final String xLabel, final String yLabel)
    {
        sb.append(String.format(Locale.ROOT,
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#333\"/>%n", LEFT, TOP, plotW(),
            plotH()));
        text(sb, LEFT + plotW() / 2.0, HEIGHT - 15, "middle", 12, xLabel);
        sb.append(String.format(Locale.ROOT, "<text x=\"20\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 20 %d)\">%s</text>%n",
            TOP + plotH() / 2, TOP + plotH() / 2, yLabel));
    }

    private static void logTicks(final StringBuilder sb, final double y0, final double y1)
    {
        for (double v = y0; v <= y1 * 1.0001; v *= 10)
        {
            final double y = logY(v, y0, y1);
            tick(sb, LEFT, y, false);
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                LEFT, y, LEFT + plotW(), y));
            text(sb, LEFT - 8, y + 4, "end", 11, v >= 1 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.1f", v));
        }
    }

    private static void legend(final StringBuilder sb, final int index, final String label)
    {
        final int x = WIDTH - RIGHT + 20;
        final int y = TOP + 20 + index * 20;
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"/>%n",
            x, y - 4, x + 20, y - 4, COLOURS[index]));
        text(sb, x + 26, y, "start", 12, label);
    }

    private static void tick(final StringBuilder sb, final double x, final double y, final boolean vertical)
    {
        sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>%n",
            x, y, vertical ? x : x - 5, vertical ? y + 5 : y));
    }

    private static void text(final StringBuilder sb, final double x, final double y, final String anchor, final int size,
        final String s)
    {
        sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\">%s</text>%n",
            x, y, anchor, size, s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")));
    }

    private static double logY(final double v, final double y0, final double y1)
    {
        return TOP + plotH() * (1 - (Math.log10(v) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0)));
    }

    private static int plotW()
    {
        return WIDTH - LEFT - RIGHT;
    }

    private static int plotH()
    {
        return HEIGHT - TOP - BOTTOM;
    }

    private static double niceCeil(final double v)
    {
        if (v <= 0)
        {
            return 1;
        }
        final double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
        for (final double step : new double[] {1, 2, 2.5, 5, 10})
        {
            if (step * magnitude >= v)
            {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String label(final double p)
    {
        final String s = String.format(Locale.ROOT, "%.3f", p);
        return s.replaceAll("\\.?0+$", "");
    }
}
