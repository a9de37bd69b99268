using System.Globalization;
using MathNet.Numerics.Distributions;

namespace MnistClaims.Claims.Rule;

/// <summary>One documented number of a log: what it is, how the document printed it, and the scale it is judged on.
/// <paramref name="Group"/> names its column (the equivalence margin is shifted per column).</summary>
public sealed record LogPoint(string Label, string Group, Printed Documented, MetricScale Scale);

/// <summary>How one documented point sits against the runs it was judged against (the best-fitting cluster's).</summary>
public sealed record PointFit(string Label, double Documented, double Mean, double BandLo, double BandHi, double Z)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Label}: documented {SeedStats.Fmt(Documented)}, runs {SeedStats.Fmt(Mean)} (95% single-run band [{SeedStats.Fmt(BandLo)}, {SeedStats.Fmt(BandHi)}]), z = {Z:F2}");
}

/// <summary>The whole-log test's outcome and everything it rests on.</summary>
public sealed record LogFit(
    Verdict Verdict, string Decision, double Statistic, double PValue, double EquivalenceBound,
    int Seeds, int Diverged, IReadOnlyList<int> ClusterSizes, int Cluster, IReadOnlyList<PointFit> Points)
{
    /// <summary>One line: the test that decided, its statistic and the thresholds.</summary>
    public string Summary => string.Create(CultureInfo.InvariantCulture,
        $"whole-log test over {Points.Count} point(s), {Seeds} seed(s){(Diverged > 0 ? $" ({Diverged} diverged, left out)" : "")}" +
        $"{(ClusterSizes.Count > 1 ? $", seeds in {ClusterSizes.Count} clusters ({string.Join(" / ", ClusterSizes)}), judged against cluster {Cluster + 1}" : "")}: " +
        $"D = {Statistic:F2} (RMS standardised deviation), leave-one-seed-out p = {PValue:F3} (reject at p <= {WholeLogTest.Alpha}), " +
        $"equivalence bound D <= {EquivalenceBound:F2} (margin {WholeLogTest.Margin} run-to-run sd per point, alpha {WholeLogTest.Alpha}): {Decision}");
}

/// <summary>
/// The rule every documented log is judged by: curves, tables of epochs, and single numbers alike (a single number is a
/// log of one point). A document reports ONE run; we have N seeded runs of the configuration. Three outcomes:
/// <list type="bullet">
/// <item><b>NOT REPRODUCED</b> when the whole log is implausible as one more run of ours. Statistic
///   D = sqrt(mean over points of z²), z = (documented - mean) / sqrt(v (1 + 1/N) + r²) on the metric's judging scale
///   (<see cref="MetricScale"/>: logit for accuracies and counts, log for losses), with v the run-to-run variance
///   moderated towards its column's variance pooled across epochs (half each, so one epoch whose N runs happen to agree
///   cannot decide) and r² the variance of the document's rounding (unit² / 12). Its null distribution is calibrated by
///   leaving one seed out: each seed, printed as the document prints, is scored against the other seeds, and the
///   document's p-value is its rank among those scores, p = (1 + #{D_seed >= D_doc}) / (N + 1) (a conformal p-value:
///   exact under exchangeability, whatever the shape of the distribution, correlations across epochs included).</item>
/// <item><b>REPRODUCED</b> only when an equivalence test passes: D must be below what a configuration whose every point is
///   <see cref="Margin"/> run-to-run standard deviations off ours would produce with probability 1 - alpha. That bound
///   comes from the same leave-one-seed-out scores, shifted by the margin column by column (the least favourable
///   combination of signs), with a normal approximation of their spread. The margin is the single-run spread the
///   document's own run carries: a configuration whose mean log is closer to ours than that cannot be told apart from
///   ours by one documented run.</item>
/// <item><b>INCONCLUSIVE</b> otherwise (the document is plausible, but one run cannot show it is the same).</item>
/// </list>
/// Seeds that split into two clearly separated clusters (two-means on the standardised logs, at least 3 seeds each,
/// centres more than 4 within-cluster standard deviations apart) are judged per cluster, and the document against the
/// nearer one: a bimodal configuration (L1 runs that stall or escape) then never gets a window spanning both modes.
/// Seeds that diverged (a non-finite value) are left out; if nearly all did, a finite document is NOT REPRODUCED.
/// </summary>
public static class WholeLogTest
{
    public const double Alpha = 0.05;
    /// <summary>The equivalence margin, in run-to-run standard deviations per point (RMS over the log).</summary>
    public const double Margin = 2.0;
    /// <summary>Fewest seeds the rule judges with: it leaves one seed out and needs three.</summary>
    public const int MinSeeds = 4;

    public static LogFit Judge(IReadOnlyList<LogPoint> points, IReadOnlyList<double[]> seedValues) => Judge(points, seedValues, Margin);

