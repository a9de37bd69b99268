using MnistClaims.Claims;
using MnistClaims.Claims.Rule;

namespace MnistClaims.Tests.Unit.Claims.Rule;

/// <summary>
/// The whole-log rule on synthetic logs whose truth is known: its error rates measured by simulation (fixed seeds),
/// and its handling of the cases the old per-point rule got wrong (one low-variance epoch, bounded metrics, two modes).
/// The rates on real runs are in reports/calibration.md.
/// </summary>
public sealed class WholeLogTestTests
{
    const int Epochs = 10, Columns = 2, Seeds = 20;

    static LogPoint[] Points(double unit = 1e-4) => Enumerable.Range(0, Columns * Epochs)
        .Select(k => new LogPoint($"c{k / Epochs}@{k % Epochs + 1}", $"c{k / Epochs}", Printed.Rounded(0, 4), MetricScale.Identity)).ToArray();

    /// <summary>A log: column c at epoch e = trend + an AR(1) run effect (correlated across epochs) + noise, plus <paramref name="shift"/> sds.</summary>
    static double[] Log(Random rng, double shift, double sd = 0.01)
    {
        var v = new double[Columns * Epochs];
        for (int c = 0; c < Columns; c++)
        {
            double run = Gauss(rng);
            for (int e = 0; e < Epochs; e++)
            {
                run = 0.7 * run + Math.Sqrt(1 - 0.49) * Gauss(rng);
                v[c * Epochs + e] = 0.5 + 0.02 * e + sd * (run + shift);
            }
        }
        return v;
    }

