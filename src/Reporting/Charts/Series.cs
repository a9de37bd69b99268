namespace MnistClaims.Reporting.Charts;

/// <summary>A polyline to plot: x and y of equal length.</summary>
public sealed record XY(double[] X, double[] Y)
{
    public int Count => X.Length;
    public static XY Empty { get; } = new([], []);
}

/// <summary>
/// Shrinking long per-step series for charts. A 50-epoch per-sample run has 1.6 million steps; a chart
/// needs a few thousand points. The raw line keeps each bucket's minimum and maximum (so spikes stay
/// visible); the smoothed line is a centred moving average sampled at even strides.
/// </summary>
public static class Series
{
    public const int DefaultMaxPoints = 2000;

    /// <summary>
    /// At most <paramref name="maxPoints"/> points: the series unchanged when short enough, else for each of
    /// maxPoints/2 equal-width index buckets its smallest and largest y, in the order they occur.
    /// Non-finite values are dropped.
    /// </summary>
    public static XY MinMaxDecimate(IReadOnlyList<double> x, IReadOnlyList<double> y, int maxPoints = DefaultMaxPoints)
    {
        Check(x, y, maxPoints);
        int n = x.Count;
        var ox = new List<double>(Math.Min(n, maxPoints)); var oy = new List<double>(Math.Min(n, maxPoints));
        if (n <= maxPoints)
        {
            for (int i = 0; i < n; i++) if (double.IsFinite(y[i])) { ox.Add(x[i]); oy.Add(y[i]); }
            return new XY([.. ox], [.. oy]);
        }
        int buckets = maxPoints / 2;
        for (int b = 0; b < buckets; b++)
        {
            int lo = (int)((long)b * n / buckets), hi = (int)((long)(b + 1) * n / buckets);
            int iMin = -1, iMax = -1;
            for (int i = lo; i < hi; i++)
            {
                if (!double.IsFinite(y[i])) continue;
                if (iMin < 0 || y[i] < y[iMin]) iMin = i;
                if (iMax < 0 || y[i] > y[iMax]) iMax = i;
            }
            if (iMin < 0) continue;
            int first = Math.Min(iMin, iMax), second = Math.Max(iMin, iMax);
            ox.Add(x[first]); oy.Add(y[first]);
            if (second != first) { ox.Add(x[second]); oy.Add(y[second]); }
        }
        return new XY([.. ox], [.. oy]);
    }

    /// <summary>Centred moving average over <paramref name="window"/> points (fewer at the ends); non-finite values are skipped.</summary>
    public static double[] MovingAverage(IReadOnlyList<double> y, int window)
    {
        if (window < 1) throw new ArgumentOutOfRangeException(nameof(window), "window must be >= 1");
        int n = y.Count;
        var sum = new double[n + 1]; var cnt = new int[n + 1];
        for (int i = 0; i < n; i++)
        {
            bool ok = double.IsFinite(y[i]);
            sum[i + 1] = sum[i] + (ok ? y[i] : 0);
            cnt[i + 1] = cnt[i] + (ok ? 1 : 0);
        }
        var o = new double[n];
        int half = window / 2;
        for (int i = 0; i < n; i++)
        {
            int lo = Math.Max(0, i - half), hi = Math.Min(n, i - half + window);
            int c = cnt[hi] - cnt[lo];
            o[i] = c == 0 ? double.NaN : (sum[hi] - sum[lo]) / c;
        }
        return o;
    }

    /// <summary>Every k-th point so at most <paramref name="maxPoints"/> remain; the last point is always kept. Non-finite values are dropped.</summary>
    public static XY Stride(IReadOnlyList<double> x, IReadOnlyList<double> y, int maxPoints = DefaultMaxPoints)
    {
        Check(x, y, maxPoints);
        int n = x.Count;
        if (n == 0) return XY.Empty;
        int step = Math.Max(1, (int)Math.Ceiling(n / (double)maxPoints));
        var ox = new List<double>(); var oy = new List<double>();
        for (int i = 0; i < n; i += step)
            if (double.IsFinite(y[i])) { ox.Add(x[i]); oy.Add(y[i]); }
        if ((n - 1) % step != 0 && double.IsFinite(y[n - 1]) && ox.Count < maxPoints) { ox.Add(x[n - 1]); oy.Add(y[n - 1]); }
        else if ((n - 1) % step != 0 && double.IsFinite(y[n - 1])) { ox[^1] = x[n - 1]; oy[^1] = y[n - 1]; }
        return new XY([.. ox], [.. oy]);
    }

    /// <summary>The smoothed line of a per-step series: a moving average over ~2% of the run, then <see cref="Stride"/>.</summary>
    public static XY Smoothed(IReadOnlyList<double> x, IReadOnlyList<double> y, int maxPoints = DefaultMaxPoints, double fraction = 0.02)
    {
        int window = Math.Max(1, (int)Math.Round(y.Count * fraction));
        return Stride(x, MovingAverage(y, window), maxPoints);
    }

    static void Check(IReadOnlyList<double> x, IReadOnlyList<double> y, int maxPoints)
    {
        if (x.Count != y.Count) throw new ArgumentException($"x has {x.Count} points, y has {y.Count}");
        if (maxPoints < 2) throw new ArgumentOutOfRangeException(nameof(maxPoints), "maxPoints must be >= 2");
    }
}
