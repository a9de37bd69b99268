namespace MnistClaims.Claims;

/// <summary>One judged claim, as verdict tables, snapshots and reports show it.</summary>
public sealed record VerdictRow(
    string Id, string Document, string Kind, string Quote, string Metric, string Documented, string Measured,
    string Verdict, string Evidence, string Rule, IReadOnlyList<string> Assumptions, IReadOnlyList<string> Experiments,
    double? Mean, double? Std, double? Min, double? Max, int? Seeds)
{
    /// <summary>Which test decided the verdict, with its statistic and threshold.</summary>
    public string Test { get; init; } = "";
    /// <summary>The band a single run of ours falls in on the rule's judging scale (charts draw it), when the claim has one.</summary>
    public double? BandLo { get; init; }
    public double? BandHi { get; init; }
    /// <summary>Every documented point of a log claim with our runs' 95% single-run band there.</summary>
    public IReadOnlyList<BandPoint> Band { get; init; } = [];

    public static VerdictRow Of(Claim c, ClaimResult r) => new(c.Id, c.Document, c.Kind.ToString(), c.Quote, c.Metric, c.Documented, r.Measured,
        r.Verdict.Label(), r.Evidence, c.Rule, c.Assumptions, c.Experiments,
        r.Stats?.Mean, r.Stats?.Std, r.Stats?.Min, r.Stats?.Max, r.Stats?.N)
    { Test = r.Test, BandLo = r.Stats?.Lo, BandHi = r.Stats?.Hi, Band = r.Band };
}
