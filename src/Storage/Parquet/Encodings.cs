using System.Buffers.Binary;
using System.IO.Compression;

namespace MnistClaims.Storage.Parquet;

/// <summary>RLE / bit-packed hybrid encoding (used for definition levels, dictionary indices, RLE booleans).</summary>
public static class RleBitPackedHybrid
{
    /// <summary>
    /// Encodes bit-width-1 values (definition levels 0/1). All-equal input becomes one RLE run;
    /// mixed input becomes one bit-packed run (zero padded to a multiple of 8 values).
    /// </summary>
    public static byte[] EncodeBits(ReadOnlySpan<bool> values)
    {
        var ms = new MemoryStream();
        if (values.Length == 0) return Array.Empty<byte>();
        bool first = values[0];
        bool allSame = true;
        foreach (var v in values) if (v != first) { allSame = false; break; }
        if (allSame)
        {
            WriteUVarint(ms, (ulong)values.Length << 1);
            ms.WriteByte(first ? (byte)1 : (byte)0);
            return ms.ToArray();
        }
        int groups = (values.Length + 7) / 8;
        WriteUVarint(ms, ((ulong)groups << 1) | 1);
        var packed = new byte[groups];
        for (int i = 0; i < values.Length; i++)
            if (values[i]) packed[i >> 3] |= (byte)(1 << (i & 7));
        ms.Write(packed);
        return ms.ToArray();
    }

    /// <summary>Decodes <paramref name="count"/> values of <paramref name="bitWidth"/> bits from <paramref name="data"/>.</summary>
    public static void Decode(ReadOnlySpan<byte> data, int bitWidth, Span<int> output)
    {
        if (bitWidth < 0 || bitWidth > 32) throw new InvalidDataException($"invalid RLE bit width {bitWidth}");
        int pos = 0, o = 0, count = output.Length;
        int byteWidth = (bitWidth + 7) / 8;
        while (o < count)
        {
            if (pos >= data.Length) throw new InvalidDataException($"RLE data ended after {o} of {count} values");
            ulong header = ReadUVarint(data, ref pos);
            if ((header & 1) == 0)
            {
                ulong runLen = header >> 1;
                if (pos + byteWidth > data.Length) throw new InvalidDataException("RLE run value truncated");
                int value = 0;
                for (int i = 0; i < byteWidth; i++) value |= data[pos + i] << (8 * i);
                pos += byteWidth;
                int n = (int)Math.Min(runLen, (ulong)(count - o));
                output.Slice(o, n).Fill(value);
                o += n;
            }
            else
            {
                ulong groups = header >> 1;
                ulong totalValues = groups * 8;
                long bytesNeeded = (long)groups * bitWidth;
                if (bytesNeeded > data.Length - pos)
                {
                    // Some writers truncate the final bit-packed run; accept as long as the values we need are present.
                    long needValues = Math.Min((long)totalValues, count - o);
                    long needBytes = (needValues * bitWidth + 7) / 8;
                    if (needBytes > data.Length - pos) throw new InvalidDataException("bit-packed run truncated");
                    bytesNeeded = data.Length - pos;
                }
                int n = (int)Math.Min(totalValues, (ulong)(count - o));
                if (bitWidth == 0)
                {
                    output.Slice(o, n).Clear();
                }
                else
                {
                    ulong mask = bitWidth == 32 ? 0xFFFFFFFFUL : (1UL << bitWidth) - 1;
                    long bitPos = (long)pos * 8;
                    for (int i = 0; i < n; i++)
                    {
                        long bp = bitPos + (long)i * bitWidth;
                        int byteIdx = (int)(bp >> 3);
                        int shift = (int)(bp & 7);
                        ulong acc = 0;
                        int needed = (shift + bitWidth + 7) / 8;
                        for (int k = 0; k < needed && byteIdx + k < data.Length; k++) acc |= (ulong)data[byteIdx + k] << (8 * k);
                        output[o + i] = (int)((acc >> shift) & mask);
                    }
                }
                o += n;
                pos += (int)bytesNeeded;
            }
        }
    }

