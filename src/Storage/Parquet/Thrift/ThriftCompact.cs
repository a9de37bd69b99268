using System.Buffers.Binary;
using System.Text;

namespace MnistClaims.Storage.Parquet.Thrift;

/// <summary>Element/field types of the Thrift compact protocol (the 4-bit type nibble).</summary>
public enum ThriftType : byte
{
    Stop = 0,
    BoolTrue = 1,
    BoolFalse = 2,
    Byte = 3,
    I16 = 4,
    I32 = 5,
    I64 = 6,
    Double = 7,
    Binary = 8,
    List = 9,
    Set = 10,
    Map = 11,
    Struct = 12,
}

/// <summary>Thrown when Thrift compact data is malformed or truncated.</summary>
public sealed class ThriftFormatException : Exception
{
    public ThriftFormatException(string message) : base(message) { }
}

/// <summary>
/// Minimal Thrift compact protocol writer (https://github.com/apache/thrift/blob/master/doc/specs/thrift-compact-protocol.md).
/// Field headers use the short delta form when the id delta is 1..15, the long form otherwise (including negative deltas).
/// </summary>
public sealed class ThriftCompactWriter
{
    private readonly MemoryStream _out = new();
    private readonly Stack<short> _lastFieldStack = new();
    private short _lastFieldId;

    public long Length => _out.Length;

    public byte[] ToArray() => _out.ToArray();

    /// <summary>Enter a struct: field ids restart from 0.</summary>
    public void StructBegin()
    {
        _lastFieldStack.Push(_lastFieldId);
        _lastFieldId = 0;
    }

    /// <summary>Write the STOP byte and leave the struct.</summary>
    public void StructEnd()
    {
        _out.WriteByte(0);
        if (_lastFieldStack.Count == 0) throw new InvalidOperationException("StructEnd without StructBegin");
        _lastFieldId = _lastFieldStack.Pop();
    }

    public void FieldBegin(short id, ThriftType type)
    {
        if (type == ThriftType.Stop) throw new ArgumentException("use StructEnd to write STOP", nameof(type));
        int delta = id - _lastFieldId;
        if (delta > 0 && delta <= 15)
        {
            _out.WriteByte((byte)((delta << 4) | (byte)type));
        }
        else
        {
            _out.WriteByte((byte)type);
            WriteI16(id);
        }
        _lastFieldId = id;
    }

    public void BoolField(short id, bool value) => FieldBegin(id, value ? ThriftType.BoolTrue : ThriftType.BoolFalse);
    public void ByteField(short id, sbyte value) { FieldBegin(id, ThriftType.Byte); WriteByte(value); }
    public void I16Field(short id, short value) { FieldBegin(id, ThriftType.I16); WriteI16(value); }
    public void I32Field(short id, int value) { FieldBegin(id, ThriftType.I32); WriteI32(value); }
    public void I64Field(short id, long value) { FieldBegin(id, ThriftType.I64); WriteI64(value); }
    public void DoubleField(short id, double value) { FieldBegin(id, ThriftType.Double); WriteDouble(value); }
    public void BinaryField(short id, ReadOnlySpan<byte> value) { FieldBegin(id, ThriftType.Binary); WriteBinary(value); }
    public void StringField(short id, string value) { FieldBegin(id, ThriftType.Binary); WriteString(value); }

    public void ListBegin(ThriftType elementType, int count)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count));
        // Booleans inside collections use type id 1 (BOOLEAN_TRUE) by convention.
        byte et = elementType == ThriftType.BoolFalse ? (byte)ThriftType.BoolTrue : (byte)elementType;
        if (count < 15) _out.WriteByte((byte)((count << 4) | et));
        else
        {
            _out.WriteByte((byte)(0xF0 | et));
            WriteVarint((uint)count);
        }
    }

    /// <summary>Boolean as a collection element: one byte, 1 = true, 2 = false.</summary>
    public void WriteBoolElement(bool value) => _out.WriteByte(value ? (byte)1 : (byte)2);
    public void WriteByte(sbyte value) => _out.WriteByte((byte)value);
    public void WriteI16(short value) => WriteVarint(ZigZag32(value));
    public void WriteI32(int value) => WriteVarint(ZigZag32(value));
    public void WriteI64(long value) => WriteVarint64(ZigZag64(value));

    public void WriteDouble(double value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(b, value);
        _out.Write(b);
    }

    public void WriteBinary(ReadOnlySpan<byte> value)
    {
        WriteVarint((uint)value.Length);
        _out.Write(value);
    }

    public void WriteString(string value) => WriteBinary(Encoding.UTF8.GetBytes(value));

    public void WriteVarint(uint v)
    {
        while (v >= 0x80) { _out.WriteByte((byte)(v | 0x80)); v >>= 7; }
        _out.WriteByte((byte)v);
    }

    public void WriteVarint64(ulong v)
    {
        while (v >= 0x80) { _out.WriteByte((byte)(v | 0x80)); v >>= 7; }
        _out.WriteByte((byte)v);
    }

    public static uint ZigZag32(int n) => (uint)((n << 1) ^ (n >> 31));
    public static ulong ZigZag64(long n) => (ulong)((n << 1) ^ (n >> 63));
}

