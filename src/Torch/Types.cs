namespace MnistClaims.Torch;

/// <summary>Element types. Numeric values equal <c>c10::ScalarType</c> ordinals (stable across libtorch versions).</summary>
public enum ScalarType
{
    UInt8 = 0,
    Int32 = 3,
    Int64 = 4,
    Float32 = 6,
    Float64 = 7,
    Bool = 11,
}

/// <summary>Values equal <c>c10::DeviceType</c>.</summary>
public enum DeviceType
{
    CPU = 0,
    CUDA = 1,
}

/// <summary>Loss reduction (torch's <c>reduction=</c>).</summary>
public enum Reduction
{
    None = 0,
    Mean = 1,
    Sum = 2,
}

/// <summary>A device like <c>torch.device</c>: <c>cpu</c>, <c>cuda</c> (current device), <c>cuda:1</c>.</summary>
public readonly record struct Device(DeviceType Type, int Index = -1)
{
    public static Device CPU => new(DeviceType.CPU);
    public static Device CUDA => new(DeviceType.CUDA);

    public bool IsCuda => Type == DeviceType.CUDA;

    public static Device Parse(string s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var t = s.Trim().ToLowerInvariant();
        var colon = t.IndexOf(':');
        var kind = colon < 0 ? t : t[..colon];
        int index = -1;
        if (colon >= 0 && (!int.TryParse(t[(colon + 1)..], System.Globalization.NumberStyles.None,
                               System.Globalization.CultureInfo.InvariantCulture, out index) || index < 0))
            throw new FormatException($"Invalid device index in '{s}'.");
        return kind switch
        {
            "cpu" when colon < 0 || index == 0 => new Device(DeviceType.CPU),
            "cuda" => new Device(DeviceType.CUDA, index),
            _ => throw new FormatException($"Unknown device '{s}' (expected cpu, cuda or cuda:N)."),
        };
    }

    public override string ToString() =>
        Type switch { DeviceType.CPU => "cpu", _ => Index >= 0 ? $"cuda:{Index}" : "cuda" };
}

internal static class ElementType<T> where T : unmanaged
{
    public static readonly ScalarType? Value =
        typeof(T) == typeof(float) ? ScalarType.Float32
        : typeof(T) == typeof(double) ? ScalarType.Float64
        : typeof(T) == typeof(long) ? ScalarType.Int64
        : typeof(T) == typeof(int) ? ScalarType.Int32
        : typeof(T) == typeof(byte) ? ScalarType.UInt8
        : typeof(T) == typeof(bool) ? ScalarType.Bool
        : null;

    public static ScalarType Require() =>
        Value ?? throw new NotSupportedException($"Element type {typeof(T).Name} has no tensor dtype mapping.");
}