    /// <summary>The rule with another equivalence margin (the calibration scans margins; claims use <see cref="Margin"/>).</summary>
    public static LogFit Judge(IReadOnlyList<LogPoint> points, IReadOnlyList<double[]> seedValues, double margin)
    {
        int j = points.Count, n = seedValues.Count;
        if (j == 0) throw new ArgumentException("a log needs at least one documented point");
        var finite = seedValues.Where(v => v.Length == j && v.All(double.IsFinite)).ToArray();
        int diverged = n - finite.Length;
        if (finite.Length < MinSeeds)
        {
            // P(a run does not diverge) under our configuration, conformally: too small means the document's finite log is implausible.
            double pFinite = (1.0 + finite.Length) / (n + 1);
            var v = pFinite <= Alpha ? Verdict.NotReproduced : Verdict.Inconclusive;
            return new LogFit(v, $"{diverged} of {n} seeds diverged (p = {pFinite:F3} that a run stays finite)", double.NaN, pFinite, double.NaN,
                n, diverged, [finite.Length], 0, []);
        }

        var doc = points.Select(p => p.Scale.Apply(p.Documented.Center)).ToArray();
        var rounding2 = points.Select(p => Sq(p.Scale.Slope(p.Documented.Center) * (p.Documented.Hi - p.Documented.Lo)) / 12).ToArray();
        var y = finite.Select(v => v.Select((x, k) => points[k].Scale.Apply(x)).ToArray()).ToArray();
        // What each seed would look like printed as the document prints: the pseudo-documents of the calibration.
        var printed = finite.Select(v => v.Select((x, k) => points[k].Scale.Apply(points[k].Documented.Reprint(x).Center)).ToArray()).ToArray();
        var groups = points.Select(p => p.Group).Distinct().ToArray();
        var groupOf = points.Select(p => Array.IndexOf(groups, p.Group)).ToArray();

        var clusters = Clusters(y);
        Model Fit(IEnumerable<int> members) => Model.Of(members.Select(i => y[i]).ToArray(), groupOf, groups.Length, rounding2);
        var models = clusters.Select(c => Fit(c)).ToArray();

        var (dDoc, best) = Nearest(doc, models);

        // Leave one seed out: its printed log against the others (its own cluster refitted without it).
        var loo = new List<double>();
        var patterns = SignPatterns(groups.Length);
        var shifted = patterns.Select(_ => new List<double>()).ToArray();
        for (int c = 0; c < clusters.Count; c++)
            foreach (var i in clusters[c])
            {
                if (clusters[c].Count - 1 < 2) continue;
                var others = models.ToArray();
                others[c] = Fit(clusters[c].Where(m => m != i));
                loo.Add(Nearest(printed[i], others).D);
                for (int s = 0; s < patterns.Length; s++)
                {
                    var t = printed[i].Select((v, k) => v + margin * Math.Sqrt(others[c].Var[k]) * patterns[s][groupOf[k]]).ToArray();
                    shifted[s].Add(Nearest(t, others).D);
                }
            }
        double p = (1.0 + loo.Count(d => d >= dDoc)) / (loo.Count + 1);
        double z = Normal.InvCDF(0, 1, 1 - Alpha);
        double bound = shifted.Where(s => s.Count > 1).Select(s => Mean(s) - z * Sd(s)).DefaultIfEmpty(double.NegativeInfinity).Min();

        Verdict verdict; string decision;
        if (p <= Alpha) { verdict = Verdict.NotReproduced; decision = "rejected: the log is less plausible than every seed's own"; }
        else if (dDoc <= bound) { verdict = Verdict.Reproduced; decision = "equivalent within the margin"; }
        else { verdict = Verdict.Inconclusive; decision = "not rejected, but equivalence within the margin is not shown"; }

        var m = models[best];
        var fits = points.Select((pt, k) =>
        {
            double sd = Math.Sqrt(m.Var[k] * (1 + 1.0 / m.N) + rounding2[k]);
            return new PointFit(pt.Label, pt.Documented.Value, pt.Scale.Invert(m.Mean[k]),
                pt.Scale.Invert(m.Mean[k] - 1.96 * sd), pt.Scale.Invert(m.Mean[k] + 1.96 * sd), (doc[k] - m.Mean[k]) / sd);
        }).ToArray();
        return new LogFit(verdict, decision, dDoc, p, bound, finite.Length, diverged, clusters.Select(c => c.Count).ToArray(), best, fits);
    }

