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

    /// <summary>The runs a set of experiments needs that are not in the cache yet (seeds per experiment).</summary>
    public static IReadOnlyList<RunJob> Missing(IEnumerable<Experiment> experiments, Func<Experiment, IReadOnlyList<long>> seeds, RunCache cache, Func<Experiment, long, TrainConfig> config) =>
        experiments.SelectMany(e => seeds(e).Select(s => (e, cfg: config(e, s))))
            .Where(x => !cache.Contains(x.e.Id, x.cfg))
            .Select(x => new RunJob(x.e, x.cfg, cache.PathFor(x.e.Id, x.cfg)))
            .ToArray();

    public static IReadOnlyList<RunJob> Missing(IEnumerable<Experiment> experiments, IReadOnlyList<long> seeds, RunCache cache, Func<Experiment, long, TrainConfig> config) =>
        Missing(experiments, _ => seeds, cache, config);

    /// <summary>The cached runs of every experiment the claims need, then every claim judged in one context (a log's test runs once).</summary>
    public static IReadOnlyList<VerdictRow> Evaluate(IEnumerable<Claim> claims, Func<Experiment, IReadOnlyList<long>> seeds, RunCache cache, MnistData? data,
        Func<Experiment, long, TrainConfig> config)
    {
        var list = claims.ToArray();
        var runs = new Dictionary<string, IReadOnlyList<RunRecord>>();
        foreach (var id in list.SelectMany(c => c.Experiments).Distinct())
        {
            var e = Registry.Experiment(id);
            runs[id] = seeds(e).Select(s => cache.TryLoad(id, config(e, s), out var r) ? r
                : throw new InvalidOperationException($"run of {id} seed {s} is missing from {cache.Root}")).ToArray();
        }
        return Evaluate(list, runs, data);
    }

    /// <summary>Every claim judged in one context on runs already loaded (each experiment's runs in seed order; see <see cref="CachedRuns"/>).</summary>
    public static IReadOnlyList<VerdictRow> Evaluate(IEnumerable<Claim> claims, IReadOnlyDictionary<string, IReadOnlyList<RunRecord>> runs, MnistData? data)
    {
        var ctx = new ClaimContext(runs, data);
        return claims.Select(c => VerdictRow.Of(c, c.Evaluate(ctx))).ToArray();
    }

    public static IReadOnlyList<VerdictRow> Evaluate(IEnumerable<Claim> claims, IReadOnlyList<long> seeds, RunCache cache, MnistData? data,
        Func<Experiment, long, TrainConfig> config) => Evaluate(claims, _ => seeds, cache, data, config);
}
