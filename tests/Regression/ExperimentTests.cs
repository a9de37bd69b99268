using MnistClaims.Claims;
using MnistClaims.Claims.Baselines;

namespace MnistClaims.Tests.Regression;

/// <summary>
/// One test per experiment of the claims registry: train it from seed 1 and verify its metrics against
/// the committed baseline of this hardware profile (baselines/&lt;profile&gt;/&lt;experiment&gt;/), Verify-style.
/// Fast: the experiment's first FastSteps steps and one evaluation. Full: the documented length.
/// </summary>
[Category("Integration")]
public sealed class ExperimentTests
{
    public static IEnumerable<TestCaseData> Experiments() =>
        Registry.Experiments.Select(e => new TestCaseData(e.Id).SetName($"{{m}}({e.Id})"));

    /// <summary>Both engines: libtorch (bitwise PyTorch-equivalent) and fused (the fast default), each against its own profile.</summary>
    public static IEnumerable<TestCaseData> ExperimentsOnEngines() =>
        from e in Registry.Experiments
        from engine in new[] { "libtorch", "fused" }
        select new TestCaseData(e.Id, engine).SetName($"{{m}}({e.Id},{engine})");

    [Category("Fast")]
    [TestCaseSource(nameof(ExperimentsOnEngines))]
    public void FastSlice_matches_baseline(string id, string engine)
    {
        var e = Registry.Experiment(id);
        var run = Fixture.Train(id, e.FastSlice(seed: 1) with { Engine = engine });
        Assert.That(run.Manifest.Engine, Is.EqualTo(engine), "the engine asked for is the engine that ran");
        AssertVerified(ExperimentBaselines.Check(run, id, Tier.Fast));
    }

    [Category("Full")]
    [TestCaseSource(nameof(Experiments))]
    public void FullRun_matches_baseline(string id)
    {
        var e = Registry.Experiment(id);
        var run = Fixture.Train(id, e.ForSeed(1));
        AssertVerified(ExperimentBaselines.Check(run, id, Tier.Full));
    }

    /// <summary>Fails with every mismatch; a pass against another profile's baseline prints its one-line notice.</summary>
    static void AssertVerified(BaselineCheck check)
    {
        if (check.Notice is not null) TestContext.Out.WriteLine(check.Notice);
        if (!check.Passed) Assert.Fail(string.Join("\n\n", check.Failures.Select(f => f.Message)));
    }
}
