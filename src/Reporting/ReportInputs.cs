using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using MnistClaims.Data;
using MnistClaims.Claims;
using MnistClaims.Core.Runs;
using MnistClaims.Core.Training;
using MnistClaims.Storage.Parquet;
using MnistClaims.Snapshots;

namespace MnistClaims.Reporting;

/// <summary>What <c>harness report</c> reads and where it writes.</summary>
public sealed record ReportOptions
{
    /// <summary>Directory that receives index.html, index.md and img/.</summary>
    public required string OutDir { get; init; }
    /// <summary>verdicts.json from <c>harness reproduce</c>; a missing file is reported in the page, not an error.</summary>
    public string? VerdictsPath { get; init; }
    public required string Profile { get; init; }
    /// <summary>The run cache root (its subdirectories are profiles).</summary>
    public required string RunsRoot { get; init; }
    /// <summary>Only these seeds (default: the seeds of verdicts.json, else every cached seed).</summary>
    public IReadOnlyList<long>? Seeds { get; init; }
    /// <summary>MNIST directory for digit images and class counts (null: the default location); missing files only omit those parts.</summary>
    public string? DataDir { get; init; }
    /// <summary>baselines/ (profiles under it); null or missing: no cross-profile section.</summary>
    public string? BaselinesDir { get; init; }
    /// <summary>Charts drawn at a time.</summary>
    public int Parallel { get; init; } = 2;
    /// <summary>The baseline diff of one table between two profile directories (data the report renders); see <see cref="BaselineDiffHook"/>.</summary>
    public Func<string, string, string, DiffReport>? BaselineDiff { get; init; } = BaselineDiffHook.Find();
    public IReadOnlyList<Experiment> Experiments { get; init; } = Registry.Experiments;
    public IReadOnlyList<Claim> Claims { get; init; } = Registry.Claims;
    public IReadOnlyList<string> Documents { get; init; } = Registry.Documents;
    public TextWriter? Log { get; init; }
}

/// <summary>
/// The hook through which the report includes a <see cref="Snapshots.BaselineDiff"/>: the same comparison as
/// <c>harness diff baselines/A baselines/B --tables T</c> (exact, timing columns ignored), handed over as data.
/// Replace <see cref="ReportOptions.BaselineDiff"/> to change it.
/// </summary>
public static class BaselineDiffHook
{
    public static Func<string, string, string, DiffReport>? Find() => (a, b, table) => Snapshots.BaselineDiff.Diff(a, b, new DiffOptions
    {
        Tables = [table],
        Tolerances = new ToleranceSet(new Tolerance(0, 0), ["train_seconds", "eval_seconds", "seconds"]),
    });
}

/// <summary>The cached runs of one experiment that match its registry configuration.</summary>
public sealed record ExperimentRuns(Experiment Experiment, IReadOnlyList<RunRecord> Runs, IReadOnlyList<string> Notes);

public static partial class ReportInputs
{
    /// <summary>
    /// Reads verdicts.json; null when the file does not exist. A file that is not a verdict report is an
    /// <see cref="InvalidDataException"/> naming it.
    /// </summary>
    public static VerdictReport? ReadVerdicts(string? path)
    {
        if (path is null || !File.Exists(path)) return null;
        try
        {
            var v = VerdictReport.FromJson(File.ReadAllText(path));
            if (v is null || v.Rows is null || v.Seeds is null || v.Profile is null)
                throw new InvalidDataException($"{path}: not a verdicts.json written by `harness reproduce` (missing profile, seeds or rows)");
            foreach (var (r, i) in v.Rows.Select((r, i) => (r, i)))
                if (r?.Id is null || r.Document is null || r.Verdict is null)
                    throw new InvalidDataException($"{path}: row {i} lacks an id, document or verdict");
            return v;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid verdicts JSON ({e.Message})", e);
        }
    }

