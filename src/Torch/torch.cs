using System.Runtime.InteropServices;
using MnistClaims.Torch.Native;

namespace MnistClaims.Torch;

/// <summary>Top-level functions, named like PyTorch / TorchSharp.</summary>
public static unsafe class torch
{
    // ------------------------------------------------------------------ version / config
    /// <summary>TORCH_VERSION of the libtorch headers the shim was compiled against (e.g. "1.13.0").</summary>
    public static string version => NativeMethods.PtrToString(NativeMethods.mc_torch_version()) ?? "";

    /// <summary>ABI version of the native shim.</summary>
    public static int native_abi_version => NativeMethods.mc_abi_version();

    /// <summary>True when the shim was built against a CUDA-enabled libtorch.</summary>
    public static bool built_with_cuda => NativeMethods.mc_built_with_cuda() != 0;

    public static string show_config() => NativeMethods.PtrToString(TorchException.Check(NativeMethods.mc_show_config()))!;
    public static string parallel_info() => NativeMethods.PtrToString(TorchException.Check(NativeMethods.mc_parallel_info()))!;

    public static class backends
    {
        public static class cpu
        {
            /// <summary>The vectorised kernel set ATen dispatches to, as PyTorch 2.x names it: "DEFAULT", "AVX2" or "AVX512".</summary>
            public static string get_cpu_capability() =>
                NativeMethods.PtrToString(TorchException.Check(NativeMethods.mc_cpu_capability()))!.ToUpperInvariant();
        }

        /// <summary>The OpenBLAS that libtorch's BLAS calls reach, if it is OpenBLAS (not a PyTorch API: OpenBLAS's own).</summary>
        public static class openblas
        {
            /// <summary><c>openblas_get_corename()</c>: the kernel set chosen when OpenBLAS loaded ("Haswell", "Zen", ...); "" when the BLAS is not OpenBLAS.</summary>
            public static string get_corename() => NativeMethods.PtrToString(TorchException.Check(NativeMethods.mc_openblas_corename()))!;
            /// <summary><c>openblas_get_config()</c>: OpenBLAS's build string; "" when the BLAS is not OpenBLAS.</summary>
            public static string get_config() => NativeMethods.PtrToString(TorchException.Check(NativeMethods.mc_openblas_config()))!;
        }
    }

    public static void set_num_threads(int n) => TorchException.Check(NativeMethods.mc_set_num_threads(n));
    public static int get_num_threads() => CheckNonNegative(NativeMethods.mc_get_num_threads());
    public static void set_num_interop_threads(int n) => TorchException.Check(NativeMethods.mc_set_num_interop_threads(n));
    public static int get_num_interop_threads() => CheckNonNegative(NativeMethods.mc_get_num_interop_threads());

    /// <summary>Seeds the default CPU generator and all CUDA generators (torch.manual_seed).</summary>
    public static void manual_seed(long seed) => TorchException.Check(NativeMethods.mc_manual_seed(seed));

    public static class cuda
    {
        public static bool is_available() => CheckNonNegative(NativeMethods.mc_cuda_is_available()) != 0;
        public static int device_count() => CheckNonNegative(NativeMethods.mc_cuda_device_count());
        /// <summary>Device name via the CUDA driver API, or null when unavailable.</summary>
        public static string? device_name(int i) => NativeMethods.PtrToString(NativeMethods.mc_cuda_device_name(i));
        public static void manual_seed_all(long seed) => TorchException.Check(NativeMethods.mc_cuda_manual_seed_all(seed));
    }

    /// <summary>
    /// torch.use_deterministic_algorithms(deterministicAlgorithms); torch.backends.cudnn.deterministic /
    /// .benchmark; torch.backends.cuda.matmul.allow_tf32 and torch.backends.cudnn.allow_tf32 = allowTf32.
    /// Enabling deterministic algorithms also sets CUBLAS_WORKSPACE_CONFIG=:4096:8 when it is unset.
    /// </summary>
    public static void set_deterministic(bool deterministicAlgorithms, bool cudnnDeterministic, bool cudnnBenchmark, bool allowTf32) =>
        TorchException.Check(NativeMethods.mc_set_deterministic(deterministicAlgorithms ? 1 : 0, cudnnDeterministic ? 1 : 0,
                                                                cudnnBenchmark ? 1 : 0, allowTf32 ? 1 : 0));

    public readonly record struct DeterminismState(bool DeterministicAlgorithms, bool CudnnDeterministic, bool CudnnBenchmark,
                                                   bool AllowTf32CuBLAS, bool AllowTf32CuDNN);

    public static DeterminismState get_deterministic()
    {
        int* f = stackalloc int[5];
        TorchException.Check(NativeMethods.mc_get_deterministic(f));
        return new DeterminismState(f[0] != 0, f[1] != 0, f[2] != 0, f[3] != 0, f[4] != 0);
    }

