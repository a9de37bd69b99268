using System.Security.Cryptography;
using MnistClaims.Common;
using MnistClaims.Core.Runs;

namespace MnistClaims.Tests.Unit.Harness.Cli.BadInput;

/// <summary>Runs the harness CLI as a child process (as a user does), in a sandbox directory with its own run cache.</summary>
public static class Cli
{
    public static string DataDir => Path.Combine(RepoPaths.RequireRoot(), ".cache", "mnist");

    public static ProcessSpec Spec(string sandbox, params string[] args)
    {
        // MNIST_CLAIMS_TEST_HARNESS=<harness.dll> runs the corpus against another build (e.g. an older commit's, to see it fail).
        var (exe, prefix) = Environment.GetEnvironmentVariable("MNIST_CLAIMS_TEST_HARNESS") is { Length: > 0 } dll ? ("dotnet", new[] { dll }) : HarnessProcess.Command();
        return new ProcessSpec(exe, [.. prefix, .. args])
        {
            WorkingDirectory = sandbox,
            Environment = new Dictionary<string, string?>
            {
                ["MNIST_CLAIMS_DATA"] = DataDir,
                [RunCache.EnvVar] = Path.Combine(sandbox, "cache"),
                ["MNIST_CLAIMS_ACCEPT"] = null,
            },
        };
    }

    public static ProcessResult Run(string sandbox, params string[] args) => ProcessRunner.Run(Spec(sandbox, args), TimeSpan.FromMinutes(3));

    /// <summary>Every file under <paramref name="dir"/> with its SHA-256 (directories as "dir").</summary>
    public static Dictionary<string, string> Tree(string dir)
    {
        var t = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!Directory.Exists(dir)) return t;
        foreach (var e in Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories))
            t[Path.GetRelativePath(dir, e)] = Directory.Exists(e) ? "dir" : Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(e)));
        return t;
    }

    /// <summary>Nothing that was there before changed or vanished; new entries only of the allowed kinds (directories, lock files, verification stamps).</summary>
    public static void AssertUnchanged(Dictionary<string, string> before, Dictionary<string, string> after, string what)
    {
        foreach (var (path, hash) in before)
        {
            Assert.That(after.ContainsKey(path), Is.True, $"{what}: {path} was removed");
            Assert.That(after[path], Is.EqualTo(hash), $"{what}: {path} was changed");
        }
        var added = after.Keys.Except(before.Keys).Where(p => after[p] != "dir" && !(Path.GetFileName(p).StartsWith('.') && (p.EndsWith(".lock") || p.EndsWith(".last-verification")))).ToList();
        Assert.That(added, Is.Empty, $"{what}: new files written");
    }

    /// <summary>One line on stderr, no stack trace.</summary>
    public static void AssertOneLineError(ProcessResult r)
    {
        var err = r.StdErr.Trim();
        Assert.That(err, Is.Not.Empty, "an error message on stderr");
        Assert.That(err.Split('\n').Where(l => l.StartsWith("harness", StringComparison.Ordinal)).Count(), Is.EqualTo(1), $"one error line: {err}");
        Assert.That(err.Split('\n').Last(), Does.StartWith("harness"), $"the error is the last line: {err}");
        Assert.That(err, Does.Not.Contain("   at ").And.Not.Contain("Unhandled exception").And.Not.Contain("internal error"), "no stack trace");
    }
}
