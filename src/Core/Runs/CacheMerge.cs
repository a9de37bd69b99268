using System.Globalization;
using MnistClaims.Common;

namespace MnistClaims.Core.Runs;

/// <summary>Results of different commits, profiles or configurations that a merge was not told to mix (exit 1).</summary>
public sealed class MixedResultsException(string message) : IOException(message);

/// <summary>How one shard of a recorded plan stands in the merged cache.</summary>
public sealed record ShardProgress(ShardPlanRecord Plan, int Shard, int Units, IReadOnlyList<ShardUnit> Missing, ShardStatus? Status, string? StatusCache)
{
    public bool Complete => Missing.Count == 0;

    /// <summary>One line: complete, or what is missing, what the shard's record says and the command that reruns just this shard.</summary>
    public string Describe()
    {
        var id = $"shard {Shard.ToString(CultureInfo.InvariantCulture)}/{Plan.Shards.ToString(CultureInfo.InvariantCulture)}";
        if (Complete) return $"  {id}: complete ({Units} run(s))";
        string state = Status is null ? "no record of it in any DIR: it never ran, or its cache was not given"
            : Status.State switch
            {
                ShardStatus.Running => $"its record says running since {Status.Started:yyyy-MM-dd HH:mm:ss} (pid {Status.Pid} on {Status.Host}): still training, or killed",
                ShardStatus.FailedState => $"failed: {string.Join("; ", Status.Failed.Take(3))}{(Status.Failed.Count > 3 ? "; …" : "")}",
                _ => $"its record says {Status.State}",
            };
        var first = string.Join(", ", Missing.Take(3).Select(u => u.ToString())) + (Missing.Count > 3 ? ", …" : "");
        return $"  {id}: {Missing.Count} of {Units} run(s) missing ({first}); {state}; rerun: {Plan.RerunCommand(Shard, StatusCache)}";
    }
}

/// <summary>What a merge did.</summary>
public sealed class MergeResult
{
    public int Copied { get; set; }
    public int AlreadyPresent { get; set; }
    /// <summary>Entries not taken, each "directory: why" (being written, damaged, incomplete, changed while copied).</summary>
    public List<string> Skipped { get; } = [];
    public List<ShardProgress> Shards { get; } = [];
    public IEnumerable<ShardProgress> Incomplete => Shards.Where(s => !s.Complete);
}

/// <summary>
/// <c>harness merge</c>: combines run caches written by shards or other machines into one.
/// <list type="bullet">
/// <item>Refuses, before copying anything, to mix runs of different code commits, hardware profiles or configurations
///   (one experiment under two config hashes, or shards of two different plans), naming what differs, unless the
///   kind is allowed; an entry the destination already holds from another commit counts as a mix too.</item>
/// <item>Takes only what it has verified: each entry is copied into a hidden temp directory beside its destination,
///   read back in full with the cache's own checks (<see cref="RunCache.TryVerify"/>), and renamed into place under the
///   destination's <see cref="RunLock"/>. An entry a writer holds (a shard still training), one that fails the checks
///   and one that changed while being copied are skipped and reported, never half-taken.</item>
/// <item>Idempotent: an entry the destination already holds completely is left alone, records are rewritten only when
///   they change, so a second merge changes nothing.</item>
/// </list>
/// Shard records (<see cref="ShardRecords"/>) travel with the runs; each recorded plan's shards are then checked
/// against the merged cache, so a failed or missing shard is named with the command that reruns just it.
/// </summary>
public static class CacheMerge
{
    public const string Commits = "commits", Profiles = "profiles", Configs = "configs";
    public static readonly IReadOnlyList<string> Kinds = [Commits, Profiles, Configs];

    sealed record Candidate(CacheEntry Entry, Manifest Manifest, string SourceRoot)
    {
        public string Commit => Manifest.GitCommit + (Manifest.GitDirty ? "-dirty" : "");
    }

