using System.Runtime.InteropServices;
using MnistClaims.Torch;

namespace MnistClaims.Core.Training;

/// <summary>Device selection and the determinism switches that must be set before a CUDA context exists.</summary>
public static partial class Devices
{
    public static Device Resolve(string name)
    {
        Device d;
        try { d = Device.Parse(name); }
        catch (Exception e) { throw new ConfigException("device", $"expected cpu, cuda or cuda:N, got '{name}' ({e.Message})"); }
        if (d.Type == DeviceType.CUDA)
        {
            if (!torch.cuda.is_available())
                throw new ConfigException("device", $"'{name}' requested but CUDA is not available (libtorch {torch.version} reports no usable GPU)");
            ConfigureCudaDeterminism();
        }
        return d;
    }

    static bool _cudaConfigured;

    /// <summary>
    /// Deterministic algorithms, cuDNN deterministic with benchmark off, TF32 off, and
    /// CUBLAS_WORKSPACE_CONFIG=:4096:8 (read by cuBLAS when its handle is created, so it is set in the
    /// process environment through libc, not only in .NET's copy).
    /// </summary>
    public static void ConfigureCudaDeterminism()
    {
        if (_cudaConfigured) return;
        if (Environment.GetEnvironmentVariable("CUBLAS_WORKSPACE_CONFIG") is null)
        {
            Environment.SetEnvironmentVariable("CUBLAS_WORKSPACE_CONFIG", ":4096:8");
            _ = setenv("CUBLAS_WORKSPACE_CONFIG", ":4096:8", 1);
        }
        torch.set_deterministic(deterministicAlgorithms: true, cudnnDeterministic: true, cudnnBenchmark: false, allowTf32: false);
        _cudaConfigured = true;
    }

    public static IReadOnlyDictionary<string, string> DeterminismSettings(string device) => device.StartsWith("cuda", StringComparison.Ordinal)
        ? new Dictionary<string, string>
        {
            ["deterministic_algorithms"] = "true",
            ["cudnn_deterministic"] = "true",
            ["cudnn_benchmark"] = "false",
            ["allow_tf32"] = "false",
            ["CUBLAS_WORKSPACE_CONFIG"] = Environment.GetEnvironmentVariable("CUBLAS_WORKSPACE_CONFIG") ?? "",
        }
        : new Dictionary<string, string>
        {
            ["cpu"] = "deterministic kernels at a fixed thread count, kernel sets pinned (see kernels)",
            [KernelPins.OpenBlasThreadsVariable] = NativeLibraryLoader.OpenBlasThreads,
            [KernelPins.AtenCapabilityVariable] = KernelPins.Get(KernelPins.AtenCapabilityVariable).Value ?? "(unpinned)",
            [KernelPins.OpenBlasCoreTypeVariable] = KernelPins.Get(KernelPins.OpenBlasCoreTypeVariable).Value ?? "(unpinned)",
        };

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);
}
