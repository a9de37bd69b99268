using System.Runtime.InteropServices;
using MnistClaims.Torch;

namespace MnistClaims.Core.Engines.Fused;

/// <summary>
/// The one native entry the fused engine needs (src/Native/fused.cpp), looked up in the already-loaded
/// shim so the Torch binding stays untouched. Absent in a shim built before fused.cpp existed: then
/// <see cref="HasDropoutMask"/> is false and dropout configurations run on libtorch.
/// </summary>
public static unsafe class FusedNative
{
    static readonly object Lock = new();
    static bool _resolved;
    static delegate* unmanaged<float*, long, long, double, int> _mask;
    static delegate* unmanaged<IntPtr> _lastError;

    static void Resolve()
    {
        if (_resolved) return;
        lock (Lock)
        {
            if (_resolved) return;
            _ = torch.version;   // forces the shim to load
            if (NativeLibraryLoader.LoadedPath is { } path && NativeLibrary.TryLoad(path, out var h))
            {
                if (NativeLibrary.TryGetExport(h, "mc_fused_dropout_mask", out var f)) _mask = (delegate* unmanaged<float*, long, long, double, int>)f;
                if (NativeLibrary.TryGetExport(h, "mc_last_error", out var e)) _lastError = (delegate* unmanaged<IntPtr>)e;
            }
            _resolved = true;
        }
    }

    public static bool HasDropoutMask { get { Resolve(); return _mask != null; } }

    /// <summary>
    /// The noise torch::dropout(x [rows, cols], p, train=true) multiplies x by (0 or 1/(1-p)), drawn from the
    /// default generator exactly as that call would draw it. Writes rows*cols floats, row-major.
    /// </summary>
    public static void DropoutMask(float* dst, long rows, long cols, double p)
    {
        Resolve();
        if (_mask == null) throw new InvalidOperationException("the native shim has no mc_fused_dropout_mask; rebuild it (make native)");
        if (_mask(dst, rows, cols, p) != 0)
            throw new TorchException(_lastError != null ? Marshal.PtrToStringUTF8(_lastError()) ?? "native error" : "native error");
    }
}
