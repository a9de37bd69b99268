using System.Buffers.Binary;
using System.IO.Compression;

namespace MnistClaims.Data;

/// <summary>
/// Reader for the IDX format used by the MNIST distribution (big-endian header:
/// two zero bytes, a type code (0x08 = unsigned byte), the number of dimensions,
/// then one 32-bit size per dimension, then the data).
/// Paths ending in ".gz" are decompressed transparently.
/// Every malformed input is reported as an <see cref="InvalidDataException"/>
/// whose message names the file and what was expected versus found.
/// </summary>
public static class IdxReader
{
    /// <summary>Magic number of an unsigned-byte IDX file with 3 dimensions (images).</summary>
    public const int ImageMagic = 0x00000803;

    /// <summary>Magic number of an unsigned-byte IDX file with 1 dimension (labels).</summary>
    public const int LabelMagic = 0x00000801;

    /// <summary>Largest image side accepted (sanity bound; MNIST uses 28).</summary>
    public const int MaxSide = 4096;

    /// <summary>Number of classes; labels must lie in 0..NumClasses-1.</summary>
    public const int NumClasses = 10;

    /// <summary>Reads an IDX3 unsigned-byte image file. Pixels are row-major, image after image.</summary>
    public static (byte[] Pixels, int Count, int Rows, int Cols) ReadImages(string path)
    {
        var name = Path.GetFileName(path);
        var bytes = ReadAll(path);
        CheckMagic(name, bytes, ImageMagic, "images");
        const int header = 16;
        if (bytes.Length < header)
            throw new InvalidDataException(
                $"{name}: expected at least a {header}-byte IDX3 header, found {bytes.Length} bytes");
        int count = ReadDim(name, bytes, 4, "image count", int.MaxValue);
        int rows = ReadDim(name, bytes, 8, "row count", MaxSide);
        int cols = ReadDim(name, bytes, 12, "column count", MaxSide);
        long payload = (long)count * rows * cols;
        long expected = header + payload;
        if (payload > Array.MaxLength)
            throw new InvalidDataException(
                $"{name}: {count}x{rows}x{cols} images need {payload} bytes, more than one array can hold");
        if (bytes.LongLength != expected)
            throw new InvalidDataException(
                $"{name}: expected {expected} bytes for {count}x{rows}x{cols} images, found {bytes.LongLength}" +
                (bytes.LongLength < expected ? " (file is truncated)" : " (trailing bytes after the data)"));
        var pixels = bytes.AsSpan(header).ToArray();
        return (pixels, count, rows, cols);
    }

    /// <summary>Reads an IDX1 unsigned-byte label file; every label must be in 0..9.</summary>
    public static byte[] ReadLabels(string path)
    {
        var name = Path.GetFileName(path);
        var bytes = ReadAll(path);
        CheckMagic(name, bytes, LabelMagic, "labels");
        const int header = 8;
        if (bytes.Length < header)
            throw new InvalidDataException(
                $"{name}: expected at least an {header}-byte IDX1 header, found {bytes.Length} bytes");
        int count = ReadDim(name, bytes, 4, "label count", int.MaxValue);
        long expected = header + (long)count;
        if (bytes.LongLength != expected)
            throw new InvalidDataException(
                $"{name}: expected {expected} bytes for {count} labels, found {bytes.LongLength}" +
                (bytes.LongLength < expected ? " (file is truncated)" : " (trailing bytes after the data)"));
        var labels = bytes.AsSpan(header).ToArray();
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] >= NumClasses)
                throw new InvalidDataException(
                    $"{name}: expected labels in 0..{NumClasses - 1}, found {labels[i]} at index {i}");
        }
        return labels;
    }

    private static byte[] ReadAll(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"IDX file not found: {path}", path);
        if (!path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
            return File.ReadAllBytes(path);
        try
        {
            using var file = File.OpenRead(path);
            using var gz = new GZipStream(file, CompressionMode.Decompress);
            using var ms = new MemoryStream(capacity: (int)Math.Min(file.Length * 8, Array.MaxLength));
            gz.CopyTo(ms);
            return ms.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException(
                $"{Path.GetFileName(path)}: expected a gzip stream (the name ends with .gz), but decompression failed: {e.Message}", e);
        }
    }

    private static void CheckMagic(string name, byte[] bytes, int expectedMagic, string what)
    {
        if (bytes.Length < 4)
            throw new InvalidDataException(
                $"{name}: expected a 4-byte IDX magic number 0x{expectedMagic:X8} ({what}), found a {bytes.Length}-byte file");
        int magic = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (magic == expectedMagic) return;
        int expectedDims = expectedMagic & 0xFF;
        string detail;
        if ((magic >>> 16) != 0)
            detail = "not an IDX file";
        else if (((magic >> 8) & 0xFF) != 0x08)
            detail = $"element type code 0x{(magic >> 8) & 0xFF:X2} instead of 0x08 (unsigned byte)";
        else
            detail = $"{magic & 0xFF} dimension(s) instead of {expectedDims}";
        throw new InvalidDataException(
            $"{name}: expected magic 0x{expectedMagic:X8} (unsigned-byte {what}, {expectedDims} dimension(s)), found 0x{magic:X8} ({detail})");
    }

    private static int ReadDim(string name, byte[] bytes, int offset, string what, int max)
    {
        uint v = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(offset));
        if (v == 0 || v > (uint)max)
            throw new InvalidDataException(
                $"{name}: expected {what} in 1..{max}, found {v}");
        return (int)v;
    }
}