    public static MergeResult Run(IReadOnlyList<string> sources, string into, IReadOnlySet<string> allowMixed, TextWriter log)
    {
        into = Path.GetFullPath(into);
        var result = new MergeResult();
        var candidates = sources.SelectMany(s => Scan(s, result)).ToList();
        var plans = sources.SelectMany(s => ShardRecords.Plans(s).Select(p => (p.Plan, Root: s))).ToList();
        var statuses = plans.SelectMany(p => ShardRecords.Statuses(p.Root, p.Plan.PlanHash).Select(x => (x.Status, p.Root))).ToList();
        CheckMixing(candidates, plans.Select(p => (p.Plan, p.Root)).ToList(), statuses, into, allowMixed);

        foreach (var group in candidates.GroupBy(c => Target(into, c.Entry), StringComparer.Ordinal))
        {
            // The same run from two sources (a shard rerun into another directory): the first verified copy is taken.
            bool taken = false;
            foreach (var c in group)
            {
                if (taken) { result.AlreadyPresent++; continue; }
                taken = Take(c, group.Key, result);
            }
        }
        // Records already in the destination (an earlier merge) count too: a shard merged yesterday is not missing today.
        var all = statuses.Concat(ShardRecords.Plans(into).SelectMany(p => ShardRecords.Statuses(into, p.Plan.PlanHash)).Select(s => (s.Status, Root: into))).ToList();
        MergeRecords(plans, all, into);
        foreach (var (plan, _) in plans.DistinctBy(p => p.Plan.PlanHash))
            for (int k = 0; k < plan.Shards; k++)
            {
                var units = plan.Units.Where(u => u.Shard == k).ToArray();
                var missing = units.Where(u => !IsPresent(u.PathIn(into), u.ConfigHash, u.Seed)).ToArray();
                var best = Best(all.Where(s => s.Status.PlanHash == plan.PlanHash && s.Status.Shard == k));
                result.Shards.Add(new ShardProgress(plan, k, units.Length, missing, best?.Status, best?.Root));
            }
        log.WriteLine($"merged into {into}: {result.Copied} run(s) copied, {result.AlreadyPresent} already there, {result.Skipped.Count} skipped");
        return result;
    }

    /// <summary>Every entry of a source cache whose manifest reads, with what it is; locked and unreadable ones go to <see cref="MergeResult.Skipped"/>.</summary>
    static IEnumerable<Candidate> Scan(string root, MergeResult result)
    {
        foreach (var profileDir in Visible(root))
            foreach (var expDir in Visible(profileDir))
                foreach (var dir in Visible(expDir))
                {
                    if (!RunCache.TryParseEntryName(Path.GetFileName(dir), out var hash, out var seed))
                    { result.Skipped.Add($"{dir}: not a cache entry (expected <config hash>-s<seed>)"); continue; }
                    if (RunLock.IsHeld(dir)) { result.Skipped.Add($"{dir}: being written by another process"); continue; }
                    Manifest m;
                    try { m = RunStore.ReadManifest(dir); }
                    catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
                    { result.Skipped.Add($"{dir}: incomplete or damaged ({e.Message})"); continue; }
                    yield return new Candidate(new CacheEntry(dir, Path.GetFileName(profileDir), Path.GetFileName(expDir), hash, seed), m, root);
                }
    }

    /// <summary>Sub-directories, without the hidden ones (temp and old directories of writers, shard records).</summary>
    static IEnumerable<string> Visible(string dir) =>
        Directory.EnumerateDirectories(dir).Where(d => !Path.GetFileName(d).StartsWith('.')).Order(StringComparer.Ordinal);

    static string Target(string into, CacheEntry e) => Path.Combine(into, e.Profile, e.ExperimentId, RunCache.EntryName(e.ConfigHash, e.Seed));

