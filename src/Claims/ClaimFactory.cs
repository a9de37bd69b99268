using System.Globalization;
using MnistClaims.Claims.Rule;
using MnistClaims.Core.Runs;

namespace MnistClaims.Claims;

/// <summary>One documented number of a log: what it measures on a run, how the document printed it, its judging scale and column.</summary>
public sealed record LoggedValue(string Label, string Column, RunMetric Metric, Printed Documented, MetricScale Scale);

/// <summary>
/// One documented run's numbers judged together (a training log of several columns over epochs, a table of epochs, or
/// the few figures a document prints for one run) against the runs of one experiment, by <see cref="WholeLogTest"/>.
/// Every claim made from the log shares its one verdict.
/// </summary>
public sealed record DocumentedLog(string Name, string Experiment, IReadOnlyList<LoggedValue> Values)
{
    public LogFit Fit(IReadOnlyList<RunRecord> runs) =>
        WholeLogTest.Judge(Values.Select(v => new LogPoint(v.Label, v.Column, v.Documented, v.Scale)).ToArray(),
            runs.Select(r => Values.Select(v => v.Metric.Read(r)).ToArray()).ToArray());

    /// <summary>
    /// The same log with its documented values replaced by what <paramref name="run"/> measured, printed as the document
    /// prints them: one of our runs as a pseudo-document (the calibration's known-right and known-wrong cases).
    /// </summary>
    public DocumentedLog PrintedFrom(RunRecord run, string experiment) => PrintedFrom(Matrix([run])[0], experiment);

    /// <summary>The same, from one run's values of this log's points (a row of <see cref="Matrix"/>).</summary>
    public DocumentedLog PrintedFrom(double[] measured, string experiment) => this with
    {
        Experiment = experiment,
        Values = Values.Select((v, i) => v with { Documented = v.Documented.Reprint(measured[i]) }).ToArray(),
    };

    /// <summary>The whole-log test against the runs' values given as a matrix (seed x point), with a chosen margin.</summary>
    public LogFit Fit(IReadOnlyList<double[]> seedValues, double margin) =>
        WholeLogTest.Judge(Values.Select(v => new LogPoint(v.Label, v.Column, v.Documented, v.Scale)).ToArray(), seedValues, margin);

    /// <summary>Each run's values of this log's points (seed x point).</summary>
    public double[][] Matrix(IEnumerable<RunRecord> runs) => runs.Select(r => Values.Select(v => v.Metric.Read(r)).ToArray()).ToArray();

    /// <summary>The fit in a claim context, computed once for every claim of the log.</summary>
    public LogFit Fit(ClaimContext ctx) => ctx.Memo(this, () => Fit(ctx.Runs(Experiment)));

    /// <summary>Per-epoch points of one epoch-table column.</summary>
    public static IEnumerable<LoggedValue> Column(EpochColumn column, MetricScale scale, IEnumerable<(int Epoch, Printed Value)> points) =>
        points.Select(p => new LoggedValue($"{column.Name}@{p.Epoch}", column.Name, Metrics.AtEpoch(column, p.Epoch), p.Value, scale));
}

/// <summary>One part of a relation: its statement and the effect test that judges it from the runs of each experiment.</summary>
public sealed record RelationPart(string Statement, Func<Func<string, IReadOnlyList<RunRecord>>, EffectFit> Judge)
{
    static double[] Read(IReadOnlyList<RunRecord> runs, RunMetric m) => runs.Select(m.Read).ToArray();

    /// <summary><paramref name="a"/> of experiment <paramref name="expA"/> is above (+1) or below (-1) <paramref name="b"/> of <paramref name="expB"/>, paired by seed.</summary>
    public static RelationPart Compare(string statement, string expA, RunMetric a, int direction, string expB, RunMetric b, MetricScale scale, double margin = EffectTest.DefaultMargin) =>
        new(statement, runs => EffectTest.Paired(statement, Read(runs(expA), a), Read(runs(expB), b), direction, scale, margin));

    /// <summary><paramref name="a"/> of <paramref name="exp"/> is above (+1) or below (-1) the fixed <paramref name="threshold"/>.</summary>
    public static RelationPart Against(string statement, string exp, RunMetric a, int direction, double threshold, MetricScale scale) =>
        new(statement, runs => EffectTest.Threshold(statement, Read(runs(exp), a), threshold, direction, scale));
}

/// <summary>Builders that turn a document's sentence into a judged <see cref="Claim"/>; one per claim kind.</summary>
public static class ClaimFactory
{
    public static readonly string LogRule =
        $"whole-log test (rule: src/Claims/Rule/WholeLogTest.cs): NOT REPRODUCED when the documented log is less plausible than each seed's own " +
        $"(leave-one-seed-out p <= {WholeLogTest.Alpha}); REPRODUCED when equivalent within {WholeLogTest.Margin} run-to-run sd per point; else INCONCLUSIVE";

