using MnistClaims.Claims;
using MnistClaims.Models;

namespace MnistClaims.Tests.Unit.Claims;

public sealed class RegistryTests
{
    [Test]
    public void Claim_ids_are_unique_and_every_experiment_they_name_exists()
    {
        Assert.That(Registry.Claims.Select(c => c.Id), Is.Unique);
        Assert.That(Registry.Experiments.Select(e => e.Id), Is.Unique);
        foreach (var c in Registry.Claims)
            foreach (var e in c.Experiments)
                Assert.DoesNotThrow(() => Registry.Experiment(e), $"{c.Id} names {e}");
    }

    [Test]
    public void Every_document_has_claims_of_the_kinds_the_issue_asks_for()
    {
        foreach (var doc in Registry.Documents)
            Assert.That(Registry.Claims.Count(c => c.Document == doc), Is.GreaterThan(3), doc);
        Assert.That(Registry.Claims.Count(c => c.Kind == ClaimKind.Consistency), Is.GreaterThanOrEqualTo(10));
        Assert.That(Registry.Claims.Select(c => c.Kind).Distinct(), Is.EquivalentTo(Enum.GetValues<ClaimKind>()), "every kind of claim is used");
        // What the document fixes by its own code or hardware (003's notebook output, 004's wall-clock minutes) is
        // listed, never judged against our runs.
        // 16 before issue 12 item 5, + 7: 003-more-epochs-boost (any correct implementation gains from 10 to 50 epochs),
        // 003-cpu-time, 004-device-time, 004-15-epoch-time (times on other hardware), 001-validation-80-94 (no validation
        // figures printed), 001-improves-each-epoch (one batch's loss never falls ten times running), 002-batch-affects-doc
        // (the three batch-size logs all ran batch 64).
        Assert.That(Registry.Claims.Count(c => c.Kind == ClaimKind.ByConstruction), Is.EqualTo(23));
        // 000: 4 batch sizes x 4 columns; 002: 15 logs x 4 columns (+ 2 x 4 as-run variants)
        Assert.That(Registry.Claims.Count(c => c.Document.StartsWith("000") && c.Kind == ClaimKind.Curve), Is.EqualTo(16));
        Assert.That(Registry.Claims.Count(c => c.Document.StartsWith("002") && c.Kind == ClaimKind.Curve), Is.EqualTo(68));
    }

    [Test]
    public void Every_experiment_config_is_valid_and_matches_its_documents_model()
    {
        foreach (var e in Registry.Experiments) Assert.DoesNotThrow(() => e.Config.Validate(), e.Id);
        Assert.That(Registry.Experiment("002-hidden-0").Config.Arch, Is.EqualTo("784-128-10"), "EARIN's '0 hidden layers' is 784-width-10 with an activation");
        Assert.That(Registry.Experiment("002-hidden-2").Config.Arch, Is.EqualTo("784-128-128-128-10"));
        Assert.That(Registry.Experiment("000-batch-2").Config.Arch, Is.EqualTo("784-64-128-254-10"));
        Assert.That(Registry.Experiment("004-c-4hidden").Config.Arch, Is.EqualTo("784-512-256-128-64-10"));
        Assert.That(Registry.Experiment("003-hidden-1").TrainSetSize, Is.EqualTo(33000));
        Assert.That(Registry.Experiment("004-g-split70").TrainSetSize, Is.EqualTo(42000));
    }

    [Test]
    public void Parameter_count_of_784_120_84_10_is_105214()
    {
        Assert.That(DocumentModels.Gundorov001().ParameterCount, Is.EqualTo(105214));
        Assert.That(MlpSpec.CountParameters([784, 128, 10]), Is.EqualTo(784 * 128 + 128 + 128 * 10 + 10));
    }

    static ClaimResult NoRuns(string id) =>
        Registry.Claim(id).Evaluate(new ClaimContext(new Dictionary<string, IReadOnlyList<MnistClaims.Core.Runs.RunRecord>>(), null));

    [Test]
    public void Every_check_on_the_documents_alone_evaluates_without_runs()
    {
        foreach (var c in Registry.Claims.Where(c => c.Experiments.Count == 0 && c.Kind is ClaimKind.Consistency or ClaimKind.ByConstruction))
        {
            var r = NoRuns(c.Id);
            TestContext.Out.WriteLine($"{c.Id}: {r.Verdict.Label()}: {r.Evidence}");
            Assert.That(r.Evidence, Is.Not.Empty, c.Id);
        }
    }

