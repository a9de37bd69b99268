using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Text.Json;
using MnistClaims.Common;
using MnistClaims.Core.Runs;

namespace MnistClaims.Harness.Cli;

/// <summary>
/// What subnormal operands cost this CPU: one multiply pass (x * 0.9f, stored) over an array of normal floats and
/// one over subnormal floats (whose products stay subnormal), the best of many passes each. Without DAZ/FTZ, x86
/// cores handle such operands in microcode on some models (60-80x slower per operation on Sapphire Rapids) and at
/// little or no cost on others.
/// </summary>
static class SubnormalPenalty
{
    /// <summary>Elements per pass: about the size of the fused engine's Adam state for 784-128-128-10 (118k).</summary>
    public const int Elements = 120_000;

    public static (double NormalNs, double SubnormalNs) MultiplyPassNs()
    {
        var (normal, subnormal) = MnistClaims.Core.Engines.Fused.Tiny.MultiplyPassSeconds(Elements, 30);
        return (normal * 1e9 / Elements, subnormal * 1e9 / Elements);
    }

    /// <summary>
    /// The same comparison for the other operations of Adam's update that read its first moment's magnitude range: a
    /// divide pass (x / 0.7f), a square-root pass, and the decay-and-divide pass the engine's start-up probe times
    /// (x * 0.9f / 0.7f), over normal and subnormal x. Some CPUs (AMD Zen 3 and Zen 4, measured) run multiplies on subnormal
    /// operands at full speed but divides and square roots up to 2x slower, which the multiply line alone hides.
    /// </summary>
    public static unsafe (double DivideRatio, double SqrtRatio, double DecayDivideRatio) DivideRatios()
    {
        var divide = MnistClaims.Core.Engines.Fused.Tiny.PassSeconds(Elements, 30, &DividePass);
        var sqrt = MnistClaims.Core.Engines.Fused.Tiny.PassSeconds(Elements, 30, &SqrtPass);
        var decayDivide = MnistClaims.Core.Engines.Fused.Tiny.DecayDividePassSeconds(Elements, 30);
        return (divide.Subnormal / divide.Normal, sqrt.Subnormal / sqrt.Normal, decayDivide.Subnormal / decayDivide.Normal);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static unsafe void DividePass(float* x, float* y, int n)
    {
        var c = Vector256.Create(0.7f);
        for (int i = 0; i < n; i += 8) (Vector256.Load(x + i) / c).Store(y + i);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static unsafe void SqrtPass(float* x, float* y, int n)
    {
        for (int i = 0; i < n; i += 8) Vector256.Sqrt(Vector256.Load(x + i)).Store(y + i);
    }
}

/// <summary>
/// The flush-to-zero diagnosis of <c>harness bench</c>: runs <c>harness bench --deep-only</c> in a separate process
/// with <c>LD_PRELOAD</c> = tools/ftz's library, whose constructor sets MXCSR's FTZ and DAZ bits (0x8040) before the
/// runtime starts, so every thread computes with subnormals flushed to zero. That changes results; it measures what
/// subnormal arithmetic costs the fused engine and is never used by a real run. The child runs the plain update
/// (<c>--tiny-path plain</c>), the fastest one once the hardware flushes subnormals: the reference the as-run figures
/// are held to. The library is compiled on first use with the system C compiler into build/ftz.
/// </summary>
static class FtzDiagnosis
{
    public sealed record Rates(int Threads, double Early, double Deep);
    public sealed record ChildOutput(string? Mxcsr, Rates[] Rates);

    /// <summary>This thread's MXCSR in hex, when it has FTZ and DAZ set (the library is preloaded), else null.</summary>
    public static string? Mxcsr() => MnistClaims.Core.Engines.Fused.FusedNative.Mxcsr is uint csr && (csr & 0x8040) == 0x8040 ? $"0x{csr:x4}" : null;

    /// <summary>The fused engine's early and deep rates per thread budget under FTZ|DAZ, and how they were obtained (or why not).</summary>
    public static (Dictionary<int, (double Early, double Deep)>? Rates, string How) Run(int[] budgets, int deepStart, int n, int repeats, string dataDir)
    {
        if (!OperatingSystem.IsLinux()) return (null, "LD_PRELOAD needs Linux");
        var root = RepoPaths.RequireRoot();
        var source = Path.Combine(root, "tools", "ftz", "ftz.c");
        var lib = Path.Combine(root, "build", "ftz", "libftz.so");
        if (!File.Exists(lib) || File.GetLastWriteTimeUtc(lib) < File.GetLastWriteTimeUtc(source))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(lib)!);
            var (code, err) = Exec("cc", ["-O2", "-shared", "-fPIC", "-o", lib, source], null);
            if (code != 0) return (null, $"cannot compile {source} with cc: {err.Trim()}");
        }
        var (exe, prefix) = HarnessProcess.Command();
        var args = prefix.Concat(["bench", "--deep-only", "--threads", string.Join(",", budgets), "--deep-start", Str(deepStart),
            "--deep-steps", Str(n), "--repeats", Str(repeats), "--data-dir", dataDir, "--tiny-path", "plain"]).ToArray();
        var (exit, output) = Exec(exe, args, new() { ["LD_PRELOAD"] = lib });
        if (exit != 0) return (null, $"the diagnosis process failed (exit {exit}): {output.Trim()}");
        var child = JsonSerializer.Deserialize<ChildOutput>(output.Trim().Split('\n')[^1])!;
        if (child.Mxcsr is null) return (null, "the diagnosis process did not run with FTZ|DAZ set (is LD_PRELOAD honoured?)");
        return (child.Rates.ToDictionary(r => r.Threads, r => (r.Early, r.Deep)), $"a separate process with MXCSR {child.Mxcsr} set by LD_PRELOAD={Path.GetRelativePath(root, lib)}");
    }

    static string Str(int x) => x.ToString(CultureInfo.InvariantCulture);

    /// <summary>Runs a program through the one process runner; returns its exit code and its standard output (standard error when it fails).</summary>
    static (int Code, string Output) Exec(string exe, string[] args, Dictionary<string, string>? env)
    {
        try
        {
            var r = ProcessRunner.Run(new ProcessSpec(exe, args) { Environment = env?.ToDictionary(kv => kv.Key, kv => (string?)kv.Value) }, TimeSpan.FromMinutes(30));
            return (r.ExitCode, r.ExitCode == 0 ? r.StdOut : r.StdErr);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or ProcessFailedException) { return (-1, e.Message); }
    }
}
