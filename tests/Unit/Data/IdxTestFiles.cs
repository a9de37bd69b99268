using System.Buffers.Binary;
using System.IO.Compression;

namespace MnistClaims.Tests.Unit.Data;

/// <summary>Writes small IDX files (optionally gzipped or deliberately malformed) into a temp directory.</summary>
internal static class IdxTestFiles
{
    public static byte[] ImagesBytes(int count, int rows, int cols, Func<int, byte>? pixel = null, int magic = 0x00000803)
    {
        var bytes = new byte[16 + count * rows * cols];
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(0), magic);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), cols);
        for (int i = 16; i < bytes.Length; i++) bytes[i] = pixel?.Invoke(i - 16) ?? (byte)((i - 16) % 251);
        return bytes;
    }

    public static byte[] LabelsBytes(byte[] labels, int magic = 0x00000801)
    {
        var bytes = new byte[8 + labels.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(0), magic);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), labels.Length);
        labels.CopyTo(bytes, 8);
        return bytes;
    }

    public static string Write(string dir, string name, byte[] bytes)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public static string WriteGz(string dir, string name, byte[] bytes)
    {
        var path = Path.Combine(dir, name);
        using var file = File.Create(path);
        using var gz = new GZipStream(file, CompressionLevel.Fastest);
        gz.Write(bytes);
        return path;
    }

    public static string NewTempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "mnist-claims-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
