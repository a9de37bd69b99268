using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using MnistClaims.Torch;

namespace MnistClaims.Harness.Runs;

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
        var text = Shell.Run("nvidia-smi", "", TimeSpan.FromSeconds(10));
        if (text is null) return (null, null);
        var d = Regex.Match(text, @"Driver Version:\s*([\d.]+)");
        var c = Regex.Match(text, @"CUDA Version:\s*([\d.]+)");
        return (d.Success ? d.Groups[1].Value : null, c.Success ? c.Groups[1].Value : null);
    }
}

/// <summary>The name baselines are filed under: hardware plus engine, e.g. <c>cpu-amd-epyc-libtorch1.13-openblas</c>.</summary>
public static class HardwareProfile
{
    public const string EnvVar = "MNIST_CLAIMS_PROFILE";

    /// <summary>
    /// This machine's profile for a device and the engine that runs. <c>MNIST_CLAIMS_PROFILE</c> overrides the
    /// hardware part; a non-libtorch engine is always appended (its results differ by float rounding).
    /// </summary>
    public static string Current(string device = "cpu", string engine = "libtorch")
    {
        var overridden = Environment.GetEnvironmentVariable(EnvVar);
        if (!string.IsNullOrWhiteSpace(overridden)) return engine == "libtorch" ? overridden.Trim() : $"{overridden.Trim()}-{engine}";
        return Derive(_detected.GetValueOrDefault(device) ?? (_detected[device] = HardwareInfo.Detect(device)), device, engine);
    }

    static readonly Dictionary<string, HardwareInfo> _detected = [];

    /// <summary>The profile a configuration's runs are filed under: its device and the engine that will run it.</summary>
    public static string For(Training.TrainConfig cfg) => Current(cfg.Device, Engines.EngineSelection.Resolve(cfg).Engine);

    public static string Derive(HardwareInfo hw, string device, string engine)
    {
        var v = hw.LibtorchVersion.Split('.', '+', 'a');
        var torchMajorMinor = v.Length >= 2 ? $"{v[0]}.{v[1]}" : hw.LibtorchVersion;
        string name = device.StartsWith("cuda", StringComparison.Ordinal)
            ? $"cuda-{Slug(GpuShortName(hw.GpuName ?? "gpu"))}-libtorch{torchMajorMinor}"
            : $"cpu-{Slug(hw.CpuModel)}-libtorch{torchMajorMinor}-{hw.Blas}";
        return engine == "libtorch" ? name : $"{name}-{engine}";
    }

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
        var commit = Shell.Run("git", $"-C \"{dir}\" rev-parse HEAD", TimeSpan.FromSeconds(10))?.Trim();
        if (string.IsNullOrEmpty(commit)) return ("unknown", false);
        var status = Shell.Run("git", $"-C \"{dir}\" status --porcelain --untracked-files=no", TimeSpan.FromSeconds(10));
        return (commit, !string.IsNullOrWhiteSpace(status));
    }
}

static class Shell
{
    /// <summary>Runs a program and returns its stdout, or null if it is missing, fails or times out.</summary>
    public static string? Run(string file, string args, TimeSpan timeout)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(file, args)
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            });
            if (p is null) return null;
            var stdout = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(timeout)) { try { p.Kill(true); } catch (InvalidOperationException) { } return null; }
            return p.ExitCode == 0 ? stdout.Result : null;
        }
        catch (System.ComponentModel.Win32Exception) { return null; }
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
