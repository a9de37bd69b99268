using MnistClaims.Storage.Parquet;
using Parquet.Serialization;

namespace MnistClaims.Tests.Unit.Storage.Parquet;

/// <summary>Valid Parquet that a flat table of the six types cannot hold is refused by name: file, column, and what it is.</summary>
[TestFixture]
public class ParquetUnsupportedTests
{
    private sealed class WithDecimal { public decimal Price { get; set; } = 1.25m; }
    private sealed class WithUInt { public uint Count { get; set; } = 7; }
    private sealed class WithBinary { public byte[] Blob { get; set; } = [1, 2, 3]; }
    private sealed class WithList { public List<int> Xs { get; set; } = [1, 2]; }
    private sealed class Inner { public int A { get; set; } = 1; }
    private sealed class WithStruct { public Inner In { get; set; } = new(); }

    /// <summary>A one-row file written by Parquet.Net itself (its serializer), so the input is valid Parquet.</summary>
    private static byte[] Written<T>(T row) => Task.Run(async () =>
    {
        var ms = new MemoryStream();
        await ParquetSerializer.SerializeAsync(new[] { row }, ms);
        return ms.ToArray();
    }).GetAwaiter().GetResult();

    private static void AssertRefused(byte[] bytes, params string[] fragments)
    {
        var ex = Assert.Throws<ParquetFormatException>(() => ParquetFile.Read(bytes, "odd.parquet"))!;
        Assert.That(ex.Message, Does.StartWith("odd.parquet: "));
        foreach (var f in fragments) Assert.That(ex.Message, Does.Contain(f));
    }

    [Test] public void Decimal() => AssertRefused(Written(new WithDecimal()), "unsupported type DECIMAL(", "column 'Price'");
    [Test] public void Unsigned() => AssertRefused(Written(new WithUInt()), "unsupported type UINT_32", "column 'Count'");
    [Test] public void Binary() => AssertRefused(Written(new WithBinary()), "unsupported type BYTE_ARRAY without STRING annotation", "column 'Blob'");
    [Test] public void List() => AssertRefused(Written(new WithList()), "column 'Xs'", "nested schemas are not supported");
    [Test] public void Struct() => AssertRefused(Written(new WithStruct()), "column 'In'", "nested schemas are not supported");
}
