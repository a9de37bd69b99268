using MnistClaims.Snapshots;

namespace MnistClaims.Tests.Unit.Snapshots;

[TestFixture]
public class ToleranceTests
{
    [Test]
    public void Atol_JustInside_And_JustOutside()
    {
        var t = new Tolerance(1e-3, 0);
        Assert.That(t.Allows(1.0, 1.0 + 0.999e-3), Is.True);
        Assert.That(t.Allows(1.0, 1.0 - 0.999e-3), Is.True);
        Assert.That(t.Allows(1.0, 1.0 + 1.001e-3), Is.False);
        Assert.That(t.Allows(1.0, 1.0 - 1.001e-3), Is.False);
    }

    [Test]
    public void Rtol_IsRelativeToVerified()
    {
        var t = new Tolerance(0, 0.01);
        Assert.That(t.Allows(100, 100.99), Is.True);
        Assert.That(t.Allows(100, 101.01), Is.False);
        Assert.That(t.Allows(-100, -99.01), Is.True);
        Assert.That(t.Allows(0, 1e-300), Is.False, "rtol alone gives no slack around zero");
        Assert.That(new Tolerance(1e-9, 0.01).Allows(100, 101 + 1e-10), Is.True, "atol + rtol*|v|");
    }

    [Test]
    public void NaN_And_Infinity()
    {
        var t = new Tolerance(1, 1);
        Assert.That(t.Allows(double.NaN, double.NaN), Is.True);
        Assert.That(t.Allows(double.NaN, 0), Is.False);
        Assert.That(t.Allows(0, double.NaN), Is.False);
        Assert.That(t.Allows(double.PositiveInfinity, double.PositiveInfinity), Is.True);
        Assert.That(t.Allows(double.PositiveInfinity, double.NegativeInfinity), Is.False);
        Assert.That(t.Allows(1e308, double.PositiveInfinity), Is.False);
        Assert.That(Tolerance.Exact.Allows(0.1, 0.1), Is.True);
        Assert.That(Tolerance.Exact.Allows(0.1, Math.BitIncrement(0.1)), Is.False);
    }

    [Test]
    public void ToleranceSet_Overrides_Ignores_Keys_And_Directions()
    {
        var set = new ToleranceSet(new Tolerance(1e-6, 0))
            .With("test_acc", Tolerance.Absolute(0.01))
            .Ignore("host")
            .WithDirection("weird", MetricDirection.LowerIsBetter);
        Assert.That(set.For("test_acc"), Is.EqualTo(Tolerance.Absolute(0.01)));
        Assert.That(set.For("train_loss"), Is.EqualTo(new Tolerance(1e-6, 0)));
        Assert.That(set.For("epoch"), Is.EqualTo(Tolerance.Exact), "key columns are exact");
        Assert.That(set.IsIgnored("seconds"), Is.True, "seconds ignored by default");
        Assert.That(set.IsIgnored("host"), Is.True);
        Assert.That(set.DirectionOf("weird"), Is.EqualTo(MetricDirection.LowerIsBetter));
        Assert.That(set.DirectionOf("test_acc"), Is.EqualTo(MetricDirection.HigherIsBetter));
        Assert.That(set.DirectionOf("macro_f1"), Is.EqualTo(MetricDirection.HigherIsBetter));
        Assert.That(set.DirectionOf("precision"), Is.EqualTo(MetricDirection.HigherIsBetter));
        Assert.That(set.DirectionOf("recall_7"), Is.EqualTo(MetricDirection.HigherIsBetter));
        Assert.That(set.DirectionOf("val_loss"), Is.EqualTo(MetricDirection.LowerIsBetter));
        Assert.That(set.DirectionOf("lr"), Is.EqualTo(MetricDirection.None));
        Assert.That(new ToleranceSet(ignoredColumns: Array.Empty<string>()).IsIgnored("seconds"), Is.False);
    }

    [TestCase(null, null, AcceptMode.None)]
    [TestCase("", null, AcceptMode.None)]
    [TestCase("none", null, AcceptMode.None)]
    [TestCase("new", null, AcceptMode.New)]
    [TestCase("NEW", "", AcceptMode.New)]
    [TestCase("all", null, AcceptMode.All)]
    [TestCase("all", "true", AcceptMode.None)]
    [TestCase("new", "1", AcceptMode.None)]
    public void AcceptMode_Resolution(string? accept, string? ci, AcceptMode expected)
    {
        Assert.That(AcceptModes.Resolve(accept, ci), Is.EqualTo(expected));
    }

    [Test]
    public void AcceptMode_Typo_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => AcceptModes.Resolve("yes", null));
        Assert.That(ex!.Message, Does.Contain("MNIST_CLAIMS_ACCEPT").And.Contain("none, new or all"));
    }
}
