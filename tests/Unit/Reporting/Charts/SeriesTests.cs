using MnistClaims.Reporting.Charts;

namespace MnistClaims.Tests.Unit.Reporting.Charts;

[TestFixture]
public class SeriesTests
{
    static double[] Range(int n) => Enumerable.Range(0, n).Select(i => (double)i).ToArray();

    [Test]
    public void MinMaxDecimate_ShortSeriesIsUnchangedExceptNonFinite()
    {
        var y = new[] { 1.0, double.NaN, 3, double.PositiveInfinity, 5 };
        var r = Series.MinMaxDecimate(Range(5), y, 10);
        Assert.That(r.X, Is.EqualTo(new[] { 0.0, 2, 4 }));
        Assert.That(r.Y, Is.EqualTo(new[] { 1.0, 3, 5 }));
    }

    [Test]
    public void MinMaxDecimate_LongSeriesStaysUnderTheLimitAndKeepsExtremesInOrder()
    {
        int n = 1_000_000;
        var y = Enumerable.Range(0, n).Select(i => Math.Sin(i / 1000.0)).ToArray();
        y[123_456] = 50; y[777_777] = -50;
        var r = Series.MinMaxDecimate(Range(n), y, 2000);
        Assert.That(r.Count, Is.LessThanOrEqualTo(2000));
        Assert.That(r.Y.Max(), Is.EqualTo(50));
        Assert.That(r.Y.Min(), Is.EqualTo(-50));
        Assert.That(r.X, Is.Ordered.Ascending);
        Assert.That(r.X[0], Is.EqualTo(0));
    }

    [Test]
    public void MovingAverage_SmoothsAndHandlesEdgesAndNaN()
    {
        Assert.That(Series.MovingAverage([2, 2, 2, 2], 3), Is.EqualTo(new[] { 2.0, 2, 2, 2 }));
        Assert.That(Series.MovingAverage([0, 3, 6], 3), Is.EqualTo(new[] { 1.5, 3, 4.5 }));
        Assert.That(Series.MovingAverage([1, double.NaN, 3], 3)[1], Is.EqualTo(2));
        Assert.That(Series.MovingAverage([1, 2], 1), Is.EqualTo(new[] { 1.0, 2 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Series.MovingAverage([1.0], 0));
    }

    [Test]
    public void Stride_KeepsFirstAndLastPointUnderTheLimit()
    {
        foreach (int n in new[] { 1, 5, 1999, 2000, 2001, 4001, 1_650_000 })
        {
            var r = Series.Stride(Range(n), Range(n), 2000);
            Assert.That(r.Count, Is.LessThanOrEqualTo(2000), $"n = {n}");
            Assert.That(r.X[0], Is.EqualTo(0));
            Assert.That(r.X[^1], Is.EqualTo(n - 1), $"n = {n}");
        }
    }

    [Test]
    public void Smoothed_OfALongNoisyRunIsShortAndFlat()
    {
        var rng = new Random(1);
        int n = 300_000;
        var y = Enumerable.Range(0, n).Select(_ => 1 + (rng.NextDouble() - 0.5)).ToArray();
        var r = Series.Smoothed(Range(n), y);
        Assert.That(r.Count, Is.LessThanOrEqualTo(Series.DefaultMaxPoints));
        Assert.That(r.Y.Max() - r.Y.Min(), Is.LessThan(0.05));
    }
}