    internal static void WriteUVarint(Stream s, ulong v)
    {
        while (v >= 0x80) { s.WriteByte((byte)(v | 0x80)); v >>= 7; }
        s.WriteByte((byte)v);
    }

    internal static ulong ReadUVarint(ReadOnlySpan<byte> data, ref int pos)
    {
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (pos >= data.Length) throw new InvalidDataException("varint truncated");
            byte b = data[pos++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw new InvalidDataException("varint too long");
    }
}

/// <summary>Raw (block) Snappy decompressor, as used by Parquet's SNAPPY codec.</summary>
public static class Snappy
{
    public static byte[] Decompress(ReadOnlySpan<byte> input)
    {
        int pos = 0;
        ulong ulen = RleBitPackedHybrid.ReadUVarint(input, ref pos);
        if (ulen > int.MaxValue) throw new InvalidDataException($"snappy: uncompressed length {ulen} too large");
        var output = new byte[(int)ulen];
        int o = 0;
        while (pos < input.Length)
        {
            byte tag = input[pos++];
            int kind = tag & 3;
            if (kind == 0)
            {
                int len = tag >> 2;
                if (len >= 60)
                {
                    int nbytes = len - 59;
                    if (pos + nbytes > input.Length) throw new InvalidDataException("snappy: literal length truncated");
                    len = 0;
                    for (int i = 0; i < nbytes; i++) len |= input[pos + i] << (8 * i);
                    pos += nbytes;
                }
                len += 1;
                if (len <= 0 || pos + len > input.Length || o + len > output.Length) throw new InvalidDataException("snappy: literal out of bounds");
                input.Slice(pos, len).CopyTo(output.AsSpan(o));
                pos += len;
                o += len;
            }
            else
            {
                int len, offset;
                if (kind == 1)
                {
                    if (pos >= input.Length) throw new InvalidDataException("snappy: copy truncated");
                    len = ((tag >> 2) & 7) + 4;
                    offset = ((tag >> 5) << 8) | input[pos++];
                }
                else if (kind == 2)
                {
                    if (pos + 2 > input.Length) throw new InvalidDataException("snappy: copy truncated");
                    len = (tag >> 2) + 1;
                    offset = BinaryPrimitives.ReadUInt16LittleEndian(input.Slice(pos));
                    pos += 2;
                }
                else
                {
                    if (pos + 4 > input.Length) throw new InvalidDataException("snappy: copy truncated");
                    len = (tag >> 2) + 1;
                    uint off = BinaryPrimitives.ReadUInt32LittleEndian(input.Slice(pos));
                    if (off > int.MaxValue) throw new InvalidDataException("snappy: bad copy offset");
                    offset = (int)off;
                    pos += 4;
                }
                if (offset <= 0 || offset > o || o + len > output.Length) throw new InvalidDataException($"snappy: bad copy (offset {offset}, length {len}) at output {o}");
                for (int i = 0; i < len; i++) output[o + i] = output[o - offset + i];
                o += len;
            }
        }
        if (o != output.Length) throw new InvalidDataException($"snappy: produced {o} bytes, header said {output.Length}");
        return output;
    }
}

internal static class Gzip
{
    public static byte[] Compress(ReadOnlySpan<byte> data)
    {
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(data);
        return ms.ToArray();
    }

    public static byte[] Decompress(byte[] data, int offset, int count, int expectedSize)
    {
        using var gz = new GZipStream(new MemoryStream(data, offset, count, writable: false), CompressionMode.Decompress);
        var output = new byte[expectedSize];
        int read = 0;
        while (read < expectedSize)
        {
            int n = gz.Read(output, read, expectedSize - read);
            if (n == 0) break;
            read += n;
        }
        if (read != expectedSize) throw new InvalidDataException($"gzip: decompressed {read} bytes, page header said {expectedSize}");
        return output;
    }
}
