using MnistClaims.Torch.Native;

namespace MnistClaims.Torch;

/// <summary>An error raised inside libtorch / the native shim; <see cref="Exception.Message"/> is the native message.</summary>
public sealed class TorchException : Exception
{
    public TorchException(string message) : base(message) { }
    public TorchException(string message, Exception inner) : base(message, inner) { }

    internal static TorchException FromNative() => new(NativeMethods.LastError());

    internal static void Check(int status)
    {
        if (status != 0) throw FromNative();
    }

    internal static IntPtr Check(IntPtr handle)
    {
        if (handle == IntPtr.Zero) throw FromNative();
        return handle;
    }
}
