using System.Globalization;
using MnistClaims.Claims;
using MnistClaims.Claims.Sharding;
using MnistClaims.Common;
using MnistClaims.Core.Runs;
using MnistClaims.Core.Training;

namespace MnistClaims.Harness.Cli;

/// <summary>
/// <c>harness reproduce --shard K/N</c>: trains shard K of the selection's plan into the run cache and judges nothing.
/// A shard is a plain harness run: its runs are ordinary cache entries (locked, written atomically), so a rerun after a
/// kill or a failure reuses every run that finished and verifies, and trains only the rest. It records the plan and its
/// own progress (<see cref="ShardRecords"/>) so <c>harness merge</c> can tell a missing or failed shard from a complete one.
/// Exit 0 when every run of the shard is in the cache, 1 when some failed (the record lists them), 130 when interrupted.
/// </summary>
public static class ShardRun
{
    public static int Run(Selection sel, ShardSpec spec, RunCache cache, int jobs, string? dataDir, bool dryRun, TextWriter log)
    {
        var all = sel.Jobs(cache);
        var plan = ShardPlan.Assign(all.Select(ShardPlan.UnitOf), spec.Count);
        var byKey = all.ToDictionary(j => (j.Experiment.Id, j.Config.Seed, j.Config.Hash));
        var mine = plan.Of(spec.Index).Select(u => byKey[(u.Experiment, u.Seed, u.ConfigHash)]).ToArray();
        // What a rerun reuses: an entry is trusted only after it reads in full with the cache's checks (once per run here,
        // and a shard judges nothing, so nothing reads it again).
        var todo = mine.Where(j => !cache.Contains(j.Experiment.Id, j.Config)).ToArray();
        var costs = plan.Costs();
        double share = costs.Sum() is > 0 and var total ? costs[spec.Index] / total : 0;
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"shard {spec} of plan {plan.Hash}: {mine.Length} of {plan.Units.Count} run(s) ({share:P1} of the expected cost), {mine.Length - todo.Length} already in {cache.Root}, {todo.Length} to train"));
        if (dryRun)
        {
            foreach (var j in todo) log.WriteLine($"  {j.Experiment.Id} seed {j.Config.Seed}  ({j.Experiment.TotalSteps:N0} steps)");
            return 0;
        }
        ReproduceCommand.CheckWritable(cache.Root, CacheOption.Name);
        var record = plan.Record(sel.Arguments);
        ShardRecords.WritePlan(cache.Root, record);
        var (commit, dirty) = GitInfo.Read();
        var status = new ShardStatus(plan.Hash, spec.Index, spec.Count, ShardStatus.Running, System.Environment.MachineName, System.Environment.ProcessId,
            commit, dirty, DateTimeOffset.UtcNow, null, mine.Length, mine.Length - todo.Length, []);
        ShardRecords.WriteStatus(cache.Root, status);
        string state = ShardStatus.Interrupted;
        string[] absent = [];
        try
        {
            if (todo.Length > 0)
            {
                using var data = MnistData.Load(dataDir, m => Console.Error.WriteLine(m));
                Interrupt.Run(cancel => new Scheduler(jobs, data.Directory, log).Run(todo, cancel));
            }
            state = ShardStatus.Complete;
        }
        catch (ProcessFailedException) { state = ShardStatus.FailedState; throw; }
        finally
        {
            // Written however the shard ends (but a kill -9, after which the record still says running): what is in the
            // cache now, by the cheap completeness check; merge verifies every run it takes in full anyway.
            absent = mine.Where(j => !(RunStore.IsComplete(j.OutDir, out var m, out _) && m!.ConfigHash == j.Config.Hash && m.Seed == j.Config.Seed))
                .Select(j => $"{j.Experiment.Id} seed {j.Config.Seed.ToString(CultureInfo.InvariantCulture)}").ToArray();
            if (state == ShardStatus.Complete && absent.Length > 0) state = ShardStatus.FailedState;
            ShardRecords.WriteStatus(cache.Root, status with
            {
                State = state, Finished = DateTimeOffset.UtcNow, Done = mine.Length - absent.Length,
                Failed = state == ShardStatus.Interrupted ? [] : absent,
            });
        }
        if (absent.Length > 0)
            throw new IOException($"shard {spec}: {absent.Length} run(s) not in {cache.Root} after training ({string.Join(", ", absent.Take(3))}); rerun: {record.RerunCommand(spec.Index, cache.Root)}");
        log.WriteLine($"shard {spec} done: {mine.Length} run(s) in {cache.Root}; merge the shards' caches with `harness merge DIR... --into DIR`, then judge with `harness reproduce --from-cache DIR`");
        return 0;
    }
}