    static void CheckMixing(List<Candidate> candidates, List<(ShardPlanRecord Plan, string Root)> plans, List<(ShardStatus Status, string Root)> statuses,
        string into, IReadOnlySet<string> allow)
    {
        var problems = new List<string>();
        string Where(IEnumerable<string> roots) => string.Join(", ", roots.Distinct().Order(StringComparer.Ordinal));
        if (!allow.Contains(Commits))
        {
            var commits = candidates.Select(c => (c.Commit, c.SourceRoot, What: "run"))
                .Concat(statuses.Select(s => (s.Status.Commit, s.Root, What: "shard record"))).GroupBy(x => x.Item1).ToArray();
            if (commits.Length > 1)
                problems.Add("different code commits: " + string.Join("; ", commits.Select(g => $"{g.Key} ({g.Count(x => x.What == "run")} run(s) in {Where(g.Select(x => x.Item2))})")) + $"; pass --allow-mixed {Commits} to merge anyway");
            var clashes = candidates.Select(c => (c, dest: Target(into, c.Entry)))
                .Where(x => IsPresent(x.dest, x.c.Entry.ConfigHash, x.c.Entry.Seed))
                .Select(x => (x.c, old: SafeCommit(x.dest))).Where(x => x.old is not null && x.old != x.c.Commit).ToArray();
            if (clashes.Length > 0)
                problems.Add($"{clashes.Length} run(s) that {into} already holds from another commit (e.g. {clashes[0].c.Entry.ExperimentId} seed {clashes[0].c.Entry.Seed}: {clashes[0].old} there, {clashes[0].c.Commit} in {clashes[0].c.SourceRoot}); pass --allow-mixed {Commits} to keep theirs");
        }
        if (!allow.Contains(Profiles))
        {
            var profiles = candidates.GroupBy(c => c.Entry.Profile).ToArray();
            if (profiles.Length > 1)
                problems.Add("different hardware profiles: " + string.Join("; ", profiles.Select(g => $"{g.Key} ({g.Count()} run(s) in {Where(g.Select(c => c.SourceRoot))})")) + $"; pass --allow-mixed {Profiles} to merge anyway");
        }
        if (!allow.Contains(Configs))
        {
            var split = candidates.GroupBy(c => (c.Entry.Profile, c.Entry.ExperimentId)).Where(g => g.Select(c => c.Entry.ConfigHash).Distinct().Count() > 1).ToArray();
            if (split.Length > 0)
                problems.Add($"different configurations of one experiment: {split[0].Key.ExperimentId} as " + string.Join(", ", split[0].GroupBy(c => c.Entry.ConfigHash).Select(g => $"{g.Key} (in {Where(g.Select(c => c.SourceRoot))})"))
                    + (split.Length > 1 ? $" and {split.Length - 1} more experiment(s)" : "") + $"; pass --allow-mixed {Configs} to merge anyway");
            var distinctPlans = plans.GroupBy(p => p.Plan.PlanHash).ToArray();
            if (distinctPlans.Length > 1)
                problems.Add("shards of different plans: " + string.Join("; ", distinctPlans.Select(g => $"{g.Key} ({g.First().Plan.Shards} shard(s), {string.Join(' ', g.First().Plan.Selection)}; in {Where(g.Select(p => p.Root))})")) + $"; pass --allow-mixed {Configs} to merge anyway");
        }
        if (problems.Count > 0) throw new MixedResultsException("refusing to mix " + string.Join("; and ", problems));
    }

