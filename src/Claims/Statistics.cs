using System.Globalization;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.Statistics;

namespace MnistClaims.Claims;

/// <summary>Summary of one metric over the seeds of an experiment.</summary>
public sealed record SeedStats(int N, double Mean, double Std, double Min, double Max, double Lo, double Hi)
{
    public override string ToString() => N == 1
        ? Fmt(Mean)
        : $"{Fmt(Mean)} ± {Fmt(Std)} [{Fmt(Min)}, {Fmt(Max)}]";

    public static string Fmt(double x) => double.IsNaN(x) ? "NaN" : x.ToString(Math.Abs(x) >= 100 ? "F1" : "G4", CultureInfo.InvariantCulture);
}

/// <summary>
/// The one rule every numeric claim is judged by.
///
/// A document reports ONE run; we have n seeded runs of the same configuration. The question is
/// whether the documented number is a plausible draw from the distribution our runs sample. So the
/// acceptance interval is the two-sided prediction interval for a single new run,
/// <c>mean ± t(1 - a/2, n-1) · s · sqrt(1 + 1/n)</c>, joined with the observed [min, max]
/// (the interval never excludes a value we actually measured). A documented value is reproduced when
/// the interval of true values its printing allows (<see cref="Printed"/>: ±half a unit when rounded,
/// [v, v+unit) when truncated) intersects the acceptance interval.
///
/// This follows MLPerf's reference-convergence checks in spirit: the reference run's spread across
/// seeds, not a hand-picked tolerance, decides what counts as "the same result". a = 0.05 for one value;
/// a curve of m documented points uses a Bonferroni-corrected a/m per point so the whole curve is judged
/// at the 5% level. With a single seed (n = 1) there is no spread: the interval is the measured value
/// itself and only the printing tolerance remains, so single-seed verdicts are strict by construction.
/// </summary>
public static class VerdictRule
{
    public const double Alpha = 0.05;

    public static SeedStats Summarize(IReadOnlyList<double> values, int comparisons = 1)
    {
        if (values.Count == 0) throw new ArgumentException("no values to summarize");
        var finite = values.Where(double.IsFinite).ToArray();
        int n = values.Count;
        if (finite.Length < n)   // a diverged seed: the spread is unbounded; report what we have
            return new SeedStats(n, double.NaN, double.NaN, finite.DefaultIfEmpty(double.NaN).Min(), finite.DefaultIfEmpty(double.NaN).Max(), double.NegativeInfinity, double.PositiveInfinity);
        double mean = finite.Mean();
        double min = finite.Min(), max = finite.Max();
        if (n == 1) return new SeedStats(1, mean, 0, min, max, min, max);
        double sd = finite.StandardDeviation();
        double t = StudentT.InvCDF(0, 1, n - 1, 1 - Alpha / (2.0 * comparisons));
        double half = t * sd * Math.Sqrt(1 + 1.0 / n);
        return new SeedStats(n, mean, sd, min, max, Math.Min(mean - half, min), Math.Max(mean + half, max));
    }

    public static bool Reproduces(Printed documented, SeedStats s) => documented.Mode == PrintMode.Truncated
        ? documented.Lo <= s.Hi && s.Lo < documented.Hi
        : documented.Lo <= s.Hi && s.Lo <= documented.Hi;

    public static string Text =>
        "documented value (± its printing precision) inside the seeds' 95% prediction interval for one run, mean ± t·s·sqrt(1+1/n), joined with [min, max]";
}
