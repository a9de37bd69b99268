using MnistClaims.Core.Runs;
using MnistClaims.Core.Training;

namespace MnistClaims.Claims;

/// <summary>
/// The runs a judgement needs, each read from the cache once. Before, a cached run was read in full when the cached seeds
/// were counted, again when the missing runs were listed, again when the claims were judged and again by the
/// calibration; now <see cref="Load"/> reads each entry once with the cache's checks (a damaged or stale entry is never
/// trusted: it is listed as missing and retrained), <see cref="AddTrained"/> reads the runs trained since, and the judge
/// and the calibration take their runs from here.
/// </summary>
public sealed class CachedRuns
{
    readonly Dictionary<(string Experiment, long Seed), RunRecord> _runs = [];
    readonly List<RunJob> _missing = [];
    readonly RunCache _cache;

    CachedRuns(RunCache cache) => _cache = cache;

    /// <summary>The runs that were not in the cache (or not usable) when loaded, still to train.</summary>
    public IReadOnlyList<RunJob> Missing => _missing;

    /// <summary>
    /// Reads the cached run of every experiment and seed. With <paramref name="prefixOnly"/> an experiment's seeds are read
    /// only up to its first missing one (what <c>--no-train</c> judges with: the seeds 1..k). Runs that <paramref name="reuse"/>
    /// holds for the same configuration are taken from it, not read again.
    /// </summary>
    public static CachedRuns Load(RunCache cache, IEnumerable<Experiment> experiments, Func<Experiment, IReadOnlyList<long>> seeds,
        Func<Experiment, long, TrainConfig> config, bool prefixOnly = false, CachedRuns? reuse = null)
    {
        var set = new CachedRuns(cache);
        foreach (var e in experiments)
            foreach (var s in seeds(e))
            {
                var cfg = config(e, s);
                if (reuse is not null && reuse.TryGet(e.Id, s, cfg, out var had)) set._runs[(e.Id, s)] = had;
                else if (cache.TryLoad(e.Id, cfg, out var run)) set._runs[(e.Id, s)] = run;
                else
                {
                    set._missing.Add(new RunJob(e, cfg, cache.PathFor(e.Id, cfg)));
                    if (prefixOnly) break;
                }
            }
        return set;
    }

    /// <summary>Reads the runs trained since <see cref="Load"/> (once each); one that is still not usable is an error naming it.</summary>
    public void AddTrained()
    {
        foreach (var j in _missing)
            _runs[(j.Experiment.Id, j.Config.Seed)] = _cache.TryLoad(j.Experiment.Id, j.Config, out var run, out var why) ? run
                : throw new InvalidDataException(why ?? $"run of {j.Experiment.Id} seed {j.Config.Seed} is missing from {_cache.Root} after training");
        _missing.Clear();
    }

    /// <summary>The seeds 1..k of <paramref name="wanted"/> that are loaded, up to the first that is not.</summary>
    public IReadOnlyList<long> Prefix(Experiment e, IReadOnlyList<long> wanted) => wanted.TakeWhile(s => _runs.ContainsKey((e.Id, s))).ToArray();

    public bool TryGet(string experiment, long seed, TrainConfig config, out RunRecord run) =>
        _runs.TryGetValue((experiment, seed), out run!) && run.Manifest.ConfigHash == config.Hash;

    /// <summary>The runs of each experiment for its seeds, in seed order; a run not loaded is an error naming it.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<RunRecord>> For(IEnumerable<Experiment> experiments, Func<Experiment, IReadOnlyList<long>> seeds) =>
        experiments.ToDictionary(e => e.Id, e => (IReadOnlyList<RunRecord>)seeds(e).Select(s => _runs.TryGetValue((e.Id, s), out var r) ? r
            : throw new InvalidDataException($"run of {e.Id} seed {s} is missing from {_cache.Root}")).ToArray());
}
