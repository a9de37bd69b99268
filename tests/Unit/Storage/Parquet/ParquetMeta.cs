using Parquet;
using Parquet.Meta;

namespace MnistClaims.Tests.Unit.Storage.Parquet;

/// <summary>The raw footer of a file as Parquet.Net parses it: row groups, chunk encodings and codecs for tests to inspect.</summary>
internal static class ParquetMeta
{
    public static FileMetaData Read(string path) => Read(File.ReadAllBytes(path));

    public static FileMetaData Read(byte[] bytes) => Task.Run(async () =>
    {
        await using var reader = await ParquetReader.CreateAsync(new MemoryStream(bytes), leaveStreamOpen: false);
        return reader.Metadata!;
    }).GetAwaiter().GetResult();

    public static ColumnMetaData Chunk(FileMetaData meta, int rowGroup, string column) =>
        meta.RowGroups[rowGroup].Columns.Single(c => c.MetaData!.PathInSchema.SequenceEqual(new[] { column })).MetaData!;
}
