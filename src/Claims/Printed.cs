using System.Globalization;

namespace MnistClaims.Claims;

/// <summary>How a document printed a number: rounded or truncated to a unit.</summary>
public enum PrintMode { Rounded, Truncated, Exact }

/// <summary>
/// A documented number and the interval of true values consistent with how it was printed:
/// 0.97 printed with 2 decimals, rounded, means [0.965, 0.975]; "96%" truncated means [0.96, 0.97).
/// This is the only tolerance a single documented run gives us for free; the seeds add the rest.
/// </summary>
public readonly record struct Printed(double Value, double Unit, PrintMode Mode, string Text)
{
    public double Lo => Mode switch { PrintMode.Rounded => Value - Unit / 2, PrintMode.Truncated => Value, _ => Value };
    public double Hi => Mode switch { PrintMode.Rounded => Value + Unit / 2, PrintMode.Truncated => Value + Unit, _ => Value };

    /// <summary>A number printed with <paramref name="decimals"/> decimals, rounded; <paramref name="scale"/> converts units (0.01 for percent).</summary>
    public static Printed Rounded(double printed, int decimals, double scale = 1, string? text = null) =>
        new(printed * scale, Math.Pow(10, -decimals) * scale, PrintMode.Rounded, text ?? printed.ToString("F" + decimals, CultureInfo.InvariantCulture));

    public static Printed Truncated(double printed, int decimals, double scale = 1, string? text = null) =>
        new(printed * scale, Math.Pow(10, -decimals) * scale, PrintMode.Truncated, text ?? printed.ToString("F" + decimals, CultureInfo.InvariantCulture));

    public static Printed Exactly(double value, string? text = null) =>
        new(value, 0, PrintMode.Exact, text ?? value.ToString("R", CultureInfo.InvariantCulture));

    /// <summary>Infers the decimals from the text as printed ("0.0039" has 4).</summary>
    public static Printed FromText(string text, double scale = 1, PrintMode mode = PrintMode.Rounded)
    {
        var t = text.Trim().TrimEnd('%');
        var v = double.Parse(t, CultureInfo.InvariantCulture);
        int dot = t.IndexOf('.');
        int decimals = dot < 0 ? 0 : t.Length - dot - 1;
        return mode == PrintMode.Truncated ? Truncated(v, decimals, scale, text) : Rounded(v, decimals, scale, text);
    }

    /// <summary>The middle of the interval the printing allows (the value itself when exact or rounded).</summary>
    public double Center => (Lo + Hi) / 2;

    /// <summary>What this document would have printed for a true value <paramref name="x"/> (same unit and mode).</summary>
    public double PrintLike(double x) => Mode switch
    {
        PrintMode.Rounded when Unit > 0 => Math.Round(x / Unit, MidpointRounding.ToEven) * Unit,
        PrintMode.Truncated when Unit > 0 => Math.Floor(x / Unit + 1e-9) * Unit,
        _ => x,
    };

    /// <summary>The same printing applied to <paramref name="x"/>, as a <see cref="Printed"/> (the pseudo-documents of the rule's calibration).</summary>
    public Printed Reprint(double x) => this with { Value = PrintLike(x) };

    public string Describe() => Mode switch
    {
        PrintMode.Rounded => $"{Text} (rounded: [{Lo.ToString("G6", CultureInfo.InvariantCulture)}, {Hi.ToString("G6", CultureInfo.InvariantCulture)}])",
        PrintMode.Truncated => $"{Text} (truncated: [{Lo.ToString("G6", CultureInfo.InvariantCulture)}, {Hi.ToString("G6", CultureInfo.InvariantCulture)}))",
        _ => Text,
    };
}
