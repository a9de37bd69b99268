using MnistClaims.Core.Runs;
using MnistClaims.Core.Training;

namespace MnistClaims.Claims;

/// <summary>Selects claims, makes sure their experiments have been run for every seed, and judges them.</summary>
public static class Judge
{
    public static IReadOnlyList<Claim> Select(IEnumerable<string>? documents, IEnumerable<string>? claimIds)
    {
        var docs = documents?.ToArray() ?? [];
        var ids = claimIds?.ToArray() ?? [];
        var unknownDocs = docs.Where(d => !Registry.Documents.Any(r => r.StartsWith(d, StringComparison.Ordinal))).ToArray();
        if (unknownDocs.Length > 0) throw new ArgumentException($"unknown document(s) {string.Join(", ", unknownDocs)}; expected a prefix of {string.Join(", ", Registry.Documents)}");
        foreach (var id in ids) Registry.Claim(id);   // throws for an unknown id
        return Registry.Claims
            .Where(c => docs.Length == 0 || docs.Any(d => c.Document.StartsWith(d, StringComparison.Ordinal)))
            .Where(c => ids.Length == 0 || ids.Contains(c.Id))
            .ToArray();
    }

    public static IReadOnlyList<Experiment> ExperimentsOf(IEnumerable<Claim> claims) =>
        claims.SelectMany(c => c.Experiments).Distinct().Select(Registry.Experiment).ToArray();

    /// <summary>Every claim judged in one context on runs already loaded (each experiment's runs in seed order; read once through <see cref="CachedRuns"/>).</summary>
    public static IReadOnlyList<VerdictRow> Evaluate(IEnumerable<Claim> claims, IReadOnlyDictionary<string, IReadOnlyList<RunRecord>> runs, MnistData? data)
    {
        var ctx = new ClaimContext(runs, data);
        return claims.Select(c => VerdictRow.Of(c, c.Evaluate(ctx))).ToArray();
    }
}
