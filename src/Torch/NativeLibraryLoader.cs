using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using MnistClaims.Torch.Native;

namespace MnistClaims.Torch;

/// <summary>
/// Locates and loads libmnistclaims_native for the MnistClaims.Torch assembly.
/// Order: <c>MNIST_CLAIMS_NATIVE</c> (file or directory), <c>AppContext.BaseDirectory</c>,
/// then <c>build/native/</c> in every ancestor of the base directory and of the current directory.
/// Before the shim is loaded, <c>libtorch_cuda.so</c> is pre-loaded when it sits next to the libtorch
/// the shim was built against (recorded in <c>mnistclaims_native.torchlib</c>) or in <c>MNIST_CLAIMS_TORCH_LIB</c>.
/// </summary>
public static class NativeLibraryLoader
{
    public const string EnvNative = "MNIST_CLAIMS_NATIVE";
    public const string EnvTorchLib = "MNIST_CLAIMS_TORCH_LIB";
    public const string SidecarFileName = "mnistclaims_native.torchlib";

    private static readonly object s_lock = new();
    private static IntPtr s_handle;

    /// <summary>Full path of the shim that was loaded, or null before the first native call.</summary>
    public static string? LoadedPath { get; private set; }

    /// <summary>Path of the libtorch_cuda library that was pre-loaded, if any.</summary>
    public static string? PreloadedTorchCuda { get; private set; }

    public static string LibraryFileName =>
        OperatingSystem.IsWindows() ? "mnistclaims_native.dll"
        : OperatingSystem.IsMacOS() ? "libmnistclaims_native.dylib"
        : "libmnistclaims_native.so";

    private static string TorchCudaFileName =>
        OperatingSystem.IsWindows() ? "torch_cuda.dll" : OperatingSystem.IsMacOS() ? "libtorch_cuda.dylib" : "libtorch_cuda.so";

#pragma warning disable CA2255 // ModuleInitializer in a library is intended here.
    [ModuleInitializer]
    internal static void Initialize() => NativeLibrary.SetDllImportResolver(typeof(NativeLibraryLoader).Assembly, Resolve);
#pragma warning restore CA2255

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != NativeMethods.Lib) return IntPtr.Zero;
        lock (s_lock)
        {
            if (s_handle != IntPtr.Zero) return s_handle;
            s_handle = Load();
            return s_handle;
        }
    }

    /// <summary>
    /// Candidate shim paths in resolution order (deduplicated). Pure function, for tests and diagnostics.
    /// </summary>
    public static IReadOnlyList<string> CandidatePaths(string? envValue, string baseDirectory, string currentDirectory)
    {
        var file = LibraryFileName;
        var list = new List<string>();
        void Add(string p)
        {
            var full = Path.GetFullPath(p);
            if (!list.Contains(full)) list.Add(full);
        }

        if (!string.IsNullOrWhiteSpace(envValue))
        {
            var v = envValue.Trim();
            if (Directory.Exists(v)) Add(Path.Combine(v, file));
            else if (File.Exists(v) || LooksLikeLibraryFile(v)) Add(v);
            else Add(Path.Combine(v, file)); // a directory that does not exist (yet)
        }
        if (!string.IsNullOrEmpty(baseDirectory)) Add(Path.Combine(baseDirectory, file));
        foreach (var root in new[] { baseDirectory, currentDirectory })
        {
            if (string.IsNullOrEmpty(root)) continue;
            for (var dir = new DirectoryInfo(Path.GetFullPath(root)); dir != null; dir = dir.Parent)
                Add(Path.Combine(dir.FullName, "build", "native", file));
        }
        return list;
    }

    /// <summary>The message of the <see cref="DllNotFoundException"/> thrown when no candidate loads.</summary>
    public static string FormatNotFoundMessage(IEnumerable<(string Path, string Reason)> attempts)
    {
        var sb = new StringBuilder();
        sb.Append("Could not load the mnist-claims native shim (").Append(LibraryFileName).AppendLine("). Paths tried:");
        foreach (var (path, reason) in attempts) sb.Append("  ").Append(path).Append("  [").Append(reason).AppendLine("]");
        sb.Append("Build it with `make native` (cmake -S src/Native -B build/native -DCMAKE_BUILD_TYPE=Release && ")
          .Append("cmake --build build/native -j2), or set ").Append(EnvNative)
          .Append(" to the library file or the directory containing it.");
        return sb.ToString();
    }

    private static bool LooksLikeLibraryFile(string p) =>
        p.EndsWith(".so", StringComparison.Ordinal) || p.Contains(".so.", StringComparison.Ordinal)
        || p.EndsWith(".dylib", StringComparison.Ordinal) || p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);

    /// <summary>OPENBLAS_NUM_THREADS as pinned before libtorch loaded (see <see cref="KernelPins"/>).</summary>
    public static string OpenBlasThreads => KernelPins.Get(KernelPins.OpenBlasThreadsVariable).Value ?? KernelPins.PinnedOpenBlasThreads;

    private static IntPtr Load()
    {
        KernelPins.Apply();   // before libtorch (and OpenBLAS) load: they read these variables once
        var candidates = CandidatePaths(Environment.GetEnvironmentVariable(EnvNative), AppContext.BaseDirectory, Environment.CurrentDirectory);
        var attempts = new List<(string, string)>();
        foreach (var path in candidates)
        {
            if (!File.Exists(path)) { attempts.Add((path, "not found")); continue; }
            PreloadTorchCuda(path);
            try
            {
                var h = NativeLibrary.Load(path);
                if (!NativeLibrary.TryGetExport(h, "mc_abi_version", out _))
                {
                    attempts.Add((path, "loaded but it is not the mnist-claims shim (no mc_abi_version export)"));
                    continue;
                }
                LoadedPath = path;
                return h;
            }
            catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
            {
                attempts.Add((path, "load failed: " + e.Message.ReplaceLineEndings(" ")));
            }
        }
        throw new DllNotFoundException(FormatNotFoundMessage(attempts));
    }

    private static void PreloadTorchCuda(string shimPath)
    {
        if (PreloadedTorchCuda != null) return;
        var dirs = new List<string>();
        var env = Environment.GetEnvironmentVariable(EnvTorchLib);
        if (!string.IsNullOrWhiteSpace(env)) dirs.Add(env.Trim());
        try
        {
            var sidecar = Path.Combine(Path.GetDirectoryName(shimPath) ?? ".", SidecarFileName);
            if (File.Exists(sidecar))
            {
                var d = File.ReadAllText(sidecar).Trim();
                if (d.Length > 0) dirs.Add(d);
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }

        foreach (var d in dirs)
        {
            var cuda = Path.Combine(d, TorchCudaFileName);
            if (File.Exists(cuda) && NativeLibrary.TryLoad(cuda, out _))
            {
                PreloadedTorchCuda = cuda;
                return;
            }
        }
    }
}
