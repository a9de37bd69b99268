using MnistClaims.Harness.Runs;
using MnistClaims.Storage.Parquet;
using MnistClaims.Verification;

namespace MnistClaims.Harness.Verification;

/// <summary>Which length of an experiment a baseline holds.</summary>
public enum Tier
{
    /// <summary>A short deterministic slice (the experiment's first FastSteps steps, then one evaluation).</summary>
    Fast,
    /// <summary>The documented length.</summary>
    Full,
}

/// <summary>
/// Convention over configuration: the baselines of experiment E on profile P live in
/// <c>baselines/P/E/</c>, the fast slice as <c>fast-&lt;table&gt;.verified.parquet</c> next to the full run's
/// <c>&lt;table&gt;.verified.parquet</c>, each with a <c>.verified.txt</c> rendering for reviewers.
/// Full runs do not snapshot per-step losses (hundreds of thousands of rows); the per-epoch table and
/// the final class/miss tables pin them down.
/// </summary>
public static class ExperimentBaselines
{
    public static string[] Tables(Tier tier) => tier == Tier.Fast
        ? [RunTables.Steps, RunTables.Epochs, RunTables.Classes, RunTables.Misses]
        : [RunTables.Epochs, RunTables.Classes, RunTables.Misses];

    public static string SnapshotName(Tier tier, string table) => tier == Tier.Fast ? $"fast-{table}" : table;

    /// <summary>
    /// Exact equality within a profile: same hardware, same libtorch, same thread count and the same
    /// seed give the same bits, so any difference is a real change. Timing columns are not results.
    /// </summary>
    public static ToleranceSet SameProfile { get; } = new ToleranceSet(Tolerance.Exact, ["train_seconds", "eval_seconds", "seconds"]);

    /// <summary>Verifies every table of a run; returns the failures (empty when all match).</summary>
    public static IReadOnlyList<VerifyResult> Verify(RunRecord run, string experimentId, Tier tier, string? baselinesRoot = null, string? profile = null)
    {
        baselinesRoot ??= RepoPaths.Baselines;
        profile ??= run.Manifest.Profile;
        var failures = new List<VerifyResult>();
        foreach (var table in Tables(tier))
        {
            var stripped = new Table(run[table].Columns);   // provenance metadata differs run to run; the values must not
            var r = SnapshotStore.Verify(baselinesRoot, profile, experimentId, SnapshotName(tier, table), stripped, SameProfile);
            if (!r.Passed) failures.Add(r);
        }
        return failures;
    }
}
