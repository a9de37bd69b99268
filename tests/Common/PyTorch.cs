using System.Globalization;
using MnistClaims.Common;

namespace MnistClaims.Tests;

/// <summary>
/// The live PyTorch oracle: runs a snippet under Debian's python3-torch (the same libtorch 1.13 as the harness) in
/// this test process's environment, so it sees the same kernel pins (ATEN_CPU_CAPABILITY, OPENBLAS_CORETYPE, set
/// before libtorch loaded) and computes its values on this machine: no test compares with constants recorded on
/// another CPU. A missing python3-torch is <see cref="Requires.Tool"/>: inconclusive here, a failure under CI.
/// </summary>
public static class PyTorch
{
    public const string Python = "/usr/bin/python3";

    /// <summary>Runs <paramref name="script"/> (torch, torch.nn.functional as F imported) and returns the float32 values it
    /// printed with <c>emit(tensor_or_number, ...)</c>, bit-exact (Python's float.hex).</summary>
    public static float[] Floats(string script)
    {
        Requires.Tool(File.Exists(Python), $"{Python} (python3-torch) is required; run `make setup`");
        const string prelude = "import torch\nimport torch.nn.functional as F\n_out = []\n" +
                               "def emit(*xs):\n    for x in xs:\n        _out.extend(float(v).hex() for v in (x.reshape(-1).tolist() if torch.is_tensor(x) else [x]))\n";
        var stdout = Run(prelude + script + "\nprint(' '.join(_out))\n");
        return stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(h => (float)ParseHex(h)).ToArray();
    }

    static string Run(string source)
    {
        var r = ProcessRunner.Run(new ProcessSpec(Python, ["-"]) { StdIn = source }, TimeSpan.FromMinutes(2));
        if (!r.Succeeded) Assert.Fail($"python3-torch failed (exit {r.ExitCode}): {r.StdErr}");
        return r.StdOut;
    }

    /// <summary>Python's float.hex() text, e.g. "0x1.2687e00000000p+1", "-0x0.0p+0", "inf", "nan".</summary>
    public static double ParseHex(string s)
    {
        bool neg = s.StartsWith('-');
        if (neg) s = s[1..];
        if (s is "inf") return neg ? double.NegativeInfinity : double.PositiveInfinity;
        if (s is "nan") return double.NaN;
        int p = s.IndexOf('p');
        var parts = s[2..p].Split('.');
        double v = long.Parse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        if (parts.Length > 1 && parts[1].Length > 0)
            v += long.Parse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture) / Math.Pow(16, parts[1].Length);
        v = Math.ScaleB(v, int.Parse(s[(p + 1)..], CultureInfo.InvariantCulture));
        return neg ? -v : v;
    }
}
