using System.Buffers.Binary;

namespace MnistClaims.Storage.Parquet;

/// <summary>
/// The checks that need no decoding, done before the library sees the bytes so that the common damage (an empty
/// or cut-off file, something that is not Parquet at all) gets a precise message: a Parquet file is
/// "PAR1", the data, the footer, the footer's length (4 bytes, little-endian) and "PAR1" again.
/// </summary>
internal static class ParquetFraming
{
    private static ReadOnlySpan<byte> Magic => "PAR1"u8;

    /// <summary>Returns where the footer lies.</summary>
    public static (int Start, int Length) Check(ReadOnlySpan<byte> bytes, string file)
    {
        if (bytes.Length < 12)
            throw new ParquetFormatException(file, $"file is {bytes.Length} bytes; expected at least 12 bytes (PAR1 magic, footer length, PAR1 magic) - truncated or not a parquet file");
        if (!bytes[..4].SequenceEqual(Magic))
            throw new ParquetFormatException(file, $"expected magic 'PAR1' at start of file, found {Hex(bytes[..4])} - not a parquet file");
        if (!bytes[^4..].SequenceEqual(Magic))
            throw new ParquetFormatException(file, $"expected magic 'PAR1' at end of file, found {Hex(bytes[^4..])} - file truncated or not a parquet file");
        int footerLength = BinaryPrimitives.ReadInt32LittleEndian(bytes[^8..]);
        if (footerLength <= 0 || footerLength > bytes.Length - 12)
            throw new ParquetFormatException(file, $"footer length {footerLength} is invalid for a file of {bytes.Length} bytes; expected 1..{bytes.Length - 12} - file truncated or corrupt");
        return (bytes.Length - 8 - footerLength, footerLength);
    }

    private static string Hex(ReadOnlySpan<byte> b) => "0x" + Convert.ToHexString(b);
}
