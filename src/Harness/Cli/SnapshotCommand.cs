using MnistClaims.Claims;
using MnistClaims.Core.Runs;
using MnistClaims.Claims.Baselines;
using MnistClaims.Core.Training;
using MnistClaims.Snapshots;

namespace MnistClaims.Harness.Cli;

/// <summary>
/// <c>harness snapshot</c>: verifies cached full-length runs (one seed) against the baselines without
/// retraining. Mismatches and missing baselines leave <c>*.received.*</c> files for review and
/// <c>harness accept</c>, exactly as a failing test would.
/// </summary>
public static class SnapshotCommand
{
    static readonly Flag[] Flags =
    [
        new("seed", "N", "which cached seed to verify", "1"),
        new("experiments", "ID,ID,..", "only these experiments"),
        new("engine", "NAME", "engine of the cached runs: auto, fused or libtorch", "auto"),
        new("threads", "N", "thread count of the cached runs", "1"),
        new("baselines", "DIR", "baselines root (default: baselines/ in the repository)"),
        CacheOption.Flag,
    ];

    public static int Run(string[] argv)
    {
        var a = new Args("snapshot", Flags, argv);
        if (a.HelpRequested) { Console.Out.Write(Args.Help("harness snapshot [options]", "Verifies cached full-length runs against baselines/<profile>/<experiment>/ (writes received files on mismatch).", Flags)); return 0; }
        a.NoPositionals();
        var ids = ReproduceCommand.List(a.String("experiments"));
        if (ids is { Length: 0 }) throw new UsageException($"--experiments: expected a comma-separated list of experiment ids, got '{a.String("experiments")}'");
        var experiments = ids is null ? Registry.Experiments : ids.Select(Registry.Experiment).ToArray();
        var cache = CacheOption.Open(a);
        var root = a.String("baselines") ?? RepoPaths.Baselines;
        int matched = 0, failed = 0, missing = 0;
        TrainConfig ConfigOf(Experiment e) => e.ForSeed(a.Long("seed", 1)) with { Engine = a.String("engine")!, Threads = a.Int("threads", 1) };
        try { ConfigOf(experiments[0]).Validate(); }   // --engine, --threads: a typo is a usage error, not "not in the cache"
        catch (ConfigException e) { throw new UsageException(e.Message); }
        // Received files older than this run are stale from now on (accept refuses them).
        foreach (var p in experiments.Select(e => HardwareProfile.For(ConfigOf(e))).Distinct())
        {
            SnapshotStore.MarkVerificationRun(root, p);
            // An accept that a crash interrupted is finished or undone before anything is compared with its baselines.
            foreach (var note in SnapshotStore.Recover(root, p)) Console.Out.WriteLine($"recovered: {note}");
        }
        foreach (var e in experiments)
        {
            var cfg = ConfigOf(e);
            if (!cache.TryLoad(e.Id, cfg, out var run, out var why))
            {
                Console.Out.WriteLine(why is null ? $"  {e.Id,-28} not in the cache ({cache.PathFor(e.Id, cfg)})" : $"  {e.Id,-28} cached run not usable, retrain it: {why}");
                missing++; continue;
            }
            var check = ExperimentBaselines.Check(run, e.Id, Tier.Full, root);
            var failures = check.Failures;
            if (failures.Count == 0) { matched++; Console.Out.WriteLine($"  {e.Id,-28} matches{(check.Notice is null ? "" : "\n    " + check.Notice)}"); }
            else { failed++; Console.Out.WriteLine($"  {e.Id,-28} {string.Join("; ", failures.Select(f => f.Status))} -> received files written"); }
        }
        Console.Out.WriteLine($"{matched} matched, {failed} differ or lack a baseline, {missing} not cached");
        if (failed > 0) Console.Out.WriteLine($"review the *.received.txt files, then: dotnet run --project src/Harness -- accept --all --profile {HardwareProfile.For(experiments[0].ForSeed(1))}");
        if (failed > 0) return 1;
        // Nothing verified is not a pass.
        if (matched == 0) { Console.Error.WriteLine($"harness snapshot: nothing verified: none of {experiments.Count} experiment(s) has a usable cached run in {cache.Root}"); return 1; }
        return 0;
    }
}
