using MnistClaims.Claims;
using MnistClaims.Claims.Rule;

namespace MnistClaims.Tests.Unit.Claims.Rule;

public sealed class EffectTestTests
{
    static double[] Normal(Random r, int n, double mean, double sd) =>
        Enumerable.Range(0, n).Select(_ => mean + sd * Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble())).ToArray();

    [Test]
    public void A_clear_difference_in_the_claimed_direction_is_reproduced_and_the_other_way_not()
    {
        var r = new Random(1);
        var low = Normal(r, 20, 0.93, 0.003); var high = Normal(r, 20, 0.97, 0.003);
        Assert.That(EffectTest.Paired("low below high", low, high, -1, MetricScale.Proportion(12000)).Verdict, Is.EqualTo(Verdict.Reproduced));
        Assert.That(EffectTest.Paired("low above high", low, high, +1, MetricScale.Proportion(12000)).Verdict, Is.EqualTo(Verdict.NotReproduced));
    }

    [Test]
    public void No_difference_is_not_reproduced_with_many_seeds_and_inconclusive_with_few()
    {
        var r = new Random(2);
        var a = Normal(r, 100, 0.96, 0.003); var b = Normal(r, 100, 0.96, 0.003);
        Assert.That(EffectTest.Paired("a above b", a, b, +1, MetricScale.Proportion(12000)).Verdict, Is.EqualTo(Verdict.NotReproduced),
            "with 100 seeds the interval (half-width ~0.28 sd) lies short of the half-sd margin");
        var f = EffectTest.Paired("a above b", a[..3], b[..3], +1, MetricScale.Proportion(12000));
        Assert.That(f.Verdict, Is.Not.EqualTo(Verdict.Reproduced), f.Summary);
    }

    [Test]
    public void More_seeds_never_make_a_true_relation_fail()
    {
        var r = new Random(3);
        var a = Normal(r, 60, 0.95, 0.003); var b = Normal(r, 60, 0.96, 0.003);
        foreach (int n in new[] { 5, 10, 20, 40, 60 })
            Assert.That(EffectTest.Paired("a below b", a[..n], b[..n], -1, MetricScale.Proportion(12000)).Verdict, Is.Not.EqualTo(Verdict.NotReproduced), $"N = {n}");
    }

    [Test]
    public void A_threshold_is_judged_on_the_runs_mean_with_its_interval()
    {
        var r = new Random(4);
        var a = Normal(r, 20, 0.30, 0.05);
        Assert.That(EffectTest.Threshold("below 50%", a, 0.5, -1, MetricScale.Proportion(12000)).Verdict, Is.EqualTo(Verdict.Reproduced));
        Assert.That(EffectTest.Threshold("below 25%", a, 0.25, -1, MetricScale.Proportion(12000)).Verdict, Is.EqualTo(Verdict.NotReproduced));
    }

    [Test]
    public void Every_part_must_hold()
    {
        Assert.That(EffectTest.All([Verdict.Reproduced, Verdict.Reproduced]), Is.EqualTo(Verdict.Reproduced));
        Assert.That(EffectTest.All([Verdict.Reproduced, Verdict.Inconclusive]), Is.EqualTo(Verdict.Inconclusive));
        Assert.That(EffectTest.All([Verdict.Inconclusive, Verdict.NotReproduced]), Is.EqualTo(Verdict.NotReproduced));
    }
}
