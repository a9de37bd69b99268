using MnistClaims.Claims;
using MnistClaims.Models;

namespace MnistClaims.Tests.Unit.Harness;

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
        Assert.That(Registry.Claims.Count(c => c.Kind == ClaimKind.ByConstruction), Is.EqualTo(16));
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
