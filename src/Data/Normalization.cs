namespace MnistClaims.Data;

/// <summary>
/// Pixel normalizations, named as on the command line:
/// <c>none</c> (raw byte value as float), <c>scale</c> (x/255, torchvision ToTensor),
/// <c>mnist</c> ((x/255 - 0.1307)/0.3081, torchvision Normalize((0.1307,),(0.3081,))),
/// <c>half</c> ((x/255 - 0.5)/0.5, Normalize((0.5,),(0.5,))).
/// </summary>
public enum Normalization
{
    None,
    Scale,
    MeanStd,
    Half,
}

/// <summary>Parsing, formatting and application of <see cref="Normalization"/>.</summary>
public static class Normalizer
{
    /// <summary>MNIST training-set pixel mean after /255, as used by the PyTorch examples.</summary>
    public const float MnistMean = 0.1307f;

    /// <summary>MNIST training-set pixel standard deviation after /255.</summary>
    public const float MnistStd = 0.3081f;

    /// <summary>The accepted names, in enum order.</summary>
    public static IReadOnlyList<string> Names { get; } = ["none", "scale", "mnist", "half"];

    public static string ToName(this Normalization n) => n switch
    {
        Normalization.None => "none",
        Normalization.Scale => "scale",
        Normalization.MeanStd => "mnist",
        Normalization.Half => "half",
        _ => throw new ArgumentOutOfRangeException(nameof(n), n, $"unknown normalization {(int)n}"),
    };

    public static string Format(Normalization n) => n.ToName();

    public static bool TryParse(string? s, out Normalization n)
    {
        switch (s?.Trim().ToLowerInvariant())
        {
            case "none": n = Normalization.None; return true;
            case "scale": n = Normalization.Scale; return true;
            case "mnist": n = Normalization.MeanStd; return true;
            case "half": n = Normalization.Half; return true;
            default: n = default; return false;
        }
    }

    /// <summary>Parses a name (case-insensitive); throws <see cref="FormatException"/> naming the value and the allowed names.</summary>
    public static Normalization Parse(string? s)
    {
        if (TryParse(s, out var n)) return n;
        throw new FormatException(
            $"unknown normalization '{s}'; expected one of: {string.Join(", ", Names)}");
    }

    /// <summary>
    /// Normalizes one byte with exactly the float32 operations PyTorch performs:
    /// <c>v = (float)b / 255f</c>, then <c>(v - mean) / std</c>, each step rounded to float.
    /// </summary>
    public static float Apply(byte b, Normalization n)
    {
        float x = b;
        switch (n)
        {
            case Normalization.None:
                return x;
            case Normalization.Scale:
                return x / 255f;
            case Normalization.MeanStd:
            {
                float v = x / 255f;
                float centered = v - MnistMean;
                float r = centered / MnistStd;
                return r;
            }
            case Normalization.Half:
            {
                float v = x / 255f;
                float centered = v - 0.5f;
                float r = centered / 0.5f;
                return r;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(n), n, $"unknown normalization {(int)n}");
        }
    }

    /// <summary>The 256 values <see cref="Apply"/> gives for each byte value.</summary>
    public static float[] Table(Normalization n)
    {
        var table = new float[256];
        for (int b = 0; b < 256; b++) table[b] = Apply((byte)b, n);
        return table;
    }

    /// <summary>Normalizes <paramref name="pixels"/> into a new float array (bitwise equal to PyTorch float32).</summary>
    public static float[] Normalize(byte[] pixels, Normalization n)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        var result = new float[pixels.Length];
        Normalize(pixels, result, n);
        return result;
    }

    /// <summary>Normalizes <paramref name="source"/> into <paramref name="destination"/> (same length).</summary>
    public static void Normalize(ReadOnlySpan<byte> source, Span<float> destination, Normalization n)
    {
        if (destination.Length != source.Length)
            throw new ArgumentException(
                $"expected a destination of {source.Length} floats, found {destination.Length}", nameof(destination));
        var table = Table(n);
        for (int i = 0; i < source.Length; i++) destination[i] = table[source[i]];
    }
}