    /// <summary>Both rules in one sentence, for the tops of verdict tables.</summary>
    public static string RulesText => $"logs and numbers: {LogRule}. Relations: {RelationRule}";

    public static readonly string RelationRule =
        $"paired effect in run-to-run sd with a 95% CI against a margin (src/Claims/Rule/EffectTest.cs): REPRODUCED when the CI lies beyond the margin in the claimed direction, " +
        $"NOT REPRODUCED when it lies short of it, else INCONCLUSIVE";

    /// <summary>
    /// A claim about one column of a documented log (or one documented number, a log of one point). Its verdict is the
    /// whole log's; its evidence shows this column's points.
    /// </summary>
    public static Claim LogClaim(string id, string doc, string quote, DocumentedLog log, string column, string definition, params string[] assumptions)
    {
        var mine = log.Values.Where(v => v.Column == column).ToArray();
        if (mine.Length == 0) throw new ArgumentException($"{id}: log {log.Name} has no column {column}");
        return new Claim
        {
            Id = id, Document = doc, Quote = quote, Kind = mine.Length > 1 ? ClaimKind.Curve : ClaimKind.Value, Experiments = [log.Experiment],
            Metric = $"{mine[0].Metric.Name.Split('@')[0]}: {definition}",
            Documented = string.Join(", ", mine.Select(v => v.Documented.Text)),
            Rule = log.Values.Count > mine.Length ? $"{LogRule}; one test over the whole log {log.Name} ({log.Values.Count} points) decides this claim with the log's other columns" : LogRule,
            Assumptions = assumptions,
            Evaluate = ctx =>
            {
                var fit = log.Fit(ctx);
                var runs = ctx.Runs(log.Experiment);
                var last = mine[^1];
                var stats = SeedStats.Of(runs.Select(last.Metric.Read).ToArray());
                var points = fit.Points.Where(p => mine.Any(v => v.Label == p.Label)).ToArray();
                if (points.Length > 0 && points[^1] is { } lp) stats = stats with { Lo = lp.BandLo, Hi = lp.BandHi };
                var worst = points.OrderByDescending(p => Math.Abs(p.Z)).Take(3);
                string evidence = points.Length == 0 ? fit.Decision
                    : $"{fit.Decision}; this column's largest deviations: {string.Join("; ", worst)}";
                var band = points.Select(p => new BandPoint(column, EpochOf(p.Label), p.Documented, p.Mean, p.BandLo, p.BandHi)).ToArray();
                return new ClaimResult(fit.Verdict, $"{last.Metric.Name} {stats}", evidence, stats) { Test = fit.Summary, Band = band };
            },
        };
    }

