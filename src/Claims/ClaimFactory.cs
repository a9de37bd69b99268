using System.Globalization;
using System.Text;

namespace MnistClaims.Claims;

/// <summary>Builders that turn a document's sentence into a judged <see cref="Claim"/>; one per claim kind.</summary>
public static class ClaimFactory
{
    static string F(double x) => SeedStats.Fmt(x);

    /// <summary>One reported number, judged by <see cref="VerdictRule"/>.</summary>
    public static Claim Value(string id, string doc, string quote, string experiment, RunMetric metric, string definition,
        Printed documented, params string[] assumptions) => new()
    {
        Id = id, Document = doc, Quote = quote, Kind = ClaimKind.Value, Experiments = [experiment],
        Metric = $"{metric.Name}: {definition}", Documented = documented.Describe(), Rule = VerdictRule.Text, Assumptions = assumptions,
        Evaluate = ctx =>
        {
            var values = ctx.Runs(experiment).Select(metric.Read).ToArray();
            var s = VerdictRule.Summarize(values);
            if (double.IsNaN(s.Mean))
                return new ClaimResult(Verdict.NotReproduced, $"{values.Count(v => !double.IsFinite(v))}/{values.Length} seeds diverged", "the metric is undefined for diverged runs", s);
            bool ok = VerdictRule.Reproduces(documented, s);
            return new ClaimResult(ok ? Verdict.Reproduced : Verdict.NotReproduced, s.ToString(),
                $"documented {documented.Describe()}; acceptance interval [{F(s.Lo)}, {F(s.Hi)}] from {s.N} seed(s)", s);
        },
    };

    /// <summary>
    /// A per-epoch curve: every documented point must fall in its epoch's acceptance interval
    /// (Bonferroni-corrected across the curve's points, see <see cref="VerdictRule"/>).
    /// </summary>
    public static Claim Curve(string id, string doc, string quote, string experiment, Core.Runs.EpochColumn column, string definition,
        IReadOnlyList<(int Epoch, Printed Value)> points, params string[] assumptions) => new()
    {
        Id = id, Document = doc, Quote = quote, Kind = ClaimKind.Curve, Experiments = [experiment],
        Metric = $"{column} per epoch: {definition}",
        Documented = string.Join(", ", points.Select(p => p.Value.Text)),
        Rule = $"every epoch: {VerdictRule.Text}; Bonferroni a/{points.Count} per point", Assumptions = assumptions,
        Evaluate = ctx =>
        {
            var runs = ctx.Runs(experiment);
            var outside = new List<string>();
            SeedStats? last = null;
            foreach (var (epoch, value) in points)
            {
                var s = VerdictRule.Summarize(runs.Select(Metrics.AtEpoch(column, epoch).Read).ToArray(), points.Count);
                last = s;
                if (double.IsNaN(s.Mean) || !VerdictRule.Reproduces(value, s))
                    outside.Add($"epoch {epoch}: documented {value.Text}, measured {s} (interval [{F(s.Lo)}, {F(s.Hi)}])");
            }
            int inside = points.Count - outside.Count;
            var evidence = new StringBuilder($"{inside}/{points.Count} epochs inside their interval");
            if (outside.Count > 0) evidence.Append("; outside: ").Append(string.Join("; ", outside));
            return new ClaimResult(outside.Count == 0 ? Verdict.Reproduced : Verdict.NotReproduced,
                $"{inside}/{points.Count} epochs; last epoch {last}", evidence.ToString(), last);
        },
    };

    /// <summary>
    /// A comparison the document states, checked seed by seed (runs with the same seed are paired).
    /// Reproduced only when it holds for every seed; the evidence says for how many it held.
    /// </summary>
    public static Claim Relation(string id, string doc, string quote, IReadOnlyList<string> experiments, string statement,
        Func<Func<string, Core.Runs.RunRecord>, (bool Holds, string Values)> holds, params string[] assumptions) => new()
    {
        Id = id, Document = doc, Quote = quote, Kind = ClaimKind.Relation, Experiments = experiments,
        Metric = statement, Documented = "holds", Rule = "holds for every seed (runs paired by seed)", Assumptions = assumptions,
        Evaluate = ctx =>
        {
            int n = experiments.Min(e => ctx.Runs(e).Count);
            int held = 0; var parts = new List<string>();
            for (int i = 0; i < n; i++)
            {
                int seed = i;
                var (ok, values) = holds(e => ctx.Runs(e)[seed]);
                if (ok) held++;
                parts.Add($"seed {ctx.Runs(experiments[0])[seed].Manifest.Seed}: {(ok ? "holds" : "fails")} ({values})");
            }
            return new ClaimResult(held == n ? Verdict.Reproduced : Verdict.NotReproduced, $"holds for {held}/{n} seeds", string.Join("; ", parts));
        },
    };

    /// <summary>The document against itself: pure arithmetic on its own numbers.</summary>
    public static Claim Consistency(string id, string doc, string quote, string statement, Func<(bool Consistent, string Arithmetic)> check) => new()
    {
        Id = id, Document = doc, Quote = quote, Kind = ClaimKind.Consistency,
        Metric = statement, Documented = "(the document's own numbers)", Rule = "arithmetic on the document's figures",
        Evaluate = _ =>
        {
            var (ok, arithmetic) = check();
            return new ClaimResult(ok ? Verdict.Consistent : Verdict.Inconsistent, ok ? "consistent" : "inconsistent", arithmetic);
        },
    };

    /// <summary>A fact checked exactly against the data or the model.</summary>
    public static Claim Exact(string id, string doc, string quote, string metric, string documented,
        Func<ClaimContext, (bool Equal, string Measured)> check) => new()
    {
        Id = id, Document = doc, Quote = quote, Kind = ClaimKind.Exact,
        Metric = metric, Documented = documented, Rule = "exact equality",
        Evaluate = ctx =>
        {
            var (eq, measured) = check(ctx);
            return new ClaimResult(eq ? Verdict.Reproduced : Verdict.NotReproduced, measured, eq ? "equal" : $"documented {documented}, measured {measured}");
        },
    };

    public static string Pct(long num, long den) => (100.0 * num / den).ToString("F2", CultureInfo.InvariantCulture) + "%";
}
