namespace MnistClaims.Claims.Rule;

/// <summary>
/// The scale a metric is judged on, where run-to-run noise is roughly Gaussian and every interval stays inside the
/// metric's range: accuracies and counts out of <see cref="Items"/> on the logit of the proportion (clamped half an item
/// from 0 and 1), losses and times on the log, anything else as it is.
/// </summary>
public sealed record MetricScale(MetricScale.Kind Type, int Items = 0)
{
    public enum Kind { Identity, Log, Logit }

    public static readonly MetricScale Identity = new(Kind.Identity);
    public static readonly MetricScale Log = new(Kind.Log);

    /// <summary>A proportion of <paramref name="items"/> (an accuracy of 10,000 test images).</summary>
    public static MetricScale Proportion(int items) => new(Kind.Logit, items);

    /// <summary>A count out of <paramref name="items"/>, judged as the proportion count / items.</summary>
    public static MetricScale Count(int items) => new(Kind.Logit, -items);

    double Eps => 0.5 / Math.Abs(Items);

    /// <summary>The value on the judging scale.</summary>
    public double Apply(double x)
    {
        switch (Type)
        {
            case Kind.Log: return Math.Log(Math.Max(x, 1e-300));
            case Kind.Logit:
                double p = Items < 0 ? x / -Items : x;
                p = Math.Clamp(p, Eps, 1 - Eps);
                return Math.Log(p / (1 - p));
            default: return x;
        }
    }

    /// <summary>Back from the judging scale to the metric's own.</summary>
    public double Invert(double y) => Type switch
    {
        Kind.Log => Math.Exp(y),
        Kind.Logit => (Items < 0 ? -Items : 1) / (1 + Math.Exp(-y)),
        _ => y,
    };

    /// <summary>d Apply / dx at <paramref name="x"/> (for the printing interval's width on the judging scale).</summary>
    public double Slope(double x)
    {
        switch (Type)
        {
            case Kind.Log: return 1 / Math.Max(x, 1e-300);
            case Kind.Logit:
                double n = Items < 0 ? -Items : 1;
                double p = Math.Clamp(Items < 0 ? x / n : x, Eps, 1 - Eps);
                return 1 / (p * (1 - p) * n);
            default: return 1;
        }
    }

    public override string ToString() => Type switch { Kind.Log => "log", Kind.Logit => Items < 0 ? $"logit(count/{-Items})" : "logit", _ => "linear" };
}
