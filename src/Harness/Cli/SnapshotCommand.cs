using MnistClaims.Claims;
using MnistClaims.Core.Runs;
using MnistClaims.Claims.Baselines;

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
    ];

    public static int Run(string[] argv)
    {
        var a = new Args("snapshot", Flags, argv);
        if (a.HelpRequested) { Console.Out.Write(Args.Help("harness snapshot [options]", "Verifies cached full-length runs against baselines/<profile>/<experiment>/ (writes received files on mismatch).", Flags)); return 0; }
        var ids = ReproduceCommand.List(a.String("experiments"));
        var experiments = ids is null ? Registry.Experiments : ids.Select(Registry.Experiment).ToArray();
        var cache = RunCache.Default();
        int matched = 0, failed = 0, missing = 0;
        foreach (var e in experiments)
        {
            var cfg = e.ForSeed(a.Long("seed", 1)) with { Engine = a.String("engine")!, Threads = a.Int("threads", 1) };
            if (!cache.TryLoad(e.Id, cfg, out var run)) { Console.Out.WriteLine($"  {e.Id,-28} not in the cache ({cache.PathFor(e.Id, cfg)})"); missing++; continue; }
            var check = ExperimentBaselines.Check(run, e.Id, Tier.Full);
            var failures = check.Failures;
            if (failures.Count == 0) { matched++; Console.Out.WriteLine($"  {e.Id,-28} matches{(check.Notice is null ? "" : "\n    " + check.Notice)}"); }
            else { failed++; Console.Out.WriteLine($"  {e.Id,-28} {string.Join("; ", failures.Select(f => f.Status))} -> received files written"); }
        }
        Console.Out.WriteLine($"{matched} matched, {failed} differ or lack a baseline, {missing} not cached");
        if (failed > 0) Console.Out.WriteLine($"review the *.received.txt files, then: dotnet run --project src/Harness -- accept --all --profile {HardwareProfile.For(experiments[0].ForSeed(1))}");
        return failed > 0 ? 1 : 0;
    }
}
