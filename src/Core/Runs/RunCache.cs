using System.Globalization;
using MnistClaims.Core.Training;

namespace MnistClaims.Core.Runs;

/// <summary>One run directory of the cache: where it is and what its name says it holds.</summary>
public sealed record CacheEntry(string Directory, string Profile, string ExperimentId, string ConfigHash, long Seed);

/// <summary>
/// Finished runs keyed by (profile, experiment, config hash, seed), so experiments shared by several claims, report
/// builds and re-runs train once. Layout, known only here: <c>.cache/runs/&lt;profile&gt;/&lt;experiment&gt;/&lt;hash&gt;-s&lt;seed&gt;/</c>,
/// where the profile names what decides the bits and the engine that runs the config (<see cref="HardwareProfile.For"/>).
/// A cached run whose manifest disagrees with the config it is asked for, or whose tables are incomplete, is never
/// reused. Tests do not use the cache: they check the code as it is.
/// </summary>
public sealed class RunCache(string root)
{
    public const string EnvVar = "MNIST_CLAIMS_RUNS";
    public string Root { get; } = root;

    public static RunCache Default() => new(
        Environment.GetEnvironmentVariable(EnvVar) is { Length: > 0 } r ? r : Path.Combine(RepoPaths.RequireRoot(), ".cache", "runs"));

    public string PathFor(string experimentId, TrainConfig cfg) => Path.Combine(Root, HardwareProfile.For(cfg), experimentId, EntryName(cfg.Hash, cfg.Seed));

    static string EntryName(string hash, long seed) => $"{hash}-s{seed.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>True when a complete run of <paramref name="cfg"/> is cached (its manifest and table files; nothing is read).</summary>
    public bool Contains(string experimentId, TrainConfig cfg) => TryLoad(experimentId, cfg, out _, out _);

    /// <summary>The cached run of <paramref name="cfg"/>; false for a missing, stale or damaged entry (which is retrained, never trusted).</summary>
    public bool TryLoad(string experimentId, TrainConfig cfg, out RunRecord run) => TryLoad(experimentId, cfg, out run, out _);

    /// <summary>
    /// As <see cref="TryLoad(string, TrainConfig, out RunRecord)"/>, with why an entry is not usable (null when there is
    /// none at all). Every table is read in full, so a truncated or corrupt entry is found here, not by a later reader.
    /// </summary>
    public bool TryLoad(string experimentId, TrainConfig cfg, out RunRecord run, out string? why)
    {
        run = null!; why = null;
        var dir = PathFor(experimentId, cfg);
        if (!Directory.Exists(dir)) return false;
        if (RunLock.IsHeld(dir)) { why = $"{dir}: being written by another process"; return false; }
        if (!RunStore.TryReadAll(dir, out var r, out why)) return false;
        if (r!.Manifest.ConfigHash != cfg.Hash || r.Manifest.Seed != cfg.Seed)
        {
            why = $"{dir}: manifest is for config {r.Manifest.ConfigHash} seed {r.Manifest.Seed}, expected {cfg.Hash} seed {cfg.Seed}";
            return false;
        }
        run = r;
        return true;
    }

    /// <summary>Every run directory cached for an experiment under a profile, whatever its configuration.</summary>
    public IEnumerable<CacheEntry> Entries(string profile, string experimentId)
    {
        var dir = Path.Combine(Root, profile, experimentId);
        if (!Directory.Exists(dir)) yield break;
        foreach (var sub in Directory.EnumerateDirectories(dir).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(sub);
            int dash = name.LastIndexOf("-s", StringComparison.Ordinal);
            if (dash != 16 || !name[..16].All(Uri.IsHexDigit) || !long.TryParse(name[(dash + 2)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seed)) continue;
            if (!RunStore.Exists(sub)) continue;
            yield return new CacheEntry(sub, profile, experimentId, name[..16], seed);
        }
    }

    /// <summary>Loads the run or trains it here, in this process, and stores it.</summary>
    public RunRecord GetOrTrain(string experimentId, TrainConfig cfg, MnistData data, ITrainObserver? observer = null)
    {
        if (TryLoad(experimentId, cfg, out var cached)) return cached;
        var dir = PathFor(experimentId, cfg);
        using var _ = RunLock.Acquire(dir);   // one writer per entry; fails naming the other writer
        RunStore.CheckTarget(dir, overwrite: true);
        var result = new Trainer(data).Run(cfg, observer);
        var manifest = Manifest.For(result, data.Checksums, experimentId: experimentId);
        return RunStore.Write(dir, result, manifest, overwrite: true);
    }
}
