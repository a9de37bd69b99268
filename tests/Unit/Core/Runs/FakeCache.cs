using MnistClaims.Claims;
using MnistClaims.Core.Runs;
using MnistClaims.Core.Training;

namespace MnistClaims.Tests.Unit.Core.Runs;

/// <summary>
/// A run cache of fabricated runs in a temp directory: real run directories (Parquet through RunStore, a manifest with
/// the commit and profile a test chooses), small enough that merge and cache tests need no training.
/// </summary>
internal sealed class FakeCache : IDisposable
{
    public const string Profile = "cpu-test-fused";
    public string Root { get; }

    public FakeCache(string? root = null)
    {
        Root = root ?? Path.Combine(Path.GetTempPath(), $"mnist-claims-cache-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Root);
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);

    public static Experiment Exp(string id = "002-width-32") => Registry.Experiment(id);

    public string PathOf(Experiment e, long seed, string profile = Profile, TrainConfig? cfg = null)
    {
        cfg ??= e.ForSeed(seed);
        return Path.Combine(Root, profile, e.Id, RunCache.EntryName(cfg.Hash, seed));
    }

    /// <summary>Writes one run of <paramref name="e"/>; the losses depend on the seed, so two seeds' tables differ.</summary>
    public string Write(Experiment e, long seed, string commit = "c0ffee", string profile = Profile, TrainConfig? cfg = null, bool dirty = false)
    {
        cfg ??= e.ForSeed(seed);
        var steps = new StepLog();
        var epochs = new List<EpochMetrics>();
        for (int ep = 1; ep <= 2; ep++)
        {
            for (int s = 0; s < 5; s++) steps.Add(ep, cfg.BatchSize, (float)(1.0 / (ep * 5 + s + seed)), cfg.BatchSize - 1);
            epochs.Add(new EpochMetrics
            {
                Epoch = ep, Steps = ep * 5, TrainSamples = 100, TrainLossMean = 0.5 / ep, TrainLossWeighted = 0.5 / ep, TrainLossLast = 0.4 / ep,
                TrainCorrect = 90, TrainAcc = 0.9, TestLoss = 0.3 / ep + seed * 1e-3, TestLossBatchMean = 0.3 / ep, TestCorrect = 95, TestAcc = 0.95,
                TrainSeconds = 1.5, EvalSeconds = 0.2,
            });
        }
        var labels = Enumerable.Range(0, 20).Select(i => i % 10).ToArray();
        var predicted = labels.Select((l, i) => i == 3 ? (l + 1) % 10 : l).ToArray();
        var test = new EvalResult(0.1, 0.1, 19, 20, predicted, labels.Select(_ => 0.9f).ToArray(), labels);
        var started = new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero).AddMinutes(seed);
        var result = new RunResult
        {
            Config = cfg, Steps = steps, Epochs = epochs, Final = FinalReport.From(test), TrainCount = 100, ValCount = 0,
            ParameterCount = 1000, Started = started, Finished = started.AddSeconds(3),
        };
        var manifest = new Manifest
        {
            HarnessVersion = "test", Engine = "fused", ConfigJson = cfg.ToCanonicalJson(), ConfigHash = cfg.Hash, Seed = seed, Threads = 1,
            Device = "cpu", Profile = profile,
            Hardware = new HardwareInfo("Test CPU", 2, null, null, null, "1.13.1", "openblas", ".NET 10", "Linux", "X64"),
            LibtorchVersion = "1.13.1", LibtorchConfig = "", ParallelInfo = "", Determinism = new Dictionary<string, string>(),
            GitCommit = commit, GitDirty = dirty, MnistSha256 = new Dictionary<string, string>(),
            Started = started, Finished = started.AddSeconds(3), TrainCount = 100, ValCount = 0, ParameterCount = 1000, ExperimentId = e.Id,
        };
        var dir = PathOf(e, seed, profile, cfg);
        RunStore.Write(dir, result, manifest);
        return dir;
    }
}
