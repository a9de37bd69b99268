namespace MnistClaims.Storage.Parquet;

/// <summary>
/// Malformed, truncated or unsupported Parquet data (or a Parquet.Net failure while reading or writing one).
/// The message starts with the file name and says what was expected.
/// </summary>
public sealed class ParquetFormatException : Exception
{
    public ParquetFormatException(string fileName, string message, Exception? inner = null)
        : base($"{fileName}: {message}", inner)
    {
        FileName = fileName;
    }

    public string FileName { get; }
}
