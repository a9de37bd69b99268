using System.Runtime.InteropServices;
using MnistClaims.Torch;

namespace MnistClaims.Core.Engines.Fused;

/// <summary>
/// The one native entry the fused engine needs (src/Native/fused.cpp), looked up in the already-loaded
/// shim so the Torch binding stays untouched. Absent in a shim built before fused.cpp existed: then
/// <see cref="HasDropoutMask"/> is false and dropout configurations run on libtorch. Also the MXCSR accessors
/// that tests and the bench's flush-to-zero diagnosis use to inspect the floating-point environment.
/// </summary>
public static unsafe class FusedNative
{
    static readonly object Lock = new();
    static bool _resolved;
    static delegate* unmanaged<float*, long, long, double, int> _mask;
    static delegate* unmanaged<IntPtr> _lastError;
    static delegate* unmanaged<uint> _mxcsrGet;
    static delegate* unmanaged<uint, void> _mxcsrSet;

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
                if (NativeLibrary.TryGetExport(h, "mc_mxcsr_get", out var g)) _mxcsrGet = (delegate* unmanaged<uint>)g;
                if (NativeLibrary.TryGetExport(h, "mc_mxcsr_set", out var s)) _mxcsrSet = (delegate* unmanaged<uint, void>)s;
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

    /// <summary>The calling thread's MXCSR (x86), or null when the shim predates the accessor.</summary>
    public static uint? Mxcsr { get { Resolve(); return _mxcsrGet != null ? _mxcsrGet() : null; } }

    /// <summary>Sets the calling thread's MXCSR (tests clear its sticky exception flags with it); false when the shim lacks the accessor.</summary>
    public static bool SetMxcsr(uint value)
    {
        Resolve();
        if (_mxcsrSet == null) return false;
        _mxcsrSet(value);
        return true;
    }
}