    /// <summary>Mean and moderated variance per point of a set of seeds, and the rounding variance of the document's points.</summary>
    sealed record Model(int N, double[] Mean, double[] Var, double[] Rounding2)
    {
        public static Model Of(double[][] y, int[] groupOf, int groups, double[] rounding2)
        {
            int n = y.Length, j = y[0].Length;
            var mean = new double[j]; var v = new double[j];
            for (int k = 0; k < j; k++)
            {
                double m = 0; for (int i = 0; i < n; i++) m += y[i][k];
                mean[k] = m / n;
                double s = 0; for (int i = 0; i < n; i++) s += Sq(y[i][k] - mean[k]);
                v[k] = n > 1 ? s / (n - 1) : 0;
            }
            var pooled = new double[groups]; var count = new int[groups];
            for (int k = 0; k < j; k++) { pooled[groupOf[k]] += v[k]; count[groupOf[k]]++; }
            var mod = new double[j];
            for (int k = 0; k < j; k++) mod[k] = Math.Max((v[k] + pooled[groupOf[k]] / count[groupOf[k]]) / 2, 1e-18);
            return new Model(n, mean, mod, rounding2);
        }

        public double D(double[] t)
        {
            double s = 0;
            for (int k = 0; k < t.Length; k++) s += Sq(t[k] - Mean[k]) / (Var[k] * (1 + 1.0 / N) + Rounding2[k]);
            return Math.Sqrt(s / t.Length);
        }
    }

    static (double D, int Cluster) Nearest(double[] t, Model[] models)
    {
        int best = 0; double d = double.PositiveInfinity;
        for (int c = 0; c < models.Length; c++) { var x = models[c].D(t); if (x < d) { d = x; best = c; } }
        return (d, best);
    }

    /// <summary>
    /// The directions in which the equivalence boundary is probed: every combination of +1/-1 per column (a shift by the
    /// margin is not symmetric for D around a given log, so a pattern and its negation are both kept); beyond four
    /// columns the later ones share the fourth's sign (at most 16 patterns).
    /// </summary>
    static double[][] SignPatterns(int groups)
    {
        int g = Math.Min(groups, 4);
        var list = new List<double[]>();
        for (int mask = 0; mask < 1 << g; mask++)
        {
            var s = new double[groups];
            for (int k = 0; k < groups; k++) s[k] = ((mask >> Math.Min(k, g - 1)) & 1) == 1 ? 1 : -1;
            list.Add(s);
        }
        return list.ToArray();
    }

    /// <summary>
    /// One cluster of all seeds, or two when two-means on the standardised logs finds two groups of at least 3 seeds whose
    /// centres are more than 4 within-cluster standard deviations apart (RMS over the points).
    /// </summary>
    internal static List<List<int>> Clusters(double[][] y)
    {
        int n = y.Length, j = y[0].Length;
        var all = Enumerable.Range(0, n).ToList();
        if (n < 6) return [all];
        var sd = new double[j];
        for (int k = 0; k < j; k++)
        {
            double m = y.Average(r => r[k]);
            sd[k] = Math.Sqrt(y.Sum(r => Sq(r[k] - m)) / (n - 1));
        }
        var u = y.Select(r => r.Select((v, k) => sd[k] > 0 ? v / sd[k] : 0).ToArray()).ToArray();
        double Dist(double[] a, double[] b) { double s = 0; for (int k = 0; k < j; k++) s += Sq(a[k] - b[k]); return s; }
        // start from the two seeds farthest apart
        int a0 = 0, b0 = 1; double far = -1;
        for (int i = 0; i < n; i++) for (int k = i + 1; k < n; k++) { var d = Dist(u[i], u[k]); if (d > far) { far = d; a0 = i; b0 = k; } }
        var ca = u[a0]; var cb = u[b0];
        var assign = new int[n];
        for (int iter = 0; iter < 50; iter++)
        {
            bool changed = false;
            for (int i = 0; i < n; i++) { int c = Dist(u[i], ca) <= Dist(u[i], cb) ? 0 : 1; if (c != assign[i]) { assign[i] = c; changed = true; } }
            var A = all.Where(i => assign[i] == 0).ToArray(); var B = all.Where(i => assign[i] == 1).ToArray();
            if (A.Length == 0 || B.Length == 0) return [all];
            ca = Centre(u, A); cb = Centre(u, B);
            if (!changed && iter > 0) break;
        }
        var ga = all.Where(i => assign[i] == 0).ToList(); var gb = all.Where(i => assign[i] == 1).ToList();
        if (ga.Count < 3 || gb.Count < 3) return [all];
        double within = (ga.Sum(i => Dist(u[i], ca)) + gb.Sum(i => Dist(u[i], cb))) / ((n - 2.0) * j);
        double between = Dist(ca, cb) / j;
        return between > 16 * within ? [ga, gb] : [all];
    }

    static double[] Centre(double[][] u, int[] members) =>
        Enumerable.Range(0, u[0].Length).Select(k => members.Average(i => u[i][k])).ToArray();

    static double Sq(double x) => x * x;
    static double Mean(List<double> x) => x.Average();
    static double Sd(List<double> x) { double m = x.Average(); return Math.Sqrt(x.Sum(v => Sq(v - m)) / (x.Count - 1)); }
}
