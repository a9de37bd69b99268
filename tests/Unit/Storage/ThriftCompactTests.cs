using MnistClaims.Storage.Parquet.Thrift;

namespace MnistClaims.Tests.Unit.Storage;

[TestFixture]
public class ThriftCompactTests
{
    [TestCase(0)]
    [TestCase(1)]
    [TestCase(-1)]
    [TestCase(63)]
    [TestCase(-64)]
    [TestCase(64)]
    [TestCase(int.MaxValue)]
    [TestCase(int.MinValue)]
    public void I32_RoundTrips(int v)
    {
        var w = new ThriftCompactWriter();
        w.WriteI32(v);
        var r = new ThriftCompactReader(w.ToArray());
        Assert.That(r.ReadI32(), Is.EqualTo(v));
        Assert.That(r.Position, Is.EqualTo(w.Length));
    }

    [TestCase(0L)]
    [TestCase(-1L)]
    [TestCase(long.MaxValue)]
    [TestCase(long.MinValue)]
    [TestCase(1L << 40)]
    public void I64_RoundTrips(long v)
    {
        var w = new ThriftCompactWriter();
        w.WriteI64(v);
        Assert.That(new ThriftCompactReader(w.ToArray()).ReadI64(), Is.EqualTo(v));
    }

    [Test]
    public void ZigZag_MatchesSpec()
    {
        Assert.That(ThriftCompactWriter.ZigZag32(0), Is.EqualTo(0u));
        Assert.That(ThriftCompactWriter.ZigZag32(-1), Is.EqualTo(1u));
        Assert.That(ThriftCompactWriter.ZigZag32(1), Is.EqualTo(2u));
        Assert.That(ThriftCompactWriter.ZigZag32(-2), Is.EqualTo(3u));
        Assert.That(ThriftCompactWriter.ZigZag64(long.MinValue), Is.EqualTo(ulong.MaxValue));
        var w = new ThriftCompactWriter();
        w.WriteI32(150); // zigzag 300 -> varint AC 02
        Assert.That(w.ToArray(), Is.EqualTo(new byte[] { 0xAC, 0x02 }));
    }

    [Test]
    public void FieldHeaders_ShortDelta_LongJump_NegativeDelta()
    {
        var w = new ThriftCompactWriter();
        w.StructBegin();
        w.I32Field(1, 7);        // short form delta 1
        w.I32Field(16, 8);       // delta 15 -> still short
        w.I32Field(300, 9);      // long jump -> long form
        w.I32Field(2, 10);       // negative delta -> long form
        w.BoolField(3, true);
        w.BoolField(4, false);
        w.StructEnd();
        var bytes = w.ToArray();
        Assert.That(bytes[0], Is.EqualTo((byte)0x15)); // delta 1, type I32
        var r = new ThriftCompactReader(bytes);
        r.StructBegin();
        var seen = new List<(short, object)>();
        while (r.ReadFieldHeader(out var id, out var t))
        {
            seen.Add((id, t is ThriftType.BoolTrue or ThriftType.BoolFalse ? r.ReadBool() : r.ReadI32()));
        }
        r.StructEnd();
        Assert.That(seen, Is.EqualTo(new List<(short, object)> { (1, 7), (16, 8), (300, 9), (2, 10), (3, true), (4, false) }));
        Assert.That(r.Position, Is.EqualTo(bytes.Length));
    }

