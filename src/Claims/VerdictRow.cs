namespace MnistClaims.Claims;

/// <summary>One judged claim, as verdict tables, snapshots and reports show it.</summary>
public sealed record VerdictRow(
    string Id, string Document, string Kind, string Quote, string Metric, string Documented, string Measured,
    string Verdict, string Evidence, string Rule, IReadOnlyList<string> Assumptions, IReadOnlyList<string> Experiments,
    double? Mean, double? Std, double? Min, double? Max, int? Seeds)
{
    public static VerdictRow Of(Claim c, ClaimResult r) => new(c.Id, c.Document, c.Kind.ToString(), c.Quote, c.Metric, c.Documented, r.Measured,
        r.Verdict.Label(), r.Evidence, c.Rule, c.Assumptions, c.Experiments,
        r.Stats?.Mean, r.Stats?.Std, r.Stats?.Min, r.Stats?.Max, r.Stats?.N);
}
