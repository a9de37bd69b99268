using MnistClaims.Common;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using MnistClaims.Torch;

namespace MnistClaims.Core.Runs;

/// <summary>What machine and software a run happened on. Everything here is read, never assumed.</summary>
public sealed record HardwareInfo(
    string CpuModel, int LogicalCores, string? GpuName, string? GpuDriver, string? CudaVersion,
    string LibtorchVersion, string Blas, string DotnetVersion, string Os, string Arch)
{
    public static HardwareInfo Detect(string device = "cpu")
    {
        string? gpu = null, driver = null, cuda = null;
        if (device.StartsWith("cuda", StringComparison.Ordinal) && torch.cuda.is_available())
        {
            gpu = torch.cuda.device_name(0);
            (driver, cuda) = NvidiaSmi();
        }
        return new HardwareInfo(DetectCpuModel(), Environment.ProcessorCount, gpu, driver, cuda, torch.version, DetectBlas(),
            RuntimeInformation.FrameworkDescription, RuntimeInformation.OSDescription, RuntimeInformation.ProcessArchitecture.ToString());
    }

    public static string DetectCpuModel()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
                if (line.StartsWith("model name", StringComparison.Ordinal))
                    return line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    /// <summary>The BLAS library actually mapped into this process (libtorch must be loaded already).</summary>
    public static string DetectBlas()
    {
        try
        {
            var maps = File.ReadAllText("/proc/self/maps");
            if (maps.Contains("libmkl", StringComparison.Ordinal)) return "mkl";
            if (maps.Contains("openblas", StringComparison.Ordinal)) return "openblas";
            if (maps.Contains("libblis", StringComparison.Ordinal)) return "blis";
            if (maps.Contains("libblas.so", StringComparison.Ordinal)) return "refblas";
        }
        catch (IOException) { }
        return "unknown";
    }

    static (string? driver, string? cuda) NvidiaSmi()
    {
        var text = ProcessRunner.TryOutput("nvidia-smi", [], TimeSpan.FromSeconds(10));
        if (text is null) return (null, null);
        var d = Regex.Match(text, @"Driver Version:\s*([\d.]+)");
        var c = Regex.Match(text, @"CUDA Version:\s*([\d.]+)");
        return (d.Success ? d.Groups[1].Value : null, c.Success ? c.Groups[1].Value : null);
    }
}

/// <summary>
/// The native kernel sets libtorch's CPU results came from, read back from the libraries after they loaded
/// (see <see cref="KernelPins"/>, which chooses them): ATen's CPU capability, OpenBLAS's core type and thread
/// count, and whether each was pinned by the harness, set by the user, or left to the library.
/// </summary>
public sealed record KernelChoice(string AtenCapability, string BlasCore, string BlasThreads, IReadOnlyDictionary<string, string> Sources)
{
    public static KernelChoice Detect()
    {
        var pins = KernelPins.Applied;   // pinned before libtorch loaded
        string core = "";
        try { core = torch.backends.openblas.get_corename(); } catch (TorchException) { }
        return new KernelChoice(torch.backends.cpu.get_cpu_capability().ToLowerInvariant(), core, NativeLibraryLoader.OpenBlasThreads,
            pins.ToDictionary(p => p.Variable, p => p.Source.ToString().ToLowerInvariant() + (p.Value is null ? "" : $": {p.Value}")));
    }

    /// <summary>True when every kernel choice was made explicitly (by the harness's pins or by the user), not by the library from the CPU.</summary>
    public bool Pinned => Sources.Values.All(s => !s.StartsWith("unpinned", StringComparison.Ordinal));

    /// <summary>True when ATen's capability was chosen explicitly (the only choice the fused engine's bits depend on).</summary>
    public bool AtenPinned => !Sources.TryGetValue(KernelPins.AtenCapabilityVariable, out var s) || !s.StartsWith("unpinned", StringComparison.Ordinal);
}

/// <summary>
/// The name baselines and cached runs are filed under: what decides a run's bits, not a CPU's marketing name.
/// <list type="bullet">
/// <item>Fused engine: <c>cpu-x86-64-avx2-libtorch1.13-fused</c>. Its kernels compute every element with the same
///   operations in the same order at AVX2 and AVX-512 width, and libtorch only draws its random streams and the
///   initial weights, so its bits depend on the libtorch version and ATen's capability alone: ATen's default
///   (non-FMA) build of <c>uniform_</c> rounds the initial weights differently (tests: the width test,
///   KernelPinTests). OpenBLAS's choice does not matter to it.</item>
/// <item>libtorch engine with the kernel choices pinned (<see cref="KernelPins"/>):
///   <c>cpu-x86-64-avx2-libtorch1.13-openblas-haswell</c> (ATen capability, libtorch version, BLAS and its core
///   type; <c>-t4</c> is appended when OpenBLAS runs 4 threads). Same on every x86-64 CPU with AVX2+FMA.</item>
/// <item>When a choice was left to the library (a CPU without AVX2, <c>MNIST_CLAIMS_PIN_KERNELS=0</c>) or the BLAS
///   is not OpenBLAS (MKL's kernel choice is not pinned here), the CPU's name stays in the profile:
///   <c>cpu-amd-epyc-avx2-libtorch1.13-openblas-zen</c>, <c>cpu-amd-epyc-avx2-libtorch1.13-fused</c>,
///   <c>cpu-intel-xeon-libtorch1.13-mkl</c>.</item>
/// <item>CUDA: <c>cuda-h100-libtorch2.4</c>.</item>
/// </list>
/// <c>MNIST_CLAIMS_PROFILE</c> overrides the whole name (a non-libtorch engine is still appended).
/// </summary>
public static class HardwareProfile
{
    public const string EnvVar = "MNIST_CLAIMS_PROFILE";

