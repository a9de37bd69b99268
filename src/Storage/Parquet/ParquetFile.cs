using MnistClaims.Common;

namespace MnistClaims.Storage.Parquet;

/// <summary>
/// Reads and writes flat Parquet files (columns of the six <see cref="ParquetType"/>s, REQUIRED or OPTIONAL, plus
/// file-level key/value metadata) through Parquet.Net. Every malformed, truncated or unsupported input throws
/// <see cref="ParquetFormatException"/> naming the file (and the column, where one is involved).
/// </summary>
public static class ParquetFile
{
    /// <summary>Writes atomically (see <see cref="AtomicFile"/>): readers never see half a file.</summary>
    public static void Write(string path, Table table, ParquetWriteOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(table);
        AtomicFile.Write(path, fs => WriteTo(fs, table, options, path));
    }

    public static byte[] WriteToBytes(Table table, ParquetWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        var ms = new MemoryStream();
        WriteTo(ms, table, options, "<bytes>");
        return ms.ToArray();
    }

    /// <summary>Writes the file to any writable stream (a seekable one avoids a buffering layer in the library).</summary>
    public static void WriteTo(Stream output, Table table, ParquetWriteOptions? options = null) =>
        WriteTo(output, table, options, "<stream>");

    private static void WriteTo(Stream output, Table table, ParquetWriteOptions? options, string nameForErrors)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(table);
        RunSync(() => ParquetTableWriter.WriteAsync(output, table, options ?? new ParquetWriteOptions(), nameForErrors));
    }

    /// <summary>A missing file throws <see cref="FileNotFoundException"/> with the path; a bad one <see cref="ParquetFormatException"/>.</summary>
    public static Table Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"parquet file not found: {path}", path, ex);
        }
        return Read(bytes, path);
    }

    public static Table Read(byte[] bytes, string nameForErrors)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return RunSync(() => ParquetTableReader.ReadAsync(bytes, nameForErrors ?? "<bytes>"));
    }

    // Parquet.Net is async only. Task.Run keeps its continuations off any caller's SynchronizationContext, so
    // blocking here cannot deadlock; GetResult rethrows the original exception (not an AggregateException).
    private static T RunSync<T>(Func<Task<T>> work) => Task.Run(work).GetAwaiter().GetResult();
    private static void RunSync(Func<Task> work) => Task.Run(work).GetAwaiter().GetResult();
}