/// <summary>Minimal Thrift compact protocol reader with bounds checking and generic skipping of unknown fields.</summary>
public sealed class ThriftCompactReader
{
    private const int MaxDepth = 64;
    private readonly byte[] _data;
    private readonly int _end;
    private readonly Stack<short> _lastFieldStack = new();
    private short _lastFieldId;
    private bool? _pendingBool;
    private int _pos;

    public ThriftCompactReader(byte[] data) : this(data, 0, data.Length) { }

    public ThriftCompactReader(byte[] data, int offset, int end)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (offset < 0 || end > data.Length || offset > end) throw new ArgumentOutOfRangeException(nameof(offset));
        _data = data;
        _pos = offset;
        _end = end;
    }

    public int Position => _pos;

    public void StructBegin()
    {
        if (_lastFieldStack.Count >= MaxDepth) throw new ThriftFormatException($"thrift structs nested deeper than {MaxDepth}");
        _lastFieldStack.Push(_lastFieldId);
        _lastFieldId = 0;
    }

    public void StructEnd()
    {
        if (_lastFieldStack.Count == 0) throw new InvalidOperationException("StructEnd without StructBegin");
        _lastFieldId = _lastFieldStack.Pop();
    }

    /// <summary>Reads a field header. Returns false at STOP.</summary>
    public bool ReadFieldHeader(out short id, out ThriftType type)
    {
        byte b = ReadRawByte();
        if (b == 0) { id = 0; type = ThriftType.Stop; return false; }
        int t = b & 0x0F;
        if (t > 12) throw new ThriftFormatException($"invalid thrift compact type {t} at offset {_pos - 1}");
        type = (ThriftType)t;
        int delta = b >> 4;
        id = delta != 0 ? (short)(_lastFieldId + delta) : ReadI16();
        _lastFieldId = id;
        _pendingBool = type switch { ThriftType.BoolTrue => true, ThriftType.BoolFalse => false, _ => null };
        return true;
    }

    /// <summary>Reads a boolean field value (taken from the header) or, outside a field header, a boolean collection element.</summary>
    public bool ReadBool()
    {
        if (_pendingBool is bool v) { _pendingBool = null; return v; }
        return ReadRawByte() == 1;
    }

    public sbyte ReadByte() => (sbyte)ReadRawByte();
    public short ReadI16() => (short)UnZigZag32(ReadVarint32());
    public int ReadI32() => UnZigZag32(ReadVarint32());
    public long ReadI64() => UnZigZag64(ReadVarint64());

    public double ReadDouble()
    {
        Need(8);
        double d = BinaryPrimitives.ReadDoubleLittleEndian(_data.AsSpan(_pos, 8));
        _pos += 8;
        return d;
    }

    public byte[] ReadBinary()
    {
        uint len = ReadVarint32();
        if (len > int.MaxValue) throw new ThriftFormatException($"thrift binary length {len} is invalid");
        Need((int)len);
        var r = _data.AsSpan(_pos, (int)len).ToArray();
        _pos += (int)len;
        return r;
    }

    public string ReadString()
    {
        uint len = ReadVarint32();
        if (len > int.MaxValue) throw new ThriftFormatException($"thrift string length {len} is invalid");
        Need((int)len);
        var s = Encoding.UTF8.GetString(_data, _pos, (int)len);
        _pos += (int)len;
        return s;
    }

    public (ThriftType ElementType, int Count) ReadListHeader()
    {
        byte b = ReadRawByte();
        int count = b >> 4;
        int t = b & 0x0F;
        if (count == 15)
        {
            uint c = ReadVarint32();
            if (c > int.MaxValue) throw new ThriftFormatException($"thrift list size {c} is invalid");
            count = (int)c;
        }
        if (t > 12 || t == 0) throw new ThriftFormatException($"invalid thrift list element type {t}");
        // every element takes at least one byte (except empty structs...which still take the STOP byte)
        if (count > _end - _pos) throw new ThriftFormatException($"thrift list size {count} exceeds remaining {_end - _pos} bytes");
        var et = (ThriftType)t;
        if (et == ThriftType.BoolFalse) et = ThriftType.BoolTrue;
        return (et, count);
    }

    /// <summary>Skips a value of the given type (used for unknown fields).</summary>
    public void Skip(ThriftType type) => Skip(type, 0);

    private void Skip(ThriftType type, int depth)
    {
        if (depth > MaxDepth) throw new ThriftFormatException($"thrift values nested deeper than {MaxDepth}");
        switch (type)
        {
            case ThriftType.BoolTrue:
            case ThriftType.BoolFalse:
                if (_pendingBool.HasValue) _pendingBool = null; else ReadRawByte();
                break;
            case ThriftType.Byte: ReadRawByte(); break;
            case ThriftType.I16:
            case ThriftType.I32: ReadVarint32(); break;
            case ThriftType.I64: ReadVarint64(); break;
            case ThriftType.Double: Need(8); _pos += 8; break;
            case ThriftType.Binary:
                {
                    uint len = ReadVarint32();
                    if (len > int.MaxValue) throw new ThriftFormatException($"thrift binary length {len} is invalid");
                    Need((int)len);
                    _pos += (int)len;
                    break;
                }
            case ThriftType.List:
            case ThriftType.Set:
                {
                    var (et, n) = ReadListHeader();
                    for (int i = 0; i < n; i++)
                    {
                        if (et == ThriftType.BoolTrue) ReadRawByte(); else Skip(et, depth + 1);
                    }
                    break;
                }
            case ThriftType.Map:
                {
                    uint n = ReadVarint32();
                    if (n == 0) break;
                    byte kv = ReadRawByte();
                    var kt = (ThriftType)(kv >> 4);
                    var vt = (ThriftType)(kv & 0x0F);
                    if (n > (uint)(_end - _pos)) throw new ThriftFormatException($"thrift map size {n} exceeds remaining bytes");
                    for (uint i = 0; i < n; i++)
                    {
                        if (kt is ThriftType.BoolTrue or ThriftType.BoolFalse) ReadRawByte(); else Skip(kt, depth + 1);
                        if (vt is ThriftType.BoolTrue or ThriftType.BoolFalse) ReadRawByte(); else Skip(vt, depth + 1);
                    }
                    break;
                }
            case ThriftType.Struct:
                StructBegin();
                try
                {
                    while (ReadFieldHeader(out _, out var ft)) Skip(ft, depth + 1);
                }
                finally { StructEnd(); }
                break;
            default:
                throw new ThriftFormatException($"cannot skip thrift type {type}");
        }
    }

    public uint ReadVarint32()
    {
        uint result = 0;
        for (int shift = 0; shift < 35; shift += 7)
        {
            byte b = ReadRawByte();
            result |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw new ThriftFormatException("thrift varint32 too long");
    }

    public ulong ReadVarint64()
    {
        ulong result = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            byte b = ReadRawByte();
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw new ThriftFormatException("thrift varint64 too long");
    }

    public static int UnZigZag32(uint n) => (int)(n >> 1) ^ -(int)(n & 1);
    public static long UnZigZag64(ulong n) => (long)(n >> 1) ^ -(long)(n & 1);

    private byte ReadRawByte()
    {
        if (_pos >= _end) throw new ThriftFormatException($"unexpected end of thrift data at offset {_pos}");
        return _data[_pos++];
    }

    private void Need(int n)
    {
        if (n < 0 || _end - _pos < n) throw new ThriftFormatException($"unexpected end of thrift data: need {n} bytes at offset {_pos}, have {_end - _pos}");
    }
}
