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

    /// <summary>The cache at <paramref name="root"/> (a command's <c>--cache DIR</c>), else the default one.</summary>
    public static RunCache Open(string? root) => root is null ? Default() : new(Path.GetFullPath(root));

    public string PathFor(string experimentId, TrainConfig cfg) => Path.Combine(Root, HardwareProfile.For(cfg), experimentId, EntryName(cfg.Hash, cfg.Seed));

    public static string EntryName(string hash, long seed) => $"{hash}-s{seed.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The config hash and seed an entry's directory name says it holds (<c>&lt;16 hex&gt;-s&lt;seed&gt;</c>); false for any other name.</summary>
    public static bool TryParseEntryName(string name, out string hash, out long seed)
    {
        hash = ""; seed = 0;
        int dash = name.LastIndexOf("-s", StringComparison.Ordinal);
        if (dash != 16 || !name[..16].All(Uri.IsHexDigit) || !long.TryParse(name[(dash + 2)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out seed)) return false;
        hash = name[..16];
        return true;
    }

    /// <summary>
    /// True when a complete run of <paramref name="cfg"/> is cached. It reads the entry in full (see <see cref="TryLoad(string, TrainConfig, out RunRecord, out string?)"/>):
    /// a caller that goes on to use the run loads it once with TryLoad instead.
    /// </summary>
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
        return TryVerify(new CacheEntry(dir, HardwareProfile.For(cfg), experimentId, cfg.Hash, cfg.Seed), out run, out why);
    }

    /// <summary>
    /// The checks an entry passes before anything trusts it, wherever it came from (this cache's reads, <c>harness merge</c>'s
    /// copies): no live writer holds it, every table reads in full, and its manifest is for the configuration, seed, profile
    /// and experiment its place in the layout says. False with the reason otherwise.
    /// </summary>
    public static bool TryVerify(CacheEntry entry, out RunRecord run, out string? why)
    {
        run = null!;
        var dir = entry.Directory;
        if (RunLock.IsHeld(dir)) { why = $"{dir}: being written by another process"; return false; }
        if (!RunStore.TryReadAll(dir, out var r, out why)) return false;
        var m = r!.Manifest;
        if (m.ConfigHash != entry.ConfigHash || m.Seed != entry.Seed)
            why = $"{dir}: manifest is for config {m.ConfigHash} seed {m.Seed}, expected {entry.ConfigHash} seed {entry.Seed}";
        else if (m.Profile != entry.Profile)
            why = $"{dir}: manifest is for profile {m.Profile}, filed under {entry.Profile}";
        else if (m.ExperimentId is { } id && id != entry.ExperimentId)   // manifests written before the id was recorded have none
            why = $"{dir}: manifest is for experiment {id}, filed under {entry.ExperimentId}";
        else { run = r; return true; }
        return false;
    }

    /// <summary>Every run directory cached for an experiment under a profile, whatever its configuration.</summary>
    public IEnumerable<CacheEntry> Entries(string profile, string experimentId)
    {
        var dir = Path.Combine(Root, profile, experimentId);
        if (!Directory.Exists(dir)) yield break;
        foreach (var sub in Directory.EnumerateDirectories(dir).Order(StringComparer.Ordinal))
        {
            if (!TryParseEntryName(Path.GetFileName(sub), out var hash, out var seed)) continue;
            if (!RunStore.Exists(sub)) continue;
            yield return new CacheEntry(sub, profile, experimentId, hash, seed);
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
