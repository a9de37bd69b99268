using MnistClaims.Storage.Parquet;

namespace MnistClaims.Tests.Unit.Storage.Parquet;

internal static class ParquetTestData
{
    /// <summary>One column of every type, required and optional, including edge values.</summary>
    public static Table AllTypes(int rows = 37)
    {
        var rnd = new Random(1234);
        var i32 = Enumerable.Range(0, rows).Select(i => i == 0 ? int.MinValue : i == 1 ? int.MaxValue : rnd.Next(-1000, 1000)).ToArray();
        var i64 = Enumerable.Range(0, rows).Select(i => i == 0 ? long.MinValue : i == 1 ? long.MaxValue : (long)rnd.Next() * 1_000_003L).ToArray();
        var f32 = Enumerable.Range(0, rows).Select(i => i == 2 ? float.NaN : (float)(rnd.NextDouble() * 10 - 5)).ToArray();
        var f64 = Enumerable.Range(0, rows).Select(i => i switch { 0 => 0.1, 1 => double.Epsilon, 2 => double.NaN, 3 => -0.0, 4 => 1e308, _ => rnd.NextDouble() - 0.5 }).ToArray();
        var b = Enumerable.Range(0, rows).Select(i => i % 3 == 0).ToArray();
        var s = Enumerable.Range(0, rows).Select(i => i switch { 0 => "", 1 => "héllo wörld", 2 => "日本語 🎉", _ => "row-" + i }).ToArray();
        return new Table(new[]
        {
            Column.Int32("i32", i32),
            Column.Int64("i64", i64),
            Column.Float("f32", f32),
            Column.Double("f64", f64),
            Column.Boolean("b", b),
            Column.String("s", s),
            Column.Int32("oi32", Enumerable.Range(0, rows).Select(i => i % 4 == 1 ? (int?)null : i).ToArray()),
            Column.Int64("oi64", Enumerable.Range(0, rows).Select(i => i % 5 == 0 ? (long?)null : -i * 10_000_000_000L).ToArray()),
            Column.Float("of32", Enumerable.Range(0, rows).Select(i => i % 2 == 0 ? (float?)null : i / 7f).ToArray()),
            Column.Double("of64", Enumerable.Range(0, rows).Select(i => i % 3 == 2 ? (double?)null : i / 3.0).ToArray()),
            Column.Boolean("ob", Enumerable.Range(0, rows).Select(i => i % 6 == 0 ? (bool?)null : i % 4 == 0).ToArray()),
            Column.OptionalString("os", Enumerable.Range(0, rows).Select(i => i % 7 == 3 ? null : "v" + (i * 31 % 11)).ToArray()),
        }, new Dictionary<string, string> { ["experiment"] = "exp-001", ["seed"] = "42", ["unicode"] = "ß→✓" });
    }

    /// <summary>The IEEE 754 values a codec or encoder could lose: NaNs with sign and payload, signed zeros, subnormals, infinities.</summary>
    public static Table SpecialFloats()
    {
        double[] d =
        {
            double.NaN, -double.NaN, BitConverter.Int64BitsToDouble(0x7FF0_0000_0000_0001), BitConverter.Int64BitsToDouble(0x7FF8_DEAD_BEEF_0001),
            0.0, -0.0, double.Epsilon, -double.Epsilon, BitConverter.Int64BitsToDouble(0x000F_FFFF_FFFF_FFFF), 2.2250738585072014E-308,
            double.PositiveInfinity, double.NegativeInfinity, double.MaxValue, double.MinValue, 0.1, 1.0 / 3.0,
        };
        float[] f =
        {
            float.NaN, -float.NaN, BitConverter.Int32BitsToSingle(0x7F80_0001), BitConverter.Int32BitsToSingle(0x7FC0_BEEF),
            0f, -0f, float.Epsilon, -float.Epsilon, BitConverter.Int32BitsToSingle(0x007F_FFFF), 1.17549435E-38f,
            float.PositiveInfinity, float.NegativeInfinity, float.MaxValue, float.MinValue, 0.1f, 1f / 3f,
        };
        return new Table(new[]
        {
            Column.Double("d", d),
            Column.Float("f", f),
            Column.Double("od", d.Select((x, i) => i % 5 == 4 ? (double?)null : x).ToArray()),
            Column.Float("of", f.Select((x, i) => i % 5 == 4 ? (float?)null : x).ToArray()),
        });
    }

    public static void AssertTablesEqual(Table actual, Table expected)
    {
        Assert.That(actual.RowCount, Is.EqualTo(expected.RowCount), "row count");
        Assert.That(actual.Columns.Select(c => c.Name), Is.EqualTo(expected.Columns.Select(c => c.Name)), "column names");
        foreach (var e in expected.Columns)
        {
            var a = actual[e.Name];
            Assert.That(a.Type, Is.EqualTo(e.Type), $"type of {e.Name}");
            Assert.That(a.Optional, Is.EqualTo(e.Optional), $"optional of {e.Name}");
            for (int r = 0; r < e.Length; r++)
            {
                Assert.That(a.IsNull(r), Is.EqualTo(e.IsNull(r)), $"{e.Name}[{r}] null");
                var ev = e.GetValue(r);
                var av = a.GetValue(r);
                if (ev is double d) Assert.That(BitConverter.DoubleToInt64Bits((double)av!), Is.EqualTo(BitConverter.DoubleToInt64Bits(d)), $"{e.Name}[{r}]");
                else if (ev is float f) Assert.That(BitConverter.SingleToInt32Bits((float)av!), Is.EqualTo(BitConverter.SingleToInt32Bits(f)), $"{e.Name}[{r}]");
                else Assert.That(av, Is.EqualTo(ev), $"{e.Name}[{r}]");
            }
        }
    }
}
