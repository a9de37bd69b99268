using System.Globalization;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace MnistClaims.Reporting.Charts;

/// <summary>
/// Ticks for an axis that shows log10 of the data (ScottPlot 5 has no log scale of its own: the data are
/// drawn as log10 and the ticks are placed and labelled here). Major ticks at 1, 2 and 5 x 10^k, or at the
/// powers of ten alone when the axis spans more than three decades; minor ticks at the other integers x 10^k;
/// labels are the plain values (0.05, 1, 20).
/// </summary>
internal static class LogTicks
{
    /// <summary>Ticks for an axis from log10 value <paramref name="low"/> to <paramref name="high"/>.</summary>
    public static ITickGenerator For(double low, double high)
    {
        int[] majors = high - low > 3 ? [1] : [1, 2, 5];
        var ticks = Place(low, high, majors);
        if (ticks.Count(t => t.IsMajor) < 2) ticks = Place(low, high, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        if (ticks.Count(t => t.IsMajor) < 2)   // less than a tenth of a decade: evenly spaced ticks, labelled with their values
            return new NumericAutomatic { LabelFormatter = y => Label(Math.Pow(10, y)) };
        var manual = new NumericManual();
        foreach (var t in ticks) manual.Add(t);
        return manual;
    }

    /// <summary>The ticks m x 10^k between the limits, major where m is in <paramref name="majors"/>.</summary>
    static List<Tick> Place(double low, double high, int[] majors)
    {
        var ticks = new List<Tick>();
        const double slack = 1e-9;
        for (int k = (int)Math.Floor(low); k <= (int)Math.Ceiling(high); k++)
            for (int m = 1; m <= 9; m++)
            {
                double value = m * Math.Pow(10, k), at = Math.Log10(value);
                if (at < low - slack || at > high + slack) continue;
                ticks.Add(majors.Contains(m) ? Tick.Major(at, Label(value)) : Tick.Minor(at));
            }
        return ticks;
    }

    /// <summary>A tick value as a person writes it: 0.002, 1, 50, 1e-05.</summary>
    static string Label(double value) => value.ToString("G4", CultureInfo.InvariantCulture).Replace("E", "e");
}
