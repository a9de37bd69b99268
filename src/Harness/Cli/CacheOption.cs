using MnistClaims.Core.Runs;

namespace MnistClaims.Harness.Cli;

/// <summary>
/// <c>--cache DIR</c>, the run cache's location for every command that uses it (a shard's own cache, a merged one); the
/// default stays <c>$MNIST_CLAIMS_RUNS</c>, else <c>.cache/runs</c>.
/// </summary>
public static class CacheOption
{
    public const string Name = "cache";

    public static readonly Flag Flag = new(Name, "DIR", "run cache root (default: $MNIST_CLAIMS_RUNS, else .cache/runs)");

    /// <summary>The cache <c>--cache</c> names (created when first written), else the default one; a file there is a usage error.</summary>
    public static RunCache Open(Args a)
    {
        var dir = a.String(Name);
        if (dir is not null && File.Exists(dir)) throw new UsageException($"--{Name}: '{dir}' is a file, expected a run cache directory");
        return RunCache.Open(dir);
    }

    /// <summary>How an error names the cache <see cref="Open"/> gives: by the flag or the variable that chose it.</summary>
    public static string Label(Args a) =>
        a.Has(Name) ? $"--{Name}" : System.Environment.GetEnvironmentVariable(RunCache.EnvVar) is { Length: > 0 } ? $"the run cache (${RunCache.EnvVar})" : "the run cache";

    /// <summary>A cache that must already exist (what a command reads without training, e.g. <c>--from-cache</c>).</summary>
    public static RunCache Existing(string dir, string flag) =>
        Directory.Exists(dir) ? RunCache.Open(dir) : throw new UsageException($"--{flag}: '{dir}' is not a directory, expected a run cache (e.g. one `harness merge` wrote)");
}
