namespace MnistClaims.Storage.Parquet;

/// <summary>Decoders for the Parquet v2 encodings DuckDB emits with PARQUET_VERSION V2
/// (DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT).</summary>
internal static class DeltaEncodings
{
    /// <summary>Decodes DELTA_BINARY_PACKED; returns the values and advances <paramref name="pos"/> past the encoded data.</summary>
    public static long[] DecodeDeltaBinaryPacked(ReadOnlySpan<byte> data, ref int pos, int expectedCount)
    {
        ulong blockSize = RleBitPackedHybrid.ReadUVarint(data, ref pos);
        ulong miniblocks = RleBitPackedHybrid.ReadUVarint(data, ref pos);
        ulong total = RleBitPackedHybrid.ReadUVarint(data, ref pos);
        long first = ZigZag(RleBitPackedHybrid.ReadUVarint(data, ref pos));
        if (blockSize == 0 || miniblocks == 0 || blockSize % 128 != 0 || blockSize / miniblocks % 32 != 0 || miniblocks > blockSize)
            throw new InvalidDataException($"DELTA_BINARY_PACKED: invalid block size {blockSize} / miniblocks {miniblocks}");
        if (total < (ulong)expectedCount)
            throw new InvalidDataException($"DELTA_BINARY_PACKED: holds {total} values, expected {expectedCount}");
        if (total > int.MaxValue) throw new InvalidDataException($"DELTA_BINARY_PACKED: {total} values is too many");
        int n = (int)total;
        var result = new long[n];
        if (n == 0) return result;
        result[0] = first;
        int valuesPerMini = (int)(blockSize / miniblocks);
        int count = 1;
        long prev = first;
        Span<byte> widths = stackalloc byte[(int)miniblocks];
        while (count < n)
        {
            long minDelta = ZigZag(RleBitPackedHybrid.ReadUVarint(data, ref pos));
            if (pos + (int)miniblocks > data.Length) throw new InvalidDataException("DELTA_BINARY_PACKED: bit widths truncated");
            data.Slice(pos, (int)miniblocks).CopyTo(widths);
            pos += (int)miniblocks;
            for (int m = 0; m < (int)miniblocks && count < n; m++)
            {
                int w = widths[m];
                if (w > 64) throw new InvalidDataException($"DELTA_BINARY_PACKED: bit width {w}");
                long bytes = (long)valuesPerMini * w / 8;
                if (pos + bytes > data.Length)
                {
                    // the last miniblock may be cut short if only the needed values are present
                    long needed = ((long)Math.Min(valuesPerMini, n - count) * w + 7) / 8;
                    if (pos + needed > data.Length) throw new InvalidDataException("DELTA_BINARY_PACKED: miniblock truncated");
                    bytes = data.Length - pos;
                }
                var mini = data.Slice(pos, (int)bytes);
                for (int i = 0; i < valuesPerMini && count < n; i++)
                {
                    ulong packed = ReadBits(mini, (long)i * w, w);
                    prev = unchecked(prev + minDelta + (long)packed);
                    result[count++] = prev;
                }
                pos += (int)bytes;
            }
        }
        return result;
    }

    public static byte[][] DecodeDeltaLengthByteArray(ReadOnlySpan<byte> data, ref int pos, int count)
    {
        var lengths = DecodeDeltaBinaryPacked(data, ref pos, count);
        var result = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            long len = lengths[i];
            if (len < 0 || len > data.Length - pos) throw new InvalidDataException($"DELTA_LENGTH_BYTE_ARRAY: length {len} at value {i} exceeds data");
            result[i] = data.Slice(pos, (int)len).ToArray();
            pos += (int)len;
        }
        return result;
    }

    public static byte[][] DecodeDeltaByteArray(ReadOnlySpan<byte> data, ref int pos, int count)
    {
        var prefixes = DecodeDeltaBinaryPacked(data, ref pos, count);
        var suffixes = DecodeDeltaLengthByteArray(data, ref pos, count);
        var result = new byte[count][];
        byte[] prev = Array.Empty<byte>();
        for (int i = 0; i < count; i++)
        {
            long p = prefixes[i];
            if (p < 0 || p > prev.Length) throw new InvalidDataException($"DELTA_BYTE_ARRAY: prefix {p} longer than previous value");
            var v = new byte[p + suffixes[i].Length];
            prev.AsSpan(0, (int)p).CopyTo(v);
            suffixes[i].CopyTo(v, (int)p);
            result[i] = prev = v;
        }
        return result;
    }

    /// <summary>BYTE_STREAM_SPLIT: byte k of value i is at data[k * count + i].</summary>
    public static byte[] UnsplitByteStreams(ReadOnlySpan<byte> data, int count, int width)
    {
        if ((long)count * width > data.Length) throw new InvalidDataException($"BYTE_STREAM_SPLIT: need {(long)count * width} bytes, have {data.Length}");
        var output = new byte[count * width];
        for (int k = 0; k < width; k++)
            for (int i = 0; i < count; i++)
                output[i * width + k] = data[k * count + i];
        return output;
    }

    private static long ZigZag(ulong n) => (long)(n >> 1) ^ -(long)(n & 1);

    private static ulong ReadBits(ReadOnlySpan<byte> data, long bitOffset, int width)
    {
        if (width == 0) return 0;
        ulong result = 0;
        int got = 0;
        while (got < width)
        {
            long byteIdx = (bitOffset + got) >> 3;
            int shift = (int)((bitOffset + got) & 7);
            int take = Math.Min(8 - shift, width - got);
            ulong b = byteIdx < data.Length ? data[(int)byteIdx] : 0UL;
            result |= ((b >> shift) & ((1UL << take) - 1)) << got;
            got += take;
        }
        return result;
    }
}
