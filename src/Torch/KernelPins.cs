using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace MnistClaims.Torch;

/// <summary>
/// Which native code paths libtorch's CPU results come from, pinned before libtorch loads so that the same
/// configuration gives the same bits on every x86-64 CPU with AVX2 and FMA (AMD or Intel, with or without
/// AVX-512). Three choices decide the bits besides the code itself; each was shown to change them (README,
/// "Profiles"; tests/Regression/KernelPinTests.cs):
/// <list type="bullet">
/// <item><c>ATEN_CPU_CAPABILITY</c>: ATen's vectorised kernel set (default / avx2 / avx512), read by libtorch
///   at its first dispatch. Left alone, an AVX-512 CPU gets avx512 kernels and other bits. Pinned to <c>avx2</c>.</item>
/// <item><c>OPENBLAS_CORETYPE</c>: the GEMM kernels of Debian's OpenBLAS (built with DYNAMIC_ARCH), read when
///   OpenBLAS loads. Left alone, OpenBLAS picks per CPU (Zen, SkylakeX, or even the generic Prescott on some
///   Intel VMs, 4x slower). Pinned to <c>Haswell</c> (Haswell and Zen kernels give the same bits).</item>
/// <item><c>OPENBLAS_NUM_THREADS</c>: OpenBLAS's own pool beside libtorch's; its GEMM bits depend on its size.
///   Pinned to <c>1</c>.</item>
/// </list>
/// A variable the user has set is never overridden: they get what they asked for, and the manifest and the
/// profile name record it (read back from the libraries, not assumed). On a CPU without AVX2+FMA nothing but
/// the thread count is pinned, and the profile keeps the CPU's name. <c>MNIST_CLAIMS_PIN_KERNELS=0</c> leaves
/// every kernel choice to the libraries (to see what a CPU picks by itself).
/// </summary>
public static class KernelPins
{
    public const string AtenCapabilityVariable = "ATEN_CPU_CAPABILITY";
    public const string OpenBlasCoreTypeVariable = "OPENBLAS_CORETYPE";
    public const string OpenBlasThreadsVariable = "OPENBLAS_NUM_THREADS";
    public const string DisableVariable = "MNIST_CLAIMS_PIN_KERNELS";

    public const string PinnedAtenCapability = "avx2";
    public const string PinnedOpenBlasCoreType = "Haswell";
    public const string PinnedOpenBlasThreads = "1";

    /// <summary>One pinned (or not) variable: its value in this process and who chose it.</summary>
    public sealed record Pin(string Variable, string? Value, PinSource Source);

    public enum PinSource { Harness, User, Unpinned }

    /// <summary>True when this CPU can run the pinned kernel sets (AVX2 and FMA on x86-64).</summary>
    public static bool CpuSupportsPins => Avx2.IsSupported && Fma.IsSupported;

    static IReadOnlyList<Pin>? _applied;

    /// <summary>The variables as they were when libtorch loaded (applies the pins first if nothing has loaded yet).</summary>
    public static IReadOnlyList<Pin> Applied => _applied ??= Apply();

    public static Pin Get(string variable) => Applied.First(p => p.Variable == variable);

    /// <summary>Sets the pins in this process's environment (and libc's, which the native libraries read). Idempotent.</summary>
    internal static IReadOnlyList<Pin> Apply()
    {
        if (_applied is not null) return _applied;
        bool pinKernels = CpuSupportsPins && Environment.GetEnvironmentVariable(DisableVariable) is not ("0" or "false" or "no");
        var pins = new List<Pin>
        {
            PinOne(OpenBlasThreadsVariable, PinnedOpenBlasThreads, pin: true),
            PinOne(AtenCapabilityVariable, PinnedAtenCapability, pinKernels),
            PinOne(OpenBlasCoreTypeVariable, PinnedOpenBlasCoreType, pinKernels),
        };
        var aten = pins[1].Value?.Trim().ToLowerInvariant();
        if (aten == "avx512" && !CpuHasAtenAvx512())
            throw new InvalidOperationException($"{AtenCapabilityVariable}=avx512 but this CPU lacks AVX-512 (libtorch would stop on an illegal instruction); unset it or use avx2 or default");
        if (aten == "avx2" && !CpuSupportsPins)
            throw new InvalidOperationException($"{AtenCapabilityVariable}=avx2 but this CPU lacks AVX2/FMA (libtorch would stop on an illegal instruction); unset it or use default");
        return _applied = pins;
    }

    /// <summary>ATen's avx512 kernels need AVX-512 F, DQ, BW and VL (CPUID leaf 7, EBX bits 16, 17, 30, 31); read from
    /// CPUID rather than .NET's IsSupported, which a JIT switch (DOTNET_EnableAVX512=0) can turn off.</summary>
    static bool CpuHasAtenAvx512()
    {
        if (!X86Base.IsSupported) return false;
        var (_, ebx, _, _) = X86Base.CpuId(7, 0);
        const int need = (1 << 16) | (1 << 17) | (1 << 30) | unchecked((int)(1u << 31));
        return (ebx & need) == need;
    }

    static Pin PinOne(string variable, string value, bool pin)
    {
        var given = Environment.GetEnvironmentVariable(variable);
        if (!string.IsNullOrEmpty(given)) return new Pin(variable, given, PinSource.User);
        if (!pin) return new Pin(variable, null, PinSource.Unpinned);
        Environment.SetEnvironmentVariable(variable, value);   // inherited by child processes (the reference script)
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) _ = setenv(variable, value, 0);   // read by the native libraries
        return new Pin(variable, value, PinSource.Harness);
    }

    [DllImport("libc", EntryPoint = "setenv")]
    static extern int setenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);
}
