using System.Globalization;
using MathNet.Numerics.Statistics;

namespace MnistClaims.Claims;

/// <summary>Summary of one metric over the seeds of an experiment (for reports; verdicts come from <see cref="Rule.WholeLogTest"/>
/// and <see cref="Rule.EffectTest"/>). <see cref="Lo"/>/<see cref="Hi"/> are the band the rule's judging scale puts around a single
/// run, back on the metric's own scale, when a claim provides it (else min and max).</summary>
public sealed record SeedStats(int N, double Mean, double Std, double Min, double Max, double Lo, double Hi)
{
    public override string ToString() => N == 1
        ? Fmt(Mean)
        : $"{Fmt(Mean)} ± {Fmt(Std)} [{Fmt(Min)}, {Fmt(Max)}]";

    public static string Fmt(double x) => double.IsNaN(x) ? "NaN" : x.ToString(Math.Abs(x) >= 100 ? "F1" : "G4", CultureInfo.InvariantCulture);

    /// <summary>Mean, standard deviation, min and max of the finite values (a diverged seed gives NaN mean and std).</summary>
    public static SeedStats Of(IReadOnlyList<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("no values to summarize");
        var finite = values.Where(double.IsFinite).ToArray();
        double min = finite.DefaultIfEmpty(double.NaN).Min(), max = finite.DefaultIfEmpty(double.NaN).Max();
        if (finite.Length < values.Count) return new SeedStats(values.Count, double.NaN, double.NaN, min, max, min, max);
        double sd = finite.Length > 1 ? finite.StandardDeviation() : 0;
        return new SeedStats(finite.Length, finite.Mean(), sd, min, max, min, max);
    }
}
