using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MnistClaims.Core.Runs;

namespace MnistClaims.Claims.Sharding;

/// <summary>
/// The run units of a selection split into N shards. Every unit is in exactly one shard, and the split is balanced by
/// each run's expected cost (<see cref="RunJob.Cost"/>: expected seconds from steps, FLOPs and parameters, with measured constants), not by count:
/// one batch-2 run of 300,000 steps costs as much as dozens of short ones.
/// <para>
/// Assignment is longest-processing-time-first: units by descending cost (ties by experiment, then seed), each to the
/// shard with the least cost so far (ties to the lowest index). It is a pure function of the units and N, so every shard
/// of a Slurm array or CI matrix, planning on its own machine, computes the same plan; this is also why measured run
/// times are not used, as they differ from machine to machine and from one cache to the next. The most loaded shard
/// exceeds the mean by at most the cost of one unit (it was the least loaded when it got its last one), and LPT's
/// makespan is at most 4/3 of the optimum.
/// </para>
/// </summary>
public sealed class ShardPlan
{
    public int Shards { get; }
    /// <summary>Every unit in plan order (descending cost), each with its shard.</summary>
    public IReadOnlyList<ShardUnit> Units { get; }
    /// <summary>Names the units and their assignment: shards of one plan share it, and merge compares it.</summary>
    public string Hash { get; }

    ShardPlan(int shards, IReadOnlyList<ShardUnit> units)
    {
        Shards = shards; Units = units;
        var text = new StringBuilder().Append(shards.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (var u in units.OrderBy(u => u.Experiment, StringComparer.Ordinal).ThenBy(u => u.Seed))
            text.Append(CultureInfo.InvariantCulture, $"{u.Experiment}\t{u.ConfigHash}\t{u.Seed}\t{u.Profile}\t{u.Shard}\n");
        Hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }

    /// <summary>Splits <paramref name="units"/> (their <see cref="ShardUnit.Shard"/> is ignored) into <paramref name="shards"/> shards.</summary>
    public static ShardPlan Assign(IEnumerable<ShardUnit> units, int shards)
    {
        if (shards < 1) throw new ArgumentOutOfRangeException(nameof(shards), shards, "expected at least one shard");
        var list = units.ToArray();
        var dup = list.GroupBy(u => (u.Experiment, u.ConfigHash, u.Seed, u.Profile)).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new ArgumentException($"unit {dup.Key.Experiment} seed {dup.Key.Seed} is listed twice");
        var load = new double[shards];
        var assigned = new List<ShardUnit>(list.Length);
        foreach (var u in list.OrderByDescending(u => u.Cost).ThenBy(u => u.Experiment, StringComparer.Ordinal).ThenBy(u => u.Seed))
        {
            int k = 0;
            for (int i = 1; i < shards; i++) if (load[i] < load[k]) k = i;
            load[k] += u.Cost;
            assigned.Add(u with { Shard = k });
        }
        return new ShardPlan(shards, assigned);
    }

    /// <summary>The units of one shard, in plan order.</summary>
    public IReadOnlyList<ShardUnit> Of(int shard) => Units.Where(u => u.Shard == shard).ToArray();

    /// <summary>The expected cost of each shard.</summary>
    public double[] Costs()
    {
        var c = new double[Shards];
        foreach (var u in Units) c[u.Shard] += u.Cost;
        return c;
    }

    /// <summary>The unit of a run job (its cost, the key of its cache entry).</summary>
    public static ShardUnit UnitOf(RunJob job) =>
        new(job.Experiment.Id, job.Config.Seed, job.Config.Hash, HardwareProfile.For(job.Config), job.Cost, 0);

    public ShardPlanRecord Record(IReadOnlyList<string> selection) => new(Hash, Shards, selection, Units);
}
