using MnistClaims.Claims;
using MnistClaims.Reporting;
using MnistClaims.Core.Runs;
using MnistClaims.Core.Training;
using MnistClaims.Claims.Baselines;

namespace MnistClaims.Tests.Regression;

/// <summary>
/// One test per claim of the registry. Exact facts and document-consistency checks need no training and
/// run in the fast tier; numeric claims need N seeds of their experiments and run in the Reproduce tier
/// (`make reproduce` runs the same judgement as the main job). Every verdict is compared with the verified
/// verdict snapshot, so a claim that stops (or starts) reproducing after a change fails its test.
/// </summary>
[Category("Integration")]
public sealed class ClaimTests
{
    static bool NeedsRuns(Claim c) => c.Experiments.Count > 0;

    public static IEnumerable<TestCaseData> Static() =>
        Registry.Claims.Where(c => !NeedsRuns(c)).Select(c => new TestCaseData(c.Id).SetName($"{{m}}({c.Id})"));

    public static IEnumerable<TestCaseData> Numeric() =>
        Registry.Claims.Where(NeedsRuns).Select(c => new TestCaseData(c.Id).SetName($"{{m}}({c.Id})"));

    [Category("Fast")]
    [TestCaseSource(nameof(Static))]
    public void Static_claim_verdict_is_verified(string id)
    {
        var claim = Registry.Claim(id);
        var result = claim.Evaluate(new ClaimContext(new Dictionary<string, IReadOnlyList<RunRecord>>(), Fixture.Data));
        Assert.That(result.Evidence, Is.Not.Empty, "every verdict carries its evidence");
        if (claim.Kind == ClaimKind.Exact)
            Assert.That(result.Verdict, Is.EqualTo(Verdict.Reproduced), $"{id}: {result.Evidence}");
        var failure = VerdictSnapshot.For(RepoPaths.Baselines, "any", "static").Check(VerdictRow.Of(claim, result));
        if (failure is not null) Assert.Fail(failure);
    }

    /// <summary>The main job's N (alternative readings of inferred setups run with <see cref="AlternativeSeeds"/>).</summary>
    public const int ReproduceSeeds = 20, AlternativeSeeds = 20;

    [Category("Reproduce")]
    [TestCaseSource(nameof(Numeric))]
    public void Numeric_claim_verdict_is_verified(string id)
    {
        var claim = Registry.Claim(id);
        var all = Enumerable.Range(1, ReproduceSeeds).Select(i => (long)i).ToArray();
        IReadOnlyList<long> seeds(Experiment e) => e.Alternative ? all.Take(AlternativeSeeds).ToArray() : all;
        var cache = RunCache.Default();
        TrainConfig Config(Experiment e, long s) => e.ForSeed(s);
        var experiments = Judge.ExperimentsOf([claim]);
        var loaded = CachedRuns.Load(cache, experiments, seeds, Config);
        new Scheduler(2, Fixture.Data.Directory, TestContext.Progress).Run(loaded.Missing);
        loaded.AddTrained();
        var row = Judge.Evaluate([claim], loaded.For(experiments, seeds), Fixture.Data).Single();
        TestContext.Out.WriteLine($"{row.Verdict}: measured {row.Measured}; {row.Evidence}");
        var failure = VerdictSnapshot.For(RepoPaths.Baselines, HardwareProfile.For(Config(Registry.Experiment(claim.Experiments[0]), 1)), $"{ReproduceSeeds}seeds").Check(row);
        if (failure is not null) Assert.Fail(failure);
    }
}
