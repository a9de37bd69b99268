using MnistClaims.Core.Runs;

namespace MnistClaims.Harness.Cli;

/// <summary>
/// <c>harness merge DIR... [--into DIR] [--allow-mixed KINDS]</c>: combines the run caches of shards and machines into one
/// (<see cref="CacheMerge"/>), then names every shard of a recorded plan that is missing runs, with the command that reruns
/// just it. Exit 0 when everything was taken and every shard is complete; 1 when a run was skipped (being written,
/// damaged), a shard is incomplete, or results would mix; 2 for a usage error. Safe to run while shards still write, and again.
/// </summary>
public static class MergeCommand
{
    public static readonly Flag[] Flags =
    [
        new("into", "DIR", "the run cache to merge into (default: $MNIST_CLAIMS_RUNS, else .cache/runs)"),
        new("allow-mixed", "KINDS", $"merge even when the runs differ in these (comma-separated: {string.Join(", ", CacheMerge.Kinds)}, or all)"),
    ];

    public static int Run(string[] argv)
    {
        var a = new Args("merge", Flags, argv);
        if (a.HelpRequested)
        {
            Console.Out.Write(Args.Help("harness merge DIR... [--into DIR]",
                "Merges run caches (a shard's, another machine's) into one, verifying every run it takes, and reports missing shards.", Flags));
            return 0;
        }
        if (a.Positionals.Count == 0) throw new UsageException("merge: expected at least one run cache directory to merge (see `harness merge --help`)");
        var into = RunCache.Open(a.String("into")).Root;
        if (File.Exists(into)) throw new UsageException($"--into: '{into}' is a file, expected a run cache directory");
        var sources = new List<string>();
        foreach (var p in a.Positionals)
        {
            var full = Path.GetFullPath(p);
            if (!Directory.Exists(full)) throw new UsageException($"merge: '{p}' is not a directory, expected a run cache");
            if (full.TrimEnd('/') == into.TrimEnd('/')) throw new UsageException($"merge: '{p}' is the destination (--into); expected caches to merge into it");
            if (!sources.Contains(full)) sources.Add(full);
        }
        var allow = new HashSet<string>(StringComparer.Ordinal);
        foreach (var k in ReproduceCommand.List(a.String("allow-mixed")) ?? [])
        {
            if (k == "all") allow.UnionWith(CacheMerge.Kinds);
            else if (CacheMerge.Kinds.Contains(k)) allow.Add(k);
            else throw new UsageException($"--allow-mixed: unknown kind '{k}', expected a comma-separated list of {string.Join(", ", CacheMerge.Kinds)} or all");
        }
        ReproduceCommand.CheckWritable(into, "into");

        var result = CacheMerge.Run(sources, into, allow, Console.Out);
        foreach (var s in result.Skipped) Console.Out.WriteLine($"  skipped {s}");
        foreach (var plan in result.Shards.GroupBy(s => s.Plan.PlanHash))
        {
            var first = plan.First().Plan;
            Console.Out.WriteLine($"plan {plan.Key} ({first.Shards} shard(s), {first.Units.Count} run(s){(first.Selection.Count > 0 ? ", " + string.Join(' ', first.Selection) : "")}): {plan.Count(s => s.Complete)} of {first.Shards} shard(s) complete");
            foreach (var s in plan) Console.Out.WriteLine(s.Describe());
        }
        var incomplete = result.Incomplete.ToArray();
        if (incomplete.Length > 0 || result.Skipped.Count > 0)
            throw new IOException(string.Join("; ", new[]
            {
                incomplete.Length > 0 ? $"{incomplete.Length} shard(s) incomplete ({string.Join(", ", incomplete.Select(s => $"{s.Shard}/{s.Plan.Shards}"))}): rerun each with the command printed above, then merge again" : null,
                result.Skipped.Count > 0 ? $"{result.Skipped.Count} run(s) skipped (listed above); merge again when their writers are done" : null,
            }.Where(x => x is not null)));
        Console.Out.WriteLine($"judge the merged cache with: harness reproduce --from-cache {into}{(result.Shards.Count > 0 ? " " + string.Join(' ', result.Shards[0].Plan.Selection) : "")}");
        return 0;
    }
}