    static double Gauss(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

    static LogFit JudgeDoc(Random rng, double docShift, int seeds = Seeds)
    {
        var runs = Enumerable.Range(0, seeds).Select(_ => Log(rng, 0)).ToArray();
        var doc = Log(rng, docShift);
        var pts = Points().Select((p, k) => p with { Documented = Printed.Rounded(Math.Round(doc[k], 4), 4) }).ToArray();
        return WholeLogTest.Judge(pts, runs);
    }

    static (double Reproduced, double NotReproduced) Rates(double shift, int trials = 300, int seed = 1)
    {
        var rng = new Random(seed);
        var fits = Enumerable.Range(0, trials).Select(_ => JudgeDoc(rng, shift)).ToArray();
        return (fits.Count(f => f.Verdict == Verdict.Reproduced) / (double)trials, fits.Count(f => f.Verdict == Verdict.NotReproduced) / (double)trials);
    }

    [Test]
    public void A_right_configuration_is_rejected_about_alpha_of_the_time_and_often_reproduced()
    {
        var (rep, rej) = Rates(shift: 0);
        TestContext.Out.WriteLine($"right configuration: REPRODUCED {rep:P1}, NOT REPRODUCED {rej:P1}");
        Assert.That(rej, Is.LessThanOrEqualTo(0.08), "false-reject rate (alpha 5% plus simulation noise)");
        Assert.That(rep, Is.GreaterThan(0.3), "equivalence is shown for a good share of right configurations at N = 20");
    }

    [Test]
    public void A_configuration_one_margin_away_is_reproduced_at_most_alpha_of_the_time()
    {
        var (rep, _) = Rates(shift: WholeLogTest.Margin);
        TestContext.Out.WriteLine($"one margin away: REPRODUCED {rep:P1}");
        Assert.That(rep, Is.LessThanOrEqualTo(0.08), "false-accept at the equivalence boundary (alpha 5% plus simulation noise)");
    }

    [Test]
    public void A_configuration_three_margins_away_is_rejected_nearly_always()
    {
        var (rep, rej) = Rates(shift: 3 * WholeLogTest.Margin);
        Assert.That(rep, Is.Zero);
        Assert.That(rej, Is.GreaterThan(0.9));
    }

    [Test]
    public void One_epoch_whose_runs_happen_to_agree_cannot_decide_alone()
    {
        var rng = new Random(7);
        var runs = Enumerable.Range(0, 5).Select(_ => Log(rng, 0)).ToArray();
        // epoch 3 of column 0: the five runs agree to 1e-5; the document is 2 ordinary run sds away there and typical elsewhere
        for (int i = 0; i < runs.Length; i++) runs[i][2] = 0.54 + 1e-5 * i;
        var doc = runs.Select(r => r.ToArray()).First(); doc = doc.Select(x => x).ToArray();
        var mean = Enumerable.Range(0, doc.Length).Select(k => runs.Average(r => r[k])).ToArray();
        mean[2] += 0.02;
        var pts = Points().Select((p, k) => p with { Documented = Printed.Rounded(Math.Round(mean[k], 4), 4) }).ToArray();
        var fit = WholeLogTest.Judge(pts, runs);
        Assert.That(fit.Verdict, Is.Not.EqualTo(Verdict.NotReproduced), fit.Summary);
    }

    [Test]
    public void Accuracy_bands_stay_inside_zero_and_one()
    {
        var rng = new Random(3);
        var runs = Enumerable.Range(0, 20).Select(_ => new[] { Math.Clamp(0.12 + 0.1 * Gauss(rng), 0.0001, 0.9999) }).ToArray();
        var fit = WholeLogTest.Judge([new LogPoint("val_acc", "val_acc", Printed.Rounded(0.0978, 4), MetricScale.Proportion(12000))], runs);
        Assert.That(fit.Points[0].BandLo, Is.GreaterThan(0));
        Assert.That(fit.Points[0].BandHi, Is.LessThan(1));
    }

    [Test]
    public void Two_clusters_of_seeds_are_judged_separately()
    {
        var rng = new Random(5);
        // 12 seeds stall at ~0.10, 8 escape to ~0.18
        var runs = Enumerable.Range(0, 20).Select(i => new[] { (i < 12 ? 0.10 : 0.18) + 0.002 * Gauss(rng), (i < 12 ? 0.101 : 0.09) + 0.0005 * Gauss(rng) }).ToArray();
        LogPoint[] At(double acc, double loss) =>
        [
            new("val_acc", "val_acc", Printed.Rounded(acc, 4), MetricScale.Proportion(12000)),
            new("val_loss", "val_loss", Printed.Rounded(loss, 4), MetricScale.Log),
        ];
        var stalled = WholeLogTest.Judge(At(0.1002, 0.1011), runs);
        Assert.That(stalled.ClusterSizes, Is.EquivalentTo(new[] { 12, 8 }));
        Assert.That(stalled.Verdict, Is.Not.EqualTo(Verdict.NotReproduced), stalled.Summary);
        var between = WholeLogTest.Judge(At(0.14, 0.095), runs);
        Assert.That(between.Verdict, Is.EqualTo(Verdict.NotReproduced), "a log between the two modes fits neither: " + between.Summary);
    }

    [Test]
    public void Diverged_seeds_are_left_out_and_a_mostly_diverging_configuration_rejects_a_finite_log()
    {
        var rng = new Random(9);
        var pts = new[] { new LogPoint("x", "x", Printed.Rounded(0.5, 2), MetricScale.Identity) };
        var some = Enumerable.Range(0, 20).Select(i => i < 19 ? new[] { double.NaN } : new[] { 0.5 + 0.01 * Gauss(rng) }).ToArray();
        var fit = WholeLogTest.Judge(pts, some);
        Assert.That(fit.Diverged, Is.EqualTo(19));
        Assert.That(fit.Verdict, Is.EqualTo(Verdict.Inconclusive), "one finite run in 20: a finite document has probability 2/21, not below 5%");
        var all = Enumerable.Range(0, 20).Select(_ => new[] { double.NaN }).ToArray();
        Assert.That(WholeLogTest.Judge(pts, all).Verdict, Is.EqualTo(Verdict.NotReproduced), "every run diverged: p = 1/21");
    }
}
