using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace MnistClaims.Reporting;

/// <summary>
/// A minimal PNG encoder (8-bit greyscale or RGB, no interlacing, filter 0 on every row, zlib via
/// <see cref="ZLibStream"/>). Enough for MNIST digits; deterministic: the same pixels give the same bytes.
/// </summary>
public static class Png
{
    static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Encodes <paramref name="pixels"/> (row-major, <paramref name="channels"/> bytes per pixel: 1 = grey, 3 = RGB).</summary>
    public static byte[] Encode(ReadOnlySpan<byte> pixels, int width, int height, int channels = 1)
    {
        if (width <= 0 || height <= 0) throw new ArgumentException($"PNG size must be positive, got {width}x{height}");
        if (channels is not (1 or 3)) throw new ArgumentException($"channels must be 1 (grey) or 3 (RGB), got {channels}");
        if (pixels.Length != width * height * channels)
            throw new ArgumentException($"expected {width * height * channels} bytes for {width}x{height}x{channels}, got {pixels.Length}");

        using var png = new MemoryStream();
        png.Write(Signature);

        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(0), width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;                               // bit depth
        ihdr[9] = (byte)(channels == 1 ? 0 : 2);  // colour type: greyscale / truecolour
        ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0; // deflate, adaptive filtering, no interlace
        WriteChunk(png, "IHDR", ihdr);

        using (var raw = new MemoryStream())
        {
            using (var z = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
            {
                int stride = width * channels;
                for (int y = 0; y < height; y++)
                {
                    z.WriteByte(0);   // filter type None
                    z.Write(pixels.Slice(y * stride, stride));
                }
            }
            WriteChunk(png, "IDAT", raw.ToArray());
        }
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>Scales a greyscale image up by an integer factor (nearest neighbour), so small digits stay crisp everywhere.</summary>
    public static byte[] Upscale(ReadOnlySpan<byte> grey, int width, int height, int factor)
    {
        if (factor < 1) throw new ArgumentException("factor must be >= 1");
        var o = new byte[width * factor * height * factor];
        int ow = width * factor;
        for (int y = 0; y < height * factor; y++)
            for (int x = 0; x < ow; x++)
                o[y * ow + x] = grey[(y / factor) * width + x / factor];
        return o;
    }

    static void WriteChunk(Stream s, string type, byte[] data)
    {
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(len, data.Length);
        s.Write(len);
        var typeBytes = Encoding.ASCII.GetBytes(type);
        s.Write(typeBytes);
        s.Write(data);
        uint crc = Crc32.Update(Crc32.Update(0xFFFFFFFFu, typeBytes), data) ^ 0xFFFFFFFFu;
        Span<byte> c = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(c, crc);
        s.Write(c);
    }
}

/// <summary>CRC-32 (ISO-HDLC, polynomial 0xEDB88320), as PNG chunks use it.</summary>
public static class Crc32
{
    static readonly uint[] Table = Build();

    static uint[] Build()
    {
        var t = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        return t;
    }

    /// <summary>Continues a running CRC register (start with 0xFFFFFFFF, finish by xor-ing with 0xFFFFFFFF).</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    public static uint Compute(ReadOnlySpan<byte> data) => Update(0xFFFFFFFFu, data) ^ 0xFFFFFFFFu;
}
