namespace MnistClaims.Storage.Parquet;

/// <summary>
/// A read-only view of bytes whose <see cref="ReadByte"/> throws at the end instead of returning -1.
/// Parquet.Net 6.1 reads Thrift varints as <c>(byte)stream.ReadByte()</c> until a byte below 0x80, so on a stream
/// that returns -1 (0xFF once cast) a damaged header that runs past the end makes it spin forever.
/// </summary>
internal sealed class EndCheckedStream(byte[] bytes, int offset, int count) : MemoryStream(bytes, offset, count, writable: false)
{
    public EndCheckedStream(byte[] bytes) : this(bytes, 0, bytes.Length) { }

    public override int ReadByte()
    {
        int b = base.ReadByte();
        return b >= 0 ? b : throw new EndOfStreamException($"read past the end ({Length} bytes)");
    }
}