    [Test]
    public void NestedStructs_ListsAndBinary_RoundTrip_AndUnknownFieldsAreSkipped()
    {
        var w = new ThriftCompactWriter();
        w.StructBegin();
        w.I32Field(5, 42);
        w.FieldBegin(6, ThriftType.Struct);          // nested struct, ids restart from 0 inside
        w.StructBegin();
        w.StringField(1, "inner");
        w.I64Field(20, -5);
        w.FieldBegin(21, ThriftType.List);
        w.ListBegin(ThriftType.I32, 20);             // >= 15 elements -> long list header
        for (int i = 0; i < 20; i++) w.WriteI32(i - 10);
        w.StructEnd();
        w.I32Field(7, 43);                           // delta computed against outer last id (6)
        w.FieldBegin(8, ThriftType.List);
        w.ListBegin(ThriftType.Struct, 2);
        for (int k = 0; k < 2; k++) { w.StructBegin(); w.DoubleField(1, k + 0.5); w.StructEnd(); }
        w.FieldBegin(9, ThriftType.List);
        w.ListBegin(ThriftType.BoolTrue, 3);
        w.WriteBoolElement(true); w.WriteBoolElement(false); w.WriteBoolElement(true);
        w.BinaryField(10, new byte[] { 0, 255, 7 });
        w.StructEnd();
        var bytes = w.ToArray();

        // full read
        var r = new ThriftCompactReader(bytes);
        r.StructBegin();
        Assert.That(r.ReadFieldHeader(out var id, out var t) && id == 5 && t == ThriftType.I32, Is.True);
        Assert.That(r.ReadI32(), Is.EqualTo(42));
        Assert.That(r.ReadFieldHeader(out id, out t) && id == 6 && t == ThriftType.Struct, Is.True);
        r.StructBegin();
        Assert.That(r.ReadFieldHeader(out id, out t) && id == 1, Is.True);
        Assert.That(r.ReadString(), Is.EqualTo("inner"));
        Assert.That(r.ReadFieldHeader(out id, out t) && id == 20, Is.True);
        Assert.That(r.ReadI64(), Is.EqualTo(-5));
        Assert.That(r.ReadFieldHeader(out id, out t) && id == 21 && t == ThriftType.List, Is.True);
        var (et, n) = r.ReadListHeader();
        Assert.That((et, n), Is.EqualTo((ThriftType.I32, 20)));
        var list = Enumerable.Range(0, n).Select(_ => r.ReadI32()).ToArray();
        Assert.That(list, Is.EqualTo(Enumerable.Range(-10, 20).ToArray()));
        Assert.That(r.ReadFieldHeader(out _, out _), Is.False);
        r.StructEnd();
        Assert.That(r.ReadFieldHeader(out id, out t) && id == 7, Is.True);
        Assert.That(r.ReadI32(), Is.EqualTo(43));
        Assert.That(r.ReadFieldHeader(out id, out t) && id == 8, Is.True);
        (et, n) = r.ReadListHeader();
        Assert.That((et, n), Is.EqualTo((ThriftType.Struct, 2)));
        for (int k = 0; k < 2; k++)
        {
            r.StructBegin();
            Assert.That(r.ReadFieldHeader(out id, out t) && id == 1 && t == ThriftType.Double, Is.True);
            Assert.That(r.ReadDouble(), Is.EqualTo(k + 0.5));
            Assert.That(r.ReadFieldHeader(out _, out _), Is.False);
            r.StructEnd();
        }
        Assert.That(r.ReadFieldHeader(out id, out t) && id == 9, Is.True);
        (et, n) = r.ReadListHeader();
        Assert.That(Enumerable.Range(0, n).Select(_ => r.ReadBool()).ToArray(), Is.EqualTo(new[] { true, false, true }));
        Assert.That(r.ReadFieldHeader(out id, out t) && id == 10, Is.True);
        Assert.That(r.ReadBinary(), Is.EqualTo(new byte[] { 0, 255, 7 }));
        Assert.That(r.ReadFieldHeader(out _, out _), Is.False);
        r.StructEnd();

        // skipping: read only field 10, skipping everything else
        var s = new ThriftCompactReader(bytes);
        s.StructBegin();
        byte[]? bin = null;
        while (s.ReadFieldHeader(out id, out t))
        {
            if (id == 10) bin = s.ReadBinary(); else s.Skip(t);
        }
        s.StructEnd();
        Assert.That(bin, Is.EqualTo(new byte[] { 0, 255, 7 }));
        Assert.That(s.Position, Is.EqualTo(bytes.Length));
    }

    [Test]
    public void Truncated_Throws()
    {
        var w = new ThriftCompactWriter();
        w.StructBegin();
        w.StringField(1, "hello world");
        w.StructEnd();
        var bytes = w.ToArray()[..5];
        var r = new ThriftCompactReader(bytes);
        r.StructBegin();
        Assert.Throws<ThriftFormatException>(() =>
        {
            while (r.ReadFieldHeader(out _, out var t)) r.Skip(t);
        });
    }
}