    [Test]
    public void Differences_inside_002s_replicate_noise_are_within_noise_not_evidence()
    {
        // 0.9663 / 0.9654 / 0.9633 differ by less than 1.96 sqrt(2) s of the seven replicate logs (s = 0.0027)
        Assert.That(NoRuns("002-hidden-layers-improve").Verdict, Is.EqualTo(Verdict.WithinNoise));
        Assert.That(NoRuns("002-batch-conclusions").Verdict, Is.EqualTo(Verdict.WithinNoise));
        Assert.That(NoRuns("002-depth-diminishing-doc").Verdict, Is.EqualTo(Verdict.WithinNoise));
        Assert.That(NoRuns("002-batch-16-variable-doc").Verdict, Is.EqualTo(Verdict.WithinNoise));
        var wider = NoRuns("002-wider-better-doc");
        Assert.That(wider.Verdict, Is.EqualTo(Verdict.Consistent), "32 -> 64 is outside noise");
        Assert.That(wider.Evidence, Does.Contain("64 -> 128: +0.0002 (within noise)").And.Contain("margin 1.96 sqrt(2) s = 0.0074"));
        // outside noise: lr 0.001 beats every replicate, so 'possibly suboptimal' and 'slow convergence' are contradicted
        Assert.That(NoRuns("002-lr-0.001-best").Verdict, Is.EqualTo(Verdict.Inconsistent));
        Assert.That(NoRuns("002-lr-0.001-slow-doc").Verdict, Is.EqualTo(Verdict.Inconsistent));
        Assert.That(NoRuns("002-lr-0.1-unstable-doc").Verdict, Is.EqualTo(Verdict.Consistent));
        Assert.That(NoRuns("002-ce-good-doc").Verdict, Is.EqualTo(Verdict.Consistent));
        Assert.That(NoRuns("002-depth-capacity-doc").Verdict, Is.EqualTo(Verdict.Inconsistent), "2 hidden layers fit worst, by 0.0252 > 0.0150");
    }

    [Test]
    public void New_document_checks_give_the_reviewed_verdicts()
    {
        Assert.That(NoRuns("000-five-tables").Verdict, Is.EqualTo(Verdict.Inconsistent));
        Assert.That(NoRuns("001-train-acc-increases-doc").Verdict, Is.EqualTo(Verdict.Consistent));
        Assert.That(NoRuns("001-improves-each-epoch-doc").Evidence, Does.Contain("rises at 4 of 10"));
        Assert.That(NoRuns("001-test-below-train-doc").Verdict, Is.EqualTo(Verdict.Inconsistent));
        var lattice = NoRuns("003-print-lattice");
        Assert.That(lattice.Verdict, Is.EqualTo(Verdict.Inconsistent));
        Assert.That(lattice.Evidence, Does.Contain("88.9111111% is k/9000").And.Contain("73.899% is NOT"));
        Assert.That(NoRuns("004-time-list-matches").Verdict, Is.EqualTo(Verdict.Consistent));
        Assert.That(NoRuns("004-15-epoch-scaling").Verdict, Is.EqualTo(Verdict.Consistent));
        Assert.That(NoRuns("002-zero-hidden-not-linear").Evidence, Does.Contain("101,770").And.Contain("7,850"));
    }

    [Test]
    [Category("Integration")]
    public void Every_fact_checked_against_the_data_holds()
    {
        using var data = MnistClaims.Core.Training.MnistData.Load();
        var ctx = new ClaimContext(new Dictionary<string, IReadOnlyList<MnistClaims.Core.Runs.RunRecord>>(), data);
        foreach (var c in Registry.Claims.Where(c => c.Kind == ClaimKind.Exact && c.Id != "001-parameter-count"))
        {
            var r = c.Evaluate(ctx);
            TestContext.Out.WriteLine($"{c.Id}: {r.Verdict.Label()}: {r.Measured}");
            Assert.That(r.Verdict, Is.EqualTo(Verdict.Reproduced), $"{c.Id}: {r.Evidence}");
        }
    }

    [Test]
    public void Consistency_checks_state_their_arithmetic()
    {
        var c = Registry.Claim("004-3134-of-36000").Evaluate(new ClaimContext(new Dictionary<string, IReadOnlyList<MnistClaims.Core.Runs.RunRecord>>(), null));
        Assert.That(c.Verdict, Is.EqualTo(Verdict.Inconsistent));
        Assert.That(c.Evidence, Does.Contain("8.71%"));
        var m = Registry.Claim("001-misses-vs-accuracy").Evaluate(new ClaimContext(new Dictionary<string, IReadOnlyList<MnistClaims.Core.Runs.RunRecord>>(), null));
        Assert.That(m.Evidence, Does.Contain("94.31%").And.Contain("279"));
    }
}
