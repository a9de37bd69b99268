using System.Globalization;
using System.Text.Json;
using MnistClaims.Claims.Sharding;
using MnistClaims.Core.Runs;

namespace MnistClaims.Harness.Cli;

/// <summary>
/// <c>harness plan [selection] --shards N [--format text|json]</c>: the run units of a selection (experiment, seed, config
/// hash, profile, expected cost) and the shard each belongs to, as <c>harness reproduce --shard K/N</c> with the same
/// selection will train them. Reads nothing from the cache and trains nothing.
/// </summary>
public static class PlanCommand
{
    public static readonly Flag[] Flags =
    [
        .. Selection.Flags,
        new("shards", "N", "number of shards (a Slurm array's or CI matrix's size)"),
        new("format", "FMT", "text or json", "text"),
    ];

    public static int Run(string[] argv)
    {
        var a = new Args("plan", Flags, argv);
        if (a.HelpRequested) { Console.Out.Write(Args.Help("harness plan [options] --shards N", "Lists the selection's run units and the shard each is trained in.", Flags)); return 0; }
        a.NoPositionals();
        if (!a.Has("shards")) throw new UsageException("--shards: missing; expected the number of shards, a positive integer");
        int n = a.Int("shards", 0);
        if (n < 1) throw new UsageException($"--shards: expected a positive integer, got '{a.String("shards")}'");
        var format = a.String("format")!;
        if (format is not ("text" or "json")) throw new UsageException($"--format: expected text or json, got '{format}'");
        var sel = Selection.From(a);
        // The cache root does not enter the plan (units are named by their cache key, not a path).
        var plan = ShardPlan.Assign(sel.Jobs(new RunCache("/")).Select(ShardPlan.UnitOf), n);
        var costs = plan.Costs();
        if (format == "json")
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(new
            {
                plan_hash = plan.Hash, shards = n, selection = sel.Arguments, shard_costs = costs,
                units = plan.Units,
            }, Manifest.Json));
            return 0;
        }
        double mean = costs.Average(), total = costs.Sum();
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"plan {plan.Hash}: {plan.Units.Count} run(s) of {plan.Units.Select(u => u.Experiment).Distinct().Count()} experiment(s) in {n} shard(s); most loaded shard {(mean > 0 ? costs.Max() / mean : 1):F3}x the mean expected cost; expected {total / 60:F0} min of one job slot in all on the reference machine (RunJob.Cost)"));
        for (int k = 0; k < n; k++)
        {
            var units = plan.Of(k);
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"shard {k}/{n}: {units.Count} run(s), expected {costs[k] / 60:F1} min ({(total > 0 ? costs[k] / total : 0):P1}): harness reproduce --shard {k}/{n}{string.Concat(sel.Arguments.Select(x => " " + x))}"));
            foreach (var u in units)
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {u.Experiment,-32} seed {u.Seed,-4} {u.ConfigHash}  {u.Profile}  expected {u.Cost:F1} s"));
        }
        return 0;
    }
}
