using MnistClaims.Storage.Parquet;

namespace MnistClaims.Tests.Unit.Storage;

[TestFixture]
public class EncodingTests
{
    [Test]
    public void Snappy_Literal_And_Copies()
    {
        // "abcdabcdabcdX": varint len 13, literal "abcd" (tag (4-1)<<2), copy1 len 8 offset 4, literal "X"
        var input = new byte[] { 13, 3 << 2, (byte)'a', (byte)'b', (byte)'c', (byte)'d', (byte)(((8 - 4) << 2) | 1), 4, 0, (byte)'X' };
        Assert.That(System.Text.Encoding.ASCII.GetString(Snappy.Decompress(input)), Is.EqualTo("abcdabcdabcdX"));
        // copy with 2-byte offset (kind 2): len 5, offset 1 => run of 'z'
        var input2 = new byte[] { 6, 0, (byte)'z', (byte)(((5 - 1) << 2) | 2), 1, 0 };
        Assert.That(System.Text.Encoding.ASCII.GetString(Snappy.Decompress(input2)), Is.EqualTo("zzzzzz"));
        // long literal (tag 60 => 1 extra length byte)
        var lit = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
        var input3 = new byte[] { 100, 60 << 2, 99 }.Concat(lit).ToArray();
        Assert.That(Snappy.Decompress(input3), Is.EqualTo(lit));
    }

    [Test]
    public void Snappy_Bad_Offset_Throws()
    {
        Assert.Throws<InvalidDataException>(() => Snappy.Decompress(new byte[] { 4, (byte)(((4 - 4) << 2) | 1), 9 }));
    }

    [Test]
    public void Rle_RoundTrip_Bits()
    {
        foreach (var n in new[] { 1, 7, 8, 9, 100 })
        {
            foreach (var pattern in new Func<int, bool>[] { _ => true, _ => false, i => i % 3 == 0 })
            {
                var v = Enumerable.Range(0, n).Select(pattern).ToArray();
                var enc = RleBitPackedHybrid.EncodeBits(v);
                var dec = new int[n];
                RleBitPackedHybrid.Decode(enc, 1, dec);
                Assert.That(dec.Select(x => x == 1).ToArray(), Is.EqualTo(v));
            }
        }
    }

    [Test]
    public void Rle_Decode_MixedRuns_WiderBitWidth()
    {
        // RLE run: 3 x value 5 (bitwidth 3 -> 1 byte), then bit-packed group of 8 values 0..7 with width 3.
        var packed = new byte[3];
        for (int i = 0; i < 8; i++)
            for (int b = 0; b < 3; b++)
                if (((i >> b) & 1) != 0) packed[(i * 3 + b) / 8] |= (byte)(1 << ((i * 3 + b) % 8));
        var data = new byte[] { 3 << 1, 5, (1 << 1) | 1 }.Concat(packed).ToArray();
        var dec = new int[11];
        RleBitPackedHybrid.Decode(data, 3, dec);
        Assert.That(dec, Is.EqualTo(new[] { 5, 5, 5, 0, 1, 2, 3, 4, 5, 6, 7 }));
    }
}