    // ------------------------------------------------------------------ creation
    public static Tensor tensor(float[] data, long[] shape, Device? device = null) => FromSpan<float>(data, shape, device);
    public static Tensor tensor(double[] data, long[] shape, Device? device = null) => FromSpan<double>(data, shape, device);
    public static Tensor tensor(long[] data, long[] shape, Device? device = null) => FromSpan<long>(data, shape, device);
    public static Tensor tensor(int[] data, long[] shape, Device? device = null) => FromSpan<int>(data, shape, device);
    /// <summary>uint8 tensor.</summary>
    public static Tensor tensor(byte[] data, long[] shape, Device? device = null) => FromSpan<byte>(data, shape, device);
    public static Tensor tensor(bool[] data, long[] shape, Device? device = null) => FromSpan<bool>(data, shape, device);
    /// <summary>Copies <paramref name="data"/> into a new tensor.</summary>
    public static Tensor tensor(ReadOnlySpan<float> data, long[] shape, Device? device = null) => FromSpan(data, shape, device);
    public static Tensor tensor(ReadOnlySpan<byte> data, long[] shape, Device? device = null) => FromSpan(data, shape, device);
    public static Tensor tensor(ReadOnlySpan<long> data, long[] shape, Device? device = null) => FromSpan(data, shape, device);

    /// <summary>0-dim float32 tensor.</summary>
    public static Tensor scalar_tensor(float value, Device? device = null) => FromSpan(new ReadOnlySpan<float>(in value), [], device);

    private static Tensor FromSpan<T>(ReadOnlySpan<T> data, long[] shape, Device? device) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(shape);
        long n = 1;
        foreach (var s in shape)
        {
            if (s < 0) throw new ArgumentException($"Negative dimension in shape [{string.Join(", ", shape)}].", nameof(shape));
            n = checked(n * s);
        }
        if (n != data.Length)
            throw new ArgumentException($"Shape [{string.Join(", ", shape)}] has {n} elements but data has {data.Length}.", nameof(shape));
        var d = device ?? Device.CPU;
        fixed (T* p = data)
        fixed (long* sp = shape)
            return Tensor.Wrap(NativeMethods.mc_tensor_from_data(p, (int)ElementType<T>.Require(), sp, shape.Length, (int)d.Type, d.Index));
    }

    public static Tensor zeros(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var d = device ?? Device.CPU;
        fixed (long* sp = shape) return Tensor.Wrap(NativeMethods.mc_tensor_zeros(sp, shape.Length, (int)dtype, (int)d.Type, d.Index));
    }

    public static Tensor ones(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var d = device ?? Device.CPU;
        fixed (long* sp = shape) return Tensor.Wrap(NativeMethods.mc_tensor_ones(sp, shape.Length, (int)dtype, (int)d.Type, d.Index));
    }

    public static Tensor empty(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var d = device ?? Device.CPU;
        fixed (long* sp = shape) return Tensor.Wrap(NativeMethods.mc_tensor_empty(sp, shape.Length, (int)dtype, (int)d.Type, d.Index));
    }

    public static Tensor full(long[] shape, double value, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var d = device ?? Device.CPU;
        fixed (long* sp = shape) return Tensor.Wrap(NativeMethods.mc_tensor_full(sp, shape.Length, value, (int)dtype, (int)d.Type, d.Index));
    }

    public static Tensor arange(long start, long end, long step = 1, ScalarType dtype = ScalarType.Int64, Device? device = null)
    {
        var d = device ?? Device.CPU;
        return Tensor.Wrap(NativeMethods.mc_tensor_arange(start, end, step, (int)dtype, (int)d.Type, d.Index));
    }

    /// <summary>Random permutation of 0..n-1 (int64, CPU), from <paramref name="generator"/> or the default generator.</summary>
    public static Tensor randperm(long n, Generator? generator = null) =>
        Tensor.Wrap(Generator.With(generator, g => NativeMethods.mc_randperm(n, g)));

    // ------------------------------------------------------------------ grad mode / scopes
    /// <summary>Disables autograd on this thread until disposed (restores the previous state; nestable).</summary>
    public static IDisposable no_grad() => new GradModeGuard(false);

    /// <summary>Enables autograd on this thread until disposed.</summary>
    public static IDisposable enable_grad() => new GradModeGuard(true);

    public static bool is_grad_enabled() => NativeMethods.mc_grad_is_enabled() != 0;

    public static DisposeScope NewDisposeScope() => new();

    private sealed class GradModeGuard : IDisposable
    {
        private readonly int _previous;
        private bool _disposed;
        public GradModeGuard(bool enabled) => _previous = NativeMethods.mc_grad_set_enabled(enabled ? 1 : 0);

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            NativeMethods.mc_grad_set_enabled(_previous);
        }
    }

    private static int CheckNonNegative(int v) => v >= 0 ? v : throw TorchException.FromNative();
}
