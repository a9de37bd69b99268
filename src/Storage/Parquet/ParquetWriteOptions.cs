namespace MnistClaims.Storage.Parquet;

public sealed class ParquetWriteOptions
{
    public ParquetCodec Codec { get; init; } = ParquetCodec.Gzip;

    /// <summary>Rows per row group; a table of N rows gets ceil(N / RowGroupSize) row groups (none when empty).</summary>
    public int RowGroupSize { get; init; } = 1 << 20;
}
