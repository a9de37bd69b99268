using MnistClaims.Claims;

namespace MnistClaims.Tests.Unit.Harness;

public sealed class StatisticsTests
{
    [Test]
    public void Prediction_interval_uses_student_t_and_sqrt_one_plus_one_over_n()
    {
        double[] xs = [0.96, 0.965, 0.97, 0.962, 0.968];
        var s = VerdictRule.Summarize(xs);
        double mean = xs.Average();
        double sd = Math.Sqrt(xs.Sum(x => (x - mean) * (x - mean)) / 4);
        double half = 2.7764451051977987 * sd * Math.Sqrt(1 + 1.0 / 5);   // t(0.975, 4)
        Assert.That(s.Mean, Is.EqualTo(mean).Within(1e-15));
        Assert.That(s.Lo, Is.EqualTo(mean - half).Within(1e-12));
        Assert.That(s.Hi, Is.EqualTo(mean + half).Within(1e-12));
    }

    [Test]
    public void Bonferroni_widens_the_interval_per_point_of_a_curve()
    {
        double[] xs = [1, 2, 3];
        Assert.That(VerdictRule.Summarize(xs, 10).Hi, Is.GreaterThan(VerdictRule.Summarize(xs, 1).Hi));
    }

    [Test]
    public void A_single_seed_leaves_only_the_printing_tolerance()
    {
        var s = VerdictRule.Summarize([0.9712]);
        Assert.That(VerdictRule.Reproduces(Printed.Rounded(0.97, 2), s), Is.True);     // [0.965, 0.975]
        Assert.That(VerdictRule.Reproduces(Printed.Rounded(0.98, 2), s), Is.False);    // [0.975, 0.985]
        Assert.That(VerdictRule.Reproduces(Printed.Rounded(0.971, 3), s), Is.True);    // [0.9705, 0.9715]
        Assert.That(VerdictRule.Reproduces(Printed.Rounded(0.972, 3), s), Is.False);   // [0.9715, 0.9725]
    }

    [Test]
    public void Truncated_percentages_are_half_open_from_below()
    {
        var p = Printed.Truncated(96, 0, 0.01);   // "96%" truncated: [0.96, 0.97)
        Assert.That(p.Lo, Is.EqualTo(0.96).Within(1e-12));
        Assert.That(p.Hi, Is.EqualTo(0.97).Within(1e-12));
        Assert.That(VerdictRule.Reproduces(p, VerdictRule.Summarize([0.9672])), Is.True);
        Assert.That(VerdictRule.Reproduces(p, VerdictRule.Summarize([0.97])), Is.False);
        Assert.That(VerdictRule.Reproduces(p, VerdictRule.Summarize([0.9599])), Is.False);
    }

    [Test]
    public void Printed_precision_is_read_from_the_text()
    {
        var p = Printed.FromText("0.0039");
        Assert.That(p.Lo, Is.EqualTo(0.00385).Within(1e-12));
        Assert.That(p.Hi, Is.EqualTo(0.00395).Within(1e-12));
        var pct = Printed.FromText("88.9111111%", 0.01);
        Assert.That(pct.Hi - pct.Lo, Is.EqualTo(1e-9).Within(1e-15));
    }

    [Test]
    public void A_diverged_seed_makes_the_statistics_undefined()
    {
        var s = VerdictRule.Summarize([0.5, double.NaN]);
        Assert.That(double.IsNaN(s.Mean));
    }
}
