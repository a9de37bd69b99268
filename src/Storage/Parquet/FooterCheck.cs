using System.Reflection;
using Parquet;
using Parquet.Meta;

namespace MnistClaims.Storage.Parquet;

/// <summary>
/// Parses the footer with Parquet.Net's own Thrift reader, over an <see cref="EndCheckedStream"/>, before the library
/// parses it for real. Parquet.Net copies the footer into a MemoryStream of its own, and a damaged footer that makes
/// its parser run past the end then spins forever (see <see cref="EndCheckedStream"/>); over our stream the same
/// parse throws instead. A footer that passes never read past its end, so the library's identical parse of the
/// same bytes finishes too. The two members are internal to Parquet.Net 6.1.0 (pinned in Directory.Packages.props);
/// if an upgrade renames them, this type fails to initialise and every read says so.
/// </summary>
internal static class FooterCheck
{
    private static readonly System.Type ProtocolReader =
        typeof(ParquetReader).Assembly.GetType("Parquet.Meta.Proto.ThriftCompactProtocolReader", throwOnError: true)!;

    private static readonly MethodInfo ReadFileMetaData =
        typeof(FileMetaData).GetMethod("Read", BindingFlags.NonPublic | BindingFlags.Static, [ProtocolReader])
        ?? throw new MissingMethodException("Parquet.Meta.FileMetaData.Read(ThriftCompactProtocolReader) is gone; see FooterCheck");

    public static void Check(byte[] bytes, int footerStart, int footerLength, string file)
    {
        var protocol = Activator.CreateInstance(ProtocolReader, new EndCheckedStream(bytes, footerStart, footerLength))!;
        try { ReadFileMetaData.Invoke(null, [protocol]); }
        catch (TargetInvocationException ex) when (ex.InnerException is { } inner)
        {
            throw new ParquetFormatException(file, $"corrupt file footer (file metadata, {footerLength} bytes at offset {footerStart}): {inner.Message}", inner);
        }
    }
}