    /// <summary>The epoch of a per-epoch point's label (<c>column@epoch</c>); null for a single final number.</summary>
    static int? EpochOf(string label) =>
        label.LastIndexOf('@') is var at and >= 0 && int.TryParse(label[(at + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out var e) ? e : null;

    /// <summary>A single documented number: a log of one point.</summary>
    public static Claim Value(string id, string doc, string quote, string experiment, RunMetric metric, string definition, Printed documented, MetricScale scale,
        params string[] assumptions) =>
        LogClaim(id, doc, quote, new DocumentedLog(id, experiment, [new LoggedValue(metric.Name, metric.Name, metric, documented, scale)]), metric.Name, definition, assumptions);

    /// <summary>
    /// Which configuration produced a documented log: the reading the registry takes (<paramref name="readings"/>[0]) or one
    /// of the named alternatives, each judged by the whole-log test against its own runs. REPRODUCED when the registry's
    /// reading is not rejected and every alternative is; NOT REPRODUCED when it is rejected and some alternative is not;
    /// INCONCLUSIVE otherwise. The evidence lists every reading's D, p-value and verdict (the strength of evidence) and
    /// which fits best.
    /// </summary>
    public static Claim WhichReading(string id, string doc, string quote, string statement, IReadOnlyList<(string Label, DocumentedLog Log)> readings, params string[] assumptions) => new()
    {
        Id = id, Document = doc, Quote = quote, Kind = ClaimKind.Relation, Experiments = readings.Select(r => r.Log.Experiment).Distinct().ToArray(),
        Metric = statement, Documented = readings[0].Label,
        Rule = $"{LogRule}, for every reading; REPRODUCED when only the alternatives are rejected, NOT REPRODUCED when {readings[0].Label} is and some alternative is not, else INCONCLUSIVE",
        Assumptions = assumptions,
        Evaluate = ctx =>
        {
            var fits = readings.Select(r => (r.Label, Fit: r.Log.Fit(ctx))).ToArray();
            bool claimedRejected = fits[0].Fit.Verdict == Verdict.NotReproduced;
            bool othersRejected = fits.Skip(1).All(f => f.Fit.Verdict == Verdict.NotReproduced);
            var v = !claimedRejected && othersRejected ? Verdict.Reproduced : claimedRejected && !othersRejected ? Verdict.NotReproduced : Verdict.Inconclusive;
            var best = fits.OrderBy(f => f.Fit.Statistic).First();
            var each = string.Join("; ", fits.Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.Label}: {f.Fit.Verdict.Label()}, D = {f.Fit.Statistic:F2}, p = {f.Fit.PValue:F3}")));
            return new ClaimResult(v, string.Create(CultureInfo.InvariantCulture, $"fits {best.Label} best (D {best.Fit.Statistic:F2})"), each)
                { Test = string.Join("; ", fits.Select(f => $"{f.Label}: {f.Fit.Summary}")) };
        },
    };

    /// <summary>Two readings: the one the document states and one alternative (see <see cref="WhichReading"/>).</summary>
    public static Claim WhichFits(string id, string doc, string quote, string statement, DocumentedLog claimed, string claimedLabel,
        DocumentedLog alternative, string alternativeLabel, params string[] assumptions) =>
        WhichReading(id, doc, quote, statement, [(claimedLabel, claimed), (alternativeLabel, alternative)], assumptions);

    /// <summary>A comparison the document states; every part must hold (<see cref="EffectTest.All"/>).</summary>
    public static Claim Relation(string id, string doc, string quote, IReadOnlyList<string> experiments, string statement, RelationPart[] parts, params string[] assumptions) => new()
    {
        Id = id, Document = doc, Quote = quote, Kind = ClaimKind.Relation, Experiments = experiments,
        Metric = statement, Documented = "holds", Rule = RelationRule, Assumptions = assumptions,
        Evaluate = ctx =>
        {
            var fits = parts.Select(p => p.Judge(ctx.Runs)).ToArray();
            var verdict = EffectTest.All(fits.Select(f => f.Verdict));
            var measured = string.Join("; ", fits.Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.Effect:+0.00;-0.00} sd [{f.Lo:+0.00;-0.00}, {f.Hi:+0.00;-0.00}]")));
            return new ClaimResult(verdict, measured, string.Join("; ", fits.Select(f => $"{f.Verdict.Label()}: {f.Summary}")))
                { Test = string.Join("; ", fits.Select(f => f.Summary)) };
        },
    };

    /// <summary>
    /// The document against itself: arithmetic on its own numbers. <see cref="Verdict.WithinNoise"/> when the difference
    /// it rests on is smaller than the document's own run-to-run noise (it neither supports nor contradicts the sentence).
    /// </summary>
    public static Claim Consistency(string id, string doc, string quote, string statement, Func<(Verdict Verdict, string Arithmetic)> check) => new()
    {
        Id = id, Document = doc, Quote = quote, Kind = ClaimKind.Consistency,
        Metric = statement, Documented = "(the document's own numbers)", Rule = "arithmetic on the document's figures; differences inside the document's own run-to-run spread are WITHIN NOISE",
        Evaluate = _ =>
        {
            var (v, arithmetic) = check();
            return new ClaimResult(v, v.Label().ToLowerInvariant(), arithmetic) { Test = "arithmetic on the document's figures" };
        },
    };

    /// <summary>Consistent or not, for checks with no noise involved.</summary>
    public static Claim Consistency(string id, string doc, string quote, string statement, Func<(bool Consistent, string Arithmetic)> check) =>
        Consistency(id, doc, quote, statement, () => { var (ok, a) = check(); return (ok ? Verdict.Consistent : Verdict.Inconsistent, a); });

    /// <summary>A fact checked exactly against the data or the model.</summary>
    public static Claim Exact(string id, string doc, string quote, string metric, string documented,
        Func<ClaimContext, (bool Equal, string Measured)> check) => new()
    {
        Id = id, Document = doc, Quote = quote, Kind = ClaimKind.Exact,
        Metric = metric, Documented = documented, Rule = "exact equality",
        Evaluate = ctx =>
        {
            var (eq, measured) = check(ctx);
            return new ClaimResult(eq ? Verdict.Reproduced : Verdict.NotReproduced, measured, eq ? "equal" : $"documented {documented}, measured {measured}") { Test = "exact equality" };
        },
    };

    /// <summary>
    /// A claim whose verdict is fixed before any training (times on other hardware, a count the document makes impossible,
    /// a buggy implementation against a correct one): judged like <paramref name="inner"/>, reported apart with why.
    /// </summary>
    public static Claim ByConstruction(Claim inner, string why) => inner with
    {
        Kind = ClaimKind.ByConstruction,
        Rule = $"{inner.Rule}; by construction: {why}",
        Evaluate = ctx => { var r = inner.Evaluate(ctx); return r with { Evidence = $"by construction ({why}); {r.Evidence}" }; },
    };

    public static string Pct(long num, long den) => (100.0 * num / den).ToString("F2", CultureInfo.InvariantCulture) + "%";
}
