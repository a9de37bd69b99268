using System.Globalization;
using System.Text;
using System.Text.Json;
using MnistClaims.Claims.Rule;
using MnistClaims.Common;

namespace MnistClaims.Claims.Calibration;

/// <summary>
/// reports/calibration.md and .json: the rule's measured error rates per document, at the margin the claims use and at the
/// margins scanned beside it, the power at smaller N, the pairs the rule cannot tell apart, and the replicate logs' verdicts.
/// </summary>
public sealed record CalibrationReport(string Profile, int Seeds, double Margin, IReadOnlyList<SetCalibration> AtMargin,
    IReadOnlyList<SetCalibration> Scan, IReadOnlyList<SetCalibration> Power, DateTimeOffset Generated, CalibrationValues Values)
{
    /// <summary>Measures every set at the claims' margin (<see cref="WholeLogTest.Margin"/>), at each scanned margin, and at the smaller N.</summary>
    public static CalibrationReport Compute(IReadOnlyList<CalibrationSet> sets, CalibrationValues values, string profile, int seeds,
        IReadOnlyList<double> margins, IReadOnlyList<int> powerSeeds)
    {
        // Each document at the largest N its runs allow, up to the requested one.
        int N(CalibrationSet s) => Math.Min(seeds, values.SeedsOf(s));
        var atMargin = sets.Select(s => Calibrator.Run(s, values, WholeLogTest.Margin, N(s))).ToArray();
        var scan = margins.SelectMany(m => sets.Select(s => Calibrator.Run(s, values, m, N(s)))).ToArray();
        var power = powerSeeds.SelectMany(n => sets.Select((s, i) => (s, i)).Where(x => n < N(x.s))
            .Select(x => Calibrator.Run(x.s, values, WholeLogTest.Margin, n, separatedAt: atMargin[x.i]))).ToArray();
        return new CalibrationReport(profile, seeds, WholeLogTest.Margin, atMargin, scan, power, DateTimeOffset.UtcNow, values);
    }

    public const double TargetFalseAccept = 0.05, TargetFalseReject = 0.05;

    public bool WithinTarget(SetCalibration s) =>
        !(s.Rates.FalseAcceptRate > TargetFalseAccept) && !(s.Rates.FalseRejectRate > TargetFalseReject)
        && !(s.Rates.PseudoFalseAcceptRate > TargetFalseAccept) && !(s.Rates.PseudoFalseRejectRate > TargetFalseReject);

    static string P(double x) => Calibrator.Pct(x);
    static string F(double x) => x.ToString("0.##", CultureInfo.InvariantCulture);

    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        sb.AppendLine("# Calibration of the verdict rule").AppendLine();
        sb.AppendLine($"Profile `{Profile}`, N = {string.Join(", ", AtMargin.Select(s => $"{s.Rates.Seeds} seeds per experiment for {s.Document[..3]}"))}, generated {Generated:yyyy-MM-dd HH:mm} UTC by `harness calibrate` (also run by `make reproduce`).").AppendLine();
        sb.AppendLine($"The rule (`src/Claims/Rule/WholeLogTest.cs`): a documented log is NOT REPRODUCED when its leave-one-seed-out p-value is at most {WholeLogTest.Alpha}, " +
                      $"REPRODUCED when it is equivalent to our runs within a margin of {F(Margin)} run-to-run standard deviations per point (alpha {WholeLogTest.Alpha}), INCONCLUSIVE otherwise.").AppendLine();
        sb.AppendLine("Known-wrong cases: every documented log against every other experiment of its document, and every run of ours as a pseudo-document (printed as the document prints) " +
                      "against every other experiment. A wrong pairing counts only when the two configurations are **distinguishable** at this N: the rule rejects at least half of the other configuration's runs as documents. " +
                      "Known-right cases: every run of ours against the other seeds of its experiment, and 002's seven replicate logs of its base configuration against that configuration.").AppendLine();
        sb.AppendLine($"Targets: false-accept <= {P(TargetFalseAccept)}, false-reject <= {P(TargetFalseReject)}.").AppendLine();

        sb.AppendLine("## Rates at the margin the claims use").AppendLine();
        RatesTable(sb, AtMargin);
        sb.AppendLine().AppendLine("## Margins scanned (the claims use 2 run-to-run sd: one documented run spreads +-1.96 sd around its configuration's mean, so a configuration closer than that cannot be told apart by one run. Larger margins turn INCONCLUSIVE into REPRODUCED until false-accept equals 1 - power; smaller ones leave right configurations INCONCLUSIVE)").AppendLine();
        RatesTable(sb, Scan);
        sb.AppendLine().AppendLine("## Power at smaller N (pseudo-documents of the configurations distinguishable at the full N, judged NOT REPRODUCED; with N seeds the smallest leave-one-seed-out p-value is 1/(N+1), so below N = 19 the rule cannot reject at 0.05)").AppendLine();
        sb.AppendLine("| document | N | power | false-reject (pseudo) | right shown equivalent |").AppendLine("|---|---:|---:|---:|---:|");
        foreach (var s in Power)
            sb.AppendLine($"| {s.Document[..3]} | {s.Rates.Seeds} | {P(s.Rates.Power)} | {P(s.Rates.PseudoFalseRejectRate)} | {P(s.Rates.RightReproducedRate)} |");

        foreach (var s in AtMargin)
        {
            sb.AppendLine().AppendLine($"## {s.Document}: pairs of configurations").AppendLine();
            var ind = s.Separations.Where(x => x.A != x.B && !x.Distinguishable).ToArray();
            sb.AppendLine($"Indistinguishable at N = {s.Rates.Seeds} ({ind.Length} ordered pairs; REPRODUCED is no error for them): " +
                          (ind.Length == 0 ? "none." : string.Join(", ", ind.Select(x => $"`{x.B}` as `{x.A}` (rejected {P(x.RejectionRate)})")) + "."));
            sb.AppendLine().AppendLine("| documented log | produced by | judged against | distinguishable | verdict | D |").AppendLine("|---|---|---|---|---|---:|");
            foreach (var p in s.Pairings.Where(p => p.SameConfiguration || p.Distinguishable || p.Verdict == Verdict.Reproduced))
                sb.AppendLine($"| {p.Log} | `{p.LogExperiment}` | `{p.JudgedAgainst}` | {(p.SameConfiguration ? "same" : p.Distinguishable ? "yes" : "no")} | {p.Verdict.Label()} | {p.Statistic.ToString("F2", CultureInfo.InvariantCulture)} |");
        }
        return sb.ToString();
    }

    void RatesTable(StringBuilder sb, IEnumerable<SetCalibration> sets)
    {
        sb.AppendLine("| document | N | margin | false-accept (document logs) | false-reject (replicate logs) | false-accept (pseudo) | false-reject (pseudo) | right shown equivalent | power | within target |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var s in sets)
        {
            var r = s.Rates;
            sb.AppendLine($"| {s.Document[..3]} | {r.Seeds} | {F(r.Margin)} | {P(r.FalseAcceptRate)} ({r.FalseAccepts}/{r.WrongPairings}) | {P(r.FalseRejectRate)} ({r.FalseRejects}/{r.RightPairings}) | " +
                          $"{P(r.PseudoFalseAcceptRate)} ({r.PseudoFalseAccepts}/{r.PseudoWrong}) | {P(r.PseudoFalseRejectRate)} ({r.PseudoFalseRejects}/{r.PseudoRight}) | " +
                          $"{P(r.RightReproducedRate)} | {P(r.Power)} | {(WithinTarget(s) ? "yes" : "**no**")} |");
        }
    }

    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(new
    {
        Profile, Seeds, Margin, alpha = WholeLogTest.Alpha, target_false_accept = TargetFalseAccept, target_false_reject = TargetFalseReject, Generated,
        at_margin = AtMargin.Select(s => new { s.Document, s.Rates, within_target = WithinTarget(s), false_accept_rate = s.Rates.FalseAcceptRate, false_reject_rate = s.Rates.FalseRejectRate,
            pseudo_false_accept_rate = s.Rates.PseudoFalseAcceptRate, pseudo_false_reject_rate = s.Rates.PseudoFalseRejectRate, power = s.Rates.Power,
            indistinguishable = s.Separations.Where(x => x.A != x.B && !x.Distinguishable), s.Pairings }),
        scan = Scan.Select(s => new { s.Document, s.Rates, within_target = WithinTarget(s) }),
        power = Power.Select(s => new { s.Document, s.Rates.Seeds, s.Rates.Power, pseudo_false_reject_rate = s.Rates.PseudoFalseRejectRate }),
    }, Json);

    public void Write(string directory)
    {
        Directory.CreateDirectory(directory);
        AtomicFile.WriteAllText(Path.Combine(directory, "calibration.md"), ToMarkdown());
        AtomicFile.WriteAllText(Path.Combine(directory, "calibration.json"), ToJson());
        var values = Path.Combine(directory, CalibrationValues.FileName);
        Values.Write(values);
    }
}
