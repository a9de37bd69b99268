using MnistClaims.Core.Training;

namespace MnistClaims.Claims;

/// <summary>The kinds of claim a document makes.</summary>
public enum ClaimKind
{
    /// <summary>A fact checkable exactly (class counts, a parameter count).</summary>
    Exact,
    /// <summary>One reported number from a training run (a final accuracy, a loss).</summary>
    Value,
    /// <summary>A reported per-epoch curve (a training log, a table of epochs).</summary>
    Curve,
    /// <summary>A comparison between experiments the document states ("lr 0.1 fails to converge").</summary>
    Relation,
    /// <summary>The document checked against itself (569 misses vs 97.21%).</summary>
    Consistency,
}

public enum Verdict { Reproduced, NotReproduced, Inconsistent, Consistent }

public static class VerdictNames
{
    public static string Label(this Verdict v) => v switch
    {
        Verdict.Reproduced => "REPRODUCED",
        Verdict.NotReproduced => "NOT REPRODUCED",
        Verdict.Inconsistent => "INCONSISTENT",
        Verdict.Consistent => "CONSISTENT",
        _ => v.ToString(),
    };

    public static Verdict Parse(string s) => s.Trim().ToUpperInvariant() switch
    {
        "REPRODUCED" => Verdict.Reproduced,
        "NOT REPRODUCED" => Verdict.NotReproduced,
        "INCONSISTENT" => Verdict.Inconsistent,
        "CONSISTENT" => Verdict.Consistent,
        _ => throw new FormatException($"unknown verdict '{s}'"),
    };
}

/// <summary>
/// A training configuration a document ran, identified by a stable id such as <c>002-lr-0.1</c>.
/// The seed inside <see cref="Config"/> is a placeholder: each run sets its own.
/// </summary>
public sealed record Experiment(string Id, string Document, string Title, TrainConfig Config, IReadOnlyList<string> Assumptions)
{
    /// <summary>Steps in the short deterministic slice that the fast tier verifies against the baseline.</summary>
    public long FastSteps { get; init; } = 200;

    public TrainConfig ForSeed(long seed) => Config with { Seed = seed };
    public TrainConfig FastSlice(long seed) => Config with { Seed = seed, MaxSteps = FastSteps };
    public long TotalSteps => (long)Math.Ceiling(TrainSetSize / (double)Config.BatchSize) * Config.Epochs;

    public int TrainSetSize
    {
        get
        {
            int n = MnistData.TrainCount - (int)Math.Round(Config.ValFraction * MnistData.TrainCount);
            return Config.MaxTrainSamples > 0 ? Math.Min(n, Config.MaxTrainSamples) : n;
        }
    }
}

/// <summary>The outcome of judging one claim.</summary>
public sealed record ClaimResult(Verdict Verdict, string Measured, string Evidence, SeedStats? Stats = null);

/// <summary>
/// One sentence or table row of a document, what it needs, how the document defines its metric,
/// and how it is judged. Read the five registry files (Doc000..Doc004) as tables of these.
/// </summary>
public sealed record Claim
{
    public required string Id { get; init; }
    public required string Document { get; init; }
    public required string Quote { get; init; }
    public required ClaimKind Kind { get; init; }
    /// <summary>Experiments whose runs the claim needs (empty for exact facts and consistency checks).</summary>
    public IReadOnlyList<string> Experiments { get; init; } = [];
    /// <summary>The metric as the document defines it (running mean of batch means, last batch's loss, ...).</summary>
    public required string Metric { get; init; }
    /// <summary>The documented value as printed.</summary>
    public required string Documented { get; init; }
    /// <summary>How the verdict is decided, including the tolerance and why.</summary>
    public required string Rule { get; init; }
    public IReadOnlyList<string> Assumptions { get; init; } = [];
    public required Func<ClaimContext, ClaimResult> Evaluate { get; init; }
}

/// <summary>What a claim is judged on: the runs of each experiment (one per seed) and the data.</summary>
public sealed class ClaimContext(IReadOnlyDictionary<string, IReadOnlyList<Core.Runs.RunRecord>> runs, MnistData? data)
{
    public MnistData Data => data ?? throw new InvalidOperationException("this claim needs the MNIST data");

    public IReadOnlyList<Core.Runs.RunRecord> Runs(string experimentId) =>
        runs.TryGetValue(experimentId, out var r) && r.Count > 0 ? r
            : throw new InvalidOperationException($"no runs of experiment '{experimentId}' were provided");

    public bool Has(string experimentId) => runs.TryGetValue(experimentId, out var r) && r.Count > 0;
}