    /// <summary>This machine's profile for a device and the engine that runs.</summary>
    public static string Current(string device = "cpu", string engine = "libtorch")
    {
        var overridden = Environment.GetEnvironmentVariable(EnvVar);
        if (!string.IsNullOrWhiteSpace(overridden)) return engine == "libtorch" ? overridden.Trim() : $"{overridden.Trim()}-{engine}";
        lock (_detected)
        {
            if (!_detected.TryGetValue(device, out var d)) _detected[device] = d = (HardwareInfo.Detect(device), KernelChoice.Detect());
            return Derive(d.Hardware, d.Kernels, device, engine);
        }
    }

    static readonly Dictionary<string, (HardwareInfo Hardware, KernelChoice Kernels)> _detected = [];

    /// <summary>The profile a configuration's runs are filed under: its device and the engine that will run it.</summary>
    public static string For(Training.TrainConfig cfg) => Current(cfg.Device, Engines.EngineSelection.NameFor(cfg));

    public static string Derive(HardwareInfo hw, KernelChoice kernels, string device, string engine)
    {
        var v = hw.LibtorchVersion.Split('.', '+', 'a');
        var torchVersion = "libtorch" + (v.Length >= 2 ? $"{v[0]}.{v[1]}" : hw.LibtorchVersion);
        if (device.StartsWith("cuda", StringComparison.Ordinal))
            return Suffix($"cuda-{Slug(GpuShortName(hw.GpuName ?? "gpu"))}-{torchVersion}", engine);
        bool x64 = hw.Arch.Equals("X64", StringComparison.OrdinalIgnoreCase);
        if (engine != "libtorch" && x64) return $"cpu-{(kernels.AtenPinned ? "x86-64" : Slug(hw.CpuModel))}-{Slug(kernels.AtenCapability)}-{torchVersion}-{engine}";
        if (x64 && hw.Blas == "openblas" && kernels.BlasCore.Length > 0)
        {
            var where = kernels.Pinned ? "x86-64" : Slug(hw.CpuModel);
            var threads = kernels.BlasThreads == "1" ? "" : $"-t{Slug(kernels.BlasThreads)}";
            return Suffix($"cpu-{where}-{Slug(kernels.AtenCapability)}-{torchVersion}-openblas-{Slug(kernels.BlasCore)}{threads}", engine);
        }
        return Suffix($"cpu-{Slug(hw.CpuModel)}-{torchVersion}-{hw.Blas}", engine);
    }

    static string Suffix(string name, string engine) => engine == "libtorch" ? name : $"{name}-{engine}";

    static string GpuShortName(string gpu)
    {
        var m = Regex.Match(gpu, @"\b([A-Z]\d{2,4}[A-Za-z]?)\b");   // "NVIDIA H100 80GB HBM3" -> H100
        return m.Success ? m.Groups[1].Value : gpu;
    }

    public static string Slug(string text)
    {
        var s = Regex.Replace(text.ToLowerInvariant(), @"\((r|tm)\)|\bcpu\b|\bprocessor\b|@.*$|\b\d+-core\b", "");
        s = Regex.Replace(s, "[^a-z0-9.]+", "-").Trim('-');
        return s.Length == 0 ? "unknown" : s;
    }
}

/// <summary>Source control state, so a result can be tied to the code that produced it.</summary>
public static class GitInfo
{
    public static (string Commit, bool Dirty) Read(string? dir = null)
    {
        dir ??= RepoPaths.Root ?? Directory.GetCurrentDirectory();
        var commit = ProcessRunner.TryOutput("git", ["-C", dir, "rev-parse", "HEAD"], TimeSpan.FromSeconds(10))?.Trim();
        if (string.IsNullOrEmpty(commit)) return ("unknown", false);
        var status = ProcessRunner.TryOutput("git", ["-C", dir, "status", "--porcelain", "--untracked-files=no"], TimeSpan.FromSeconds(10));
        return (commit, !string.IsNullOrWhiteSpace(status));
    }
}

/// <summary>Where things live in the repository (found by walking up to MnistClaims.sln).</summary>
public static class RepoPaths
{
    public static string? Root { get; } = Find(Directory.GetCurrentDirectory()) ?? Find(AppContext.BaseDirectory);

    static string? Find(string start)
    {
        for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "MnistClaims.sln"))) return d.FullName;
        return null;
    }

    public static string RequireRoot() => Root ?? throw new InvalidOperationException(
        "cannot find the repository root (no MnistClaims.sln above the current directory); run from inside the mnist-claims checkout");

    public static string Baselines => Path.Combine(RequireRoot(), "baselines");
    public static string Runs => Path.Combine(RequireRoot(), "runs");
    public static string Reports => Path.Combine(RequireRoot(), "reports");
}