    /// <summary>
    /// The cached runs of <paramref name="e"/> under a profile (<see cref="RunCache.Entries"/>) whose manifest config is
    /// the experiment's (any thread count, device or engine). When runs of several configurations match (e.g. two
    /// thread counts), the one with the most seeds wins. Damaged run files are errors naming the file.
    /// </summary>
    public static ExperimentRuns FindRuns(Experiment e, string runsRoot, string profile, IReadOnlyList<long>? seeds)
    {
        var notes = new List<string>();
        var candidates = new List<(string Hash, long Seed, string Dir)>();
        int stale = 0;
        foreach (var entry in new RunCache(runsRoot).Entries(profile, e.Id))
        {
            var manifest = RunStore.ReadManifest(entry.Directory);
            TrainConfig cfg;
            try { cfg = TrainConfig.FromJson(manifest.ConfigJson); }
            catch (JsonException ex) { throw new InvalidDataException($"{Path.Combine(entry.Directory, RunStore.ManifestFile)}: config_json is not a training config ({ex.Message})", ex); }
            var expected = e.Config with { Seed = cfg.Seed, Threads = cfg.Threads, Device = cfg.Device, Engine = cfg.Engine };
            if (expected.Hash != manifest.ConfigHash || cfg.Hash != manifest.ConfigHash) { stale++; continue; }
            if (seeds is not null && !seeds.Contains(manifest.Seed)) continue;
            candidates.Add((manifest.ConfigHash, manifest.Seed, entry.Directory));
        }
        if (stale > 0) notes.Add($"{stale} cached run(s) of an older configuration of {e.Id} ignored");
        var best = candidates.GroupBy(c => c.Hash)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).FirstOrDefault();
        if (best is null) return new ExperimentRuns(e, [], notes);
        if (candidates.Select(c => c.Hash).Distinct().Count() > 1)
            notes.Add($"runs of {candidates.Select(c => c.Hash).Distinct().Count()} thread/device settings found; showing {best.Key} ({best.Count()} seeds)");
        var runs = best.OrderBy(c => c.Seed).Select(c => Read(c.Dir)).ToArray();
        if (seeds is not null)
        {
            var missing = seeds.Where(s => runs.All(r => r.Manifest.Seed != s)).ToArray();
            if (missing.Length > 0) notes.Add($"seed(s) {string.Join(", ", missing)} not in the cache");
        }
        return new ExperimentRuns(e, runs, notes);
    }

    /// <summary>A complete run directory (every table present), else an error naming what is wrong.</summary>
    public static RunRecord Read(string dir) =>
        RunStore.IsComplete(dir, out _, out var why) ? RunStore.Read(dir) : throw new InvalidDataException(why);

    /// <summary>A split of MNIST, or null (with why) when its files are not there.</summary>
    public static MnistDataset? TryLoadSplit(string? dataDir, MnistSplit split, List<string> notes)
    {
        var dir = MnistFiles.ResolveDataDir(dataDir);
        try { return MnistDataset.Load(dir, split); }
        catch (FileNotFoundException) { notes.Add($"MNIST {split.ToString().ToLowerInvariant()} files not found in {dir}"); return null; }
        catch (DirectoryNotFoundException) { notes.Add($"MNIST directory {dir} not found"); return null; }
    }

    /// <summary>Baseline profiles: <c>&lt;baselines&gt;/&lt;profile&gt;/full/&lt;experiment&gt;/epochs.verified.parquet</c>.</summary>
    /// <summary>
    /// Profile -> experiment -> verified table, for the baseline layout baselines/&lt;profile&gt;/&lt;experiment&gt;/&lt;table&gt;.verified.parquet
    /// (table "epochs" for full runs, "fast-epochs" for the fast slices).
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> FindBaselines(string? baselinesDir, string table = "epochs")
    {
        var result = new SortedDictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        if (baselinesDir is null || !Directory.Exists(baselinesDir)) return result;
        foreach (var profileDir in Directory.EnumerateDirectories(baselinesDir).Order(StringComparer.Ordinal))
        {
            var exps = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var expDir in Directory.EnumerateDirectories(profileDir).Order(StringComparer.Ordinal))
            {
                if (Path.GetFileName(expDir).StartsWith('.')) continue;   // a replacement in progress, not an experiment
                var f = Path.Combine(expDir, table + ".verified.parquet");
                if (File.Exists(f)) exps[Path.GetFileName(expDir)] = f;
            }
            if (exps.Count > 0) result[Path.GetFileName(profileDir)] = exps;
        }
        return result;
    }

    internal static string Inv(double x, string f = "G4") => x.ToString(f, CultureInfo.InvariantCulture);
}