    static string? SafeCommit(string dir)
    {
        try { var m = RunStore.ReadManifest(dir); return m.GitCommit + (m.GitDirty ? "-dirty" : ""); }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>A complete entry of this config and seed at <paramref name="dir"/> (manifest and table files; the tables are not parsed).</summary>
    static bool IsPresent(string dir, string hash, long seed) =>
        Directory.Exists(dir) && RunStore.IsComplete(dir, out var m, out _) && m!.ConfigHash == hash && m.Seed == seed;

    /// <summary>Copies one entry into place, verified; false (reported) when it was not taken.</summary>
    static bool Take(Candidate c, string dest, MergeResult result)
    {
        var src = c.Entry.Directory;
        RunLock lk;
        try { lk = RunLock.Acquire(dest); }
        catch (IOException e) when (e.Message.Contains(RunLock.Refusal, StringComparison.Ordinal))
        { result.Skipped.Add($"{dest}: being written in the destination by another process"); return false; }
        using (lk)
        {
            if (IsPresent(dest, c.Entry.ConfigHash, c.Entry.Seed)) { result.AlreadyPresent++; return true; }
            if (!RunStore.IsRunLayout(src, out var foreign)) { result.Skipped.Add($"{src}: not a run directory ({foreign} is not a run file)"); return false; }
            var parent = Path.GetDirectoryName(dest)!;
            Directory.CreateDirectory(parent);
            RunStore.CleanStale(parent);
            // The copy is staged and swapped in (replacing a damaged or incomplete entry) as RunStore.Write does: by AtomicDirectory.
            try
            {
                AtomicDirectory.Replace(dest, staging =>
                {
                    foreach (var f in Directory.EnumerateFiles(src)) File.Copy(f, Path.Combine(staging, Path.GetFileName(f)));
                    // The copy is what is checked: the same reader and checks as the cache. A writer that replaced the source
                    // while it was copied (a retrain renames a new run over it) shows as a held lock or another manifest.
                    if (!RunCache.TryVerify(c.Entry with { Directory = staging }, out _, out var why))
                        throw new NotTaken($"{src}: {why?.Replace(staging, src) ?? "did not verify"}");
                    if (RunLock.IsHeld(src) || SafeFinished(src) != c.Manifest.Finished)
                        throw new NotTaken($"{src}: changed while it was copied (a writer replaced it); merge again when it is done");
                });
            }
            catch (NotTaken e) { result.Skipped.Add(e.Message); return false; }
            result.Copied++;
            return true;
        }
    }

    /// <summary>Why a staged copy is not swapped in (AtomicDirectory.Replace then removes it and leaves the destination as it was).</summary>
    sealed class NotTaken(string why) : Exception(why);

    static DateTimeOffset? SafeFinished(string dir)
    {
        try { return RunStore.ReadManifest(dir).Finished; }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>Copies each plan record and, per shard, the most advanced status record into the destination (done over failed over running; then the latest).</summary>
    static void MergeRecords(List<(ShardPlanRecord Plan, string Root)> plans, List<(ShardStatus Status, string Root)> statuses, string into)
    {
        foreach (var (plan, root) in plans.DistinctBy(p => p.Plan.PlanHash))
            CopyIfChanged(ShardRecords.PlanFile(root, plan.PlanHash), ShardRecords.PlanFile(into, plan.PlanHash));
        foreach (var g in statuses.GroupBy(s => (s.Status.PlanHash, s.Status.Shard)))
        {
            var best = Best(g)!.Value;
            if (best.Root != into) CopyIfChanged(ShardRecords.StatusFile(best.Root, g.Key.PlanHash, g.Key.Shard), ShardRecords.StatusFile(into, g.Key.PlanHash, g.Key.Shard));
        }
    }

    static (ShardStatus Status, string Root)? Best(IEnumerable<(ShardStatus Status, string Root)> records) =>
        records.OrderByDescending(r => Rank(r.Status.State)).ThenByDescending(r => r.Status.Finished ?? r.Status.Started)
            .Select(r => ((ShardStatus, string)?)r).FirstOrDefault();

    static int Rank(string state) => state switch { ShardStatus.Complete => 3, ShardStatus.FailedState => 2, ShardStatus.Interrupted => 1, _ => 0 };

    static void CopyIfChanged(string from, string to)
    {
        var bytes = File.ReadAllBytes(from);
        if (File.Exists(to) && File.ReadAllBytes(to).AsSpan().SequenceEqual(bytes)) return;
        AtomicFile.WriteAllBytes(to, bytes);
    }
}
