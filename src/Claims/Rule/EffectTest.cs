using System.Globalization;
using MathNet.Numerics.Distributions;

namespace MnistClaims.Claims.Rule;

/// <summary>The outcome of a relation: the effect in run-to-run standard deviations, its confidence interval, the margin.</summary>
public sealed record EffectFit(Verdict Verdict, string Statement, double Effect, double Lo, double Hi, double Margin, int Pairs, string Values)
{
    public string Summary => string.Create(CultureInfo.InvariantCulture,
        $"{Statement}: effect {Effect:+0.00;-0.00} run-to-run sd, 95% CI [{Lo:+0.00;-0.00}, {Hi:+0.00;-0.00}] over {Pairs} seed(s), margin {Margin:0.##} sd ({Values})");
}

/// <summary>
/// The rule every relation is judged by ("lr 0.1 ends below lr 0.01", "accuracy stays below 50%"). The effect is a
/// difference on the metric's judging scale (<see cref="MetricScale"/>), paired by seed when two configurations are
/// compared, in units of the single-run standard deviation, with a 95% t confidence interval. For a claim in one
/// direction:
/// <list type="bullet">
/// <item><b>REPRODUCED</b> when the whole interval lies beyond the margin in the claimed direction;</item>
/// <item><b>NOT REPRODUCED</b> when it lies short of the margin (the effect is absent, negligible, or the other way);</item>
/// <item><b>INCONCLUSIVE</b> when it straddles the margin.</item>
/// </list>
/// The margin for comparisons is <see cref="DefaultMargin"/>: half a run-to-run standard deviation, below which one run
/// of each configuration (all a document shows) could not tell them apart. Against a fixed threshold the margin is 0.
/// More seeds narrow the interval, so a relation gets easier to decide with N, never stricter (unlike "holds for every
/// seed", which fails more often the more seeds are run).
/// </summary>
public static class EffectTest
{
    public const double DefaultMargin = 0.5;

    /// <summary>Claim: <paramref name="a"/> is above (direction +1) or below (-1) <paramref name="b"/>, runs paired by seed.</summary>
    public static EffectFit Paired(string statement, double[] a, double[] b, int direction, MetricScale scale, double margin = DefaultMargin)
    {
        var pairs = a.Zip(b).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second)).ToArray();
        var ta = pairs.Select(p => scale.Apply(p.First)).ToArray();
        var tb = pairs.Select(p => scale.Apply(p.Second)).ToArray();
        double sdRun = Math.Sqrt((Var(ta) + Var(tb)) / 2);
        var diff = ta.Zip(tb, (x, y) => x - y).ToArray();
        return Decide(statement, diff, sdRun, direction, margin, $"mean {SeedStats.Fmt(Mean(pairs.Select(p => p.First)))} vs {SeedStats.Fmt(Mean(pairs.Select(p => p.Second)))}");
    }

    /// <summary>Claim: <paramref name="a"/> is above (+1) or below (-1) the fixed <paramref name="threshold"/>.</summary>
    public static EffectFit Threshold(string statement, double[] a, double threshold, int direction, MetricScale scale, double margin = 0)
    {
        var fa = a.Where(double.IsFinite).ToArray();
        var ta = fa.Select(scale.Apply).ToArray();
        double t = scale.Apply(threshold);
        return Decide(statement, ta.Select(x => x - t).ToArray(), Math.Sqrt(Var(ta)), direction, margin,
            $"mean {SeedStats.Fmt(Mean(fa))} vs threshold {SeedStats.Fmt(threshold)}");
    }

    static EffectFit Decide(string statement, double[] d, double sdRun, int direction, double margin, string values)
    {
        int n = d.Length;
        if (n < 2 || !(sdRun > 0))
            return new EffectFit(Verdict.Inconclusive, statement, double.NaN, double.NaN, double.NaN, margin, n, values + (n < 2 ? "; fewer than 2 finite runs" : "; no run-to-run spread"));
        double m = Mean(d), se = Math.Sqrt(Var(d) / n);
        double t = StudentT.InvCDF(0, 1, n - 1, 0.975);
        // in the claimed direction: positive = as claimed
        double e = direction * m / sdRun, half = t * se / sdRun;
        double lo = e - half, hi = e + half;
        var v = lo > margin ? Verdict.Reproduced : hi < margin ? Verdict.NotReproduced : Verdict.Inconclusive;
        return new EffectFit(v, statement, e, lo, hi, margin, n, values);
    }

    static double Mean(IEnumerable<double> x) => x.DefaultIfEmpty(double.NaN).Average();
    static double Var(double[] x)
    {
        if (x.Length < 2) return 0;
        double m = x.Average();
        return x.Sum(v => (v - m) * (v - m)) / (x.Length - 1);
    }

    /// <summary>All parts must hold: NOT REPRODUCED if any part is, REPRODUCED if all are, else INCONCLUSIVE.</summary>
    public static Verdict All(IEnumerable<Verdict> parts)
    {
        var p = parts.ToArray();
        return p.Contains(Verdict.NotReproduced) ? Verdict.NotReproduced : p.All(v => v == Verdict.Reproduced) ? Verdict.Reproduced : Verdict.Inconclusive;
    }
}
