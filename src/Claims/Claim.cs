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
    /// <summary>
    /// A verdict fixed before any training, reported apart from the reproduction verdicts: wall-clock times on other
    /// hardware, a count the document itself makes impossible, a buggy reference implementation against a correct one,
    /// a comparison that is true by the metric's definition.
    /// </summary>
    ByConstruction,
}

public enum Verdict { Reproduced, NotReproduced, Inconclusive, Inconsistent, Consistent, WithinNoise }

public static class VerdictNames
{
    public static string Label(this Verdict v) => v switch
    {
        Verdict.Reproduced => "REPRODUCED",
        Verdict.NotReproduced => "NOT REPRODUCED",
        Verdict.Inconclusive => "INCONCLUSIVE",
        Verdict.WithinNoise => "WITHIN NOISE",
        Verdict.Inconsistent => "INCONSISTENT",
        Verdict.Consistent => "CONSISTENT",
        _ => v.ToString(),
    };

    public static Verdict Parse(string s) => s.Trim().ToUpperInvariant() switch
    {
        "REPRODUCED" => Verdict.Reproduced,
        "NOT REPRODUCED" => Verdict.NotReproduced,
        "INCONCLUSIVE" => Verdict.Inconclusive,
        "WITHIN NOISE" => Verdict.WithinNoise,
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

    /// <summary>
    /// An alternative reading of an inferred setup (issue 12, item 4), trained so that a "which reading fits" claim can
    /// compare it with the registry's; the main job may run these with fewer seeds (<c>reproduce --alternative-seeds</c>).
    /// </summary>
    public bool Alternative { get; init; }

    /// <summary>This experiment with other settings, as an alternative reading of the same document's setup.</summary>
    public Experiment Reading(string suffix, string title, Func<TrainConfig, TrainConfig> change, string assumption) =>
        this with { Id = $"{Id}-{suffix}", Title = title, Config = change(Config), Assumptions = [.. Assumptions, assumption], Alternative = true };

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

/// <summary>
/// The outcome of judging one claim: the verdict, what was measured, the evidence, and which test decided it with its
/// statistic and threshold (<see cref="Test"/>, e.g. "whole-log test: D = 1.31, p = 0.286, equivalence bound 0.92").
/// </summary>
public sealed record ClaimResult(Verdict Verdict, string Measured, string Evidence, SeedStats? Stats = null)
{
    /// <summary>The test that decided the verdict, its statistic, p-value or interval, and its margin.</summary>
    public string Test { get; init; } = "";
    /// <summary>Per documented point of a log claim: the band a single run of ours falls in (what the charts draw).</summary>
    public IReadOnlyList<BandPoint> Band { get; init; } = [];
}

/// <summary>One point of a documented log with the 95% single-run band of our runs on the metric's own scale (the whole-log test combines these points' z-scores).</summary>
public sealed record BandPoint(string Column, int? Epoch, double Documented, double Mean, double Lo, double Hi);

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

    readonly Dictionary<object, object> _memo = [];

    /// <summary>A result computed once per context (one whole-log test decides several claims of the same log).</summary>
    public T Memo<T>(object key, Func<T> compute) where T : notnull
    {
        lock (_memo)
        {
            if (!_memo.TryGetValue(key, out var v)) _memo[key] = v = compute();
            return (T)v;
        }
    }
}
