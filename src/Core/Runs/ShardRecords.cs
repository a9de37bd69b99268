using System.Globalization;
using System.Text.Json;
using MnistClaims.Common;

namespace MnistClaims.Core.Runs;

/// <summary>One run of a sharded plan: what it is (the key of its cache entry) and which shard trains it.</summary>
public sealed record ShardUnit(string Experiment, long Seed, string ConfigHash, string Profile, double Cost, int Shard)
{
    /// <summary>Where this unit's run lives in a cache rooted at <paramref name="cacheRoot"/> (the cache's layout).</summary>
    public string PathIn(string cacheRoot) => Path.Combine(cacheRoot, Profile, Experiment, RunCache.EntryName(ConfigHash, Seed));

    public override string ToString() => $"{Experiment} seed {Seed.ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>
/// A plan as its shards record it: the number of shards, the selection it was made from (as <c>harness reproduce</c>
/// arguments, so a missing shard can be rerun by copying one line), and every unit with its shard.
/// </summary>
public sealed record ShardPlanRecord(string PlanHash, int Shards, IReadOnlyList<string> Selection, IReadOnlyList<ShardUnit> Units)
{
    /// <summary>The command that (re)trains shard <paramref name="shard"/> into the cache at <paramref name="cacheRoot"/>; it reuses what is there.</summary>
    public string RerunCommand(int shard, string? cacheRoot) =>
        string.Join(' ', new[] { "harness", "reproduce", "--shard", $"{shard.ToString(CultureInfo.InvariantCulture)}/{Shards.ToString(CultureInfo.InvariantCulture)}" }
            .Concat(Selection).Concat(["--cache", cacheRoot ?? "DIR"]).Select(ShellWord));

    static string ShellWord(string s) =>
        s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || "-_./,=:+@%".Contains(c)) ? s : "'" + s.Replace("'", "'\\''") + "'";
}

/// <summary>What a shard did: written by <c>harness reproduce --shard K/N</c> when it starts (running) and when it ends.</summary>
public sealed record ShardStatus(
    string PlanHash, int Shard, int Shards, string State, string Host, int Pid, string GitCommit, bool GitDirty,
    DateTimeOffset Started, DateTimeOffset? Finished, int Units, int Done, IReadOnlyList<string> Failed)
{
    public const string Running = "running", Complete = "done", FailedState = "failed", Interrupted = "interrupted";

    [System.Text.Json.Serialization.JsonIgnore]
    public string Commit => GitCommit + (GitDirty ? "-dirty" : "");
}

/// <summary>
/// The shard records of a run cache, in <c>&lt;cache&gt;/.shards/&lt;plan hash&gt;/</c>: <c>plan.json</c> (the same in every
/// shard of a plan) and <c>shard-&lt;K&gt;.json</c>. A hidden folder, because every other top-level folder of a cache is a
/// profile. Written atomically; merge copies them with the runs, so the merged cache knows its plan as the shards did.
/// </summary>
public static class ShardRecords
{
    public const string Folder = ".shards";

    public static string PlanDir(string cacheRoot, string planHash) => Path.Combine(cacheRoot, Folder, planHash);
    public static string PlanFile(string cacheRoot, string planHash) => Path.Combine(PlanDir(cacheRoot, planHash), "plan.json");
    public static string StatusFile(string cacheRoot, string planHash, int shard) =>
        Path.Combine(PlanDir(cacheRoot, planHash), $"shard-{shard.ToString(CultureInfo.InvariantCulture)}.json");

    public static void WritePlan(string cacheRoot, ShardPlanRecord plan) =>
        AtomicFile.WriteAllText(PlanFile(cacheRoot, plan.PlanHash), JsonSerializer.Serialize(plan, Manifest.Json));

    public static void WriteStatus(string cacheRoot, ShardStatus status) =>
        AtomicFile.WriteAllText(StatusFile(cacheRoot, status.PlanHash, status.Shard), JsonSerializer.Serialize(status, Manifest.Json));

    /// <summary>Every plan recorded in the cache (none for a cache no shard wrote). A damaged record is an error naming the file.</summary>
    public static IReadOnlyList<(ShardPlanRecord Plan, string File)> Plans(string cacheRoot)
    {
        var dir = Path.Combine(cacheRoot, Folder);
        if (!Directory.Exists(dir)) return [];
        return Directory.EnumerateDirectories(dir).Order(StringComparer.Ordinal)
            .Select(d => Path.Combine(d, "plan.json")).Where(File.Exists)
            .Select(f => (Read<ShardPlanRecord>(f, p => p.Units is not null && p.Selection is not null && p.Shards > 0), f)).ToArray();
    }

    /// <summary>The status records of one plan's shards in the cache, by shard index.</summary>
    public static IReadOnlyList<(ShardStatus Status, string File)> Statuses(string cacheRoot, string planHash)
    {
        var dir = PlanDir(cacheRoot, planHash);
        if (!Directory.Exists(dir)) return [];
        return Directory.EnumerateFiles(dir, "shard-*.json").Order(StringComparer.Ordinal)
            .Select(f => (Read<ShardStatus>(f, s => s.PlanHash == planHash && s.State is not null && s.Failed is not null), f))
            .OrderBy(x => x.Item1.Shard).ToArray();
    }

    static T Read<T>(string file, Func<T, bool> valid) where T : class
    {
        try
        {
            var v = JsonSerializer.Deserialize<T>(File.ReadAllText(file), Manifest.Json);
            return v is not null && valid(v) ? v : throw new InvalidDataException($"{file}: not a valid shard record (fields missing or for another plan)");
        }
        catch (JsonException e) { throw new InvalidDataException($"{file}: not a valid shard record ({e.Message})", e); }
    }
}
