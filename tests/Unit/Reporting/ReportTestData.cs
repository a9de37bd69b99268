using System.Buffers.Binary;
using MnistClaims.Data;
using MnistClaims.Claims;
using MnistClaims.Claims.Documents;
using MnistClaims.Reporting;
using MnistClaims.Core.Runs;
using MnistClaims.Core.Training;

namespace MnistClaims.Tests.Unit.Reporting;

/// <summary>
/// A small synthetic report input: fabricated run directories (real Parquet via RunStore) for a few
/// registry experiments, a verdicts.json for document 001, and a 100-image MNIST test set.
/// </summary>
internal sealed class ReportTestData : IDisposable
{
    public const string Profile = "cpu-test-profile";
    public string Root { get; }
    public string Runs => Path.Combine(Root, "runs");
    public string DataDir => Path.Combine(Root, "mnist");
    public string Out => Path.Combine(Root, "reports");
    public string Verdicts => Path.Combine(Root, "verdicts.json");
    public string Baselines => Path.Combine(Root, "baselines");
    public const int TestImages = 100;

    public ReportTestData(params string[] experiments)
    {
        Root = Path.Combine(Path.GetTempPath(), $"mnist-claims-report-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Root);
        WriteTestSet();
        foreach (var id in experiments)
            foreach (var seed in new long[] { 1, 2 })
                WriteRun(Registry.Experiment(id), seed);
        WriteVerdicts(Doc001.File);
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }

    public ReportOptions Options(string? verdicts = null) => new()
    {
        OutDir = Out, VerdictsPath = verdicts ?? Verdicts, Profile = Profile, RunsRoot = Runs, DataDir = DataDir,
        BaselinesDir = Baselines, Parallel = 2,
    };

    void WriteTestSet()
    {
        Directory.CreateDirectory(DataDir);
        var images = new byte[16 + TestImages * 784];
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(0), 0x803);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(4), TestImages);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(8), 28);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(12), 28);
        for (int n = 0; n < TestImages; n++)   // a ring whose radius depends on the image, so pictures differ
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++)
                {
                    double r = Math.Sqrt((x - 13.5) * (x - 13.5) + (y - 13.5) * (y - 13.5));
                    images[16 + n * 784 + y * 28 + x] = Math.Abs(r - (4 + n % 8)) < 1.6 ? (byte)255 : (byte)0;
                }
        File.WriteAllBytes(Path.Combine(DataDir, MnistFiles.TestImages), images);
        var labels = new byte[8 + TestImages];
        BinaryPrimitives.WriteInt32BigEndian(labels.AsSpan(0), 0x801);
        BinaryPrimitives.WriteInt32BigEndian(labels.AsSpan(4), TestImages);
        for (int i = 0; i < TestImages; i++) labels[8 + i] = (byte)(i % 10);
        File.WriteAllBytes(Path.Combine(DataDir, MnistFiles.TestLabels), labels);
    }

    /// <summary>A plausible run: loss decays with noise, accuracies rise, 12 of the 100 test images are wrong.</summary>
    public RunRecord WriteRun(Experiment e, long seed)
    {
        var cfg = e.ForSeed(seed);
        var rng = new Random((int)seed * 7919 + e.Id.Length);
        var steps = new StepLog();
        const int stepsPerEpoch = 150;
        var epochs = new List<EpochMetrics>();
        bool val = cfg.ValFraction > 0;
        for (int ep = 1; ep <= cfg.Epochs; ep++)
        {
            for (int s = 0; s < stepsPerEpoch; s++)
            {
                double t = (ep - 1) * stepsPerEpoch + s;
                steps.Add(ep, cfg.BatchSize, (float)((2.3 * Math.Exp(-t / 60) + 0.15) * Math.Exp(0.3 * (rng.NextDouble() - 0.5))), cfg.BatchSize - 3);
            }
            double acc = 0.97 - 0.2 * Math.Exp(-ep / 1.5) + 0.002 * rng.NextDouble();
            epochs.Add(new EpochMetrics
            {
                Epoch = ep, Steps = ep * stepsPerEpoch, TrainSamples = 60000, TrainLossMean = 0.5 / ep, TrainLossWeighted = 0.5 / ep,
                TrainLossLast = 0.4 / ep + 0.05 * rng.NextDouble(), TrainCorrect = (long)(acc * 60000) - 900, TrainAcc = acc - 0.015,
                ValLoss = val ? 0.3 / ep + 0.1 : null, ValLossBatchMean = val ? 0.3 / ep + 0.1 : null, ValCorrect = val ? (long)(acc * 12000) : null, ValAcc = val ? acc : null,
                TestLoss = 0.25 / ep + 0.08, TestLossBatchMean = 0.25 / ep + 0.08, TestCorrect = (long)(acc * 10000), TestAcc = acc,
                TrainSeconds = 1.5, EvalSeconds = 0.2,
            });
        }
        var labels = Enumerable.Range(0, TestImages).Select(i => i % 10).ToArray();
        var predicted = labels.Select((l, i) => i % 8 == 3 ? (l + 1 + (int)seed) % 10 : l).ToArray();
        var confidence = labels.Select((_, i) => (float)(0.5 + 0.49 * ((i * 37) % 100) / 100.0)).ToArray();
        var test = new EvalResult(0.1, 0.1, predicted.Zip(labels).Count(p => p.First == p.Second), TestImages, predicted, confidence, labels);
        var started = new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
        var result = new RunResult
        {
            Config = cfg, Steps = steps, Epochs = epochs, Final = FinalReport.From(test), TrainCount = 48000, ValCount = 12000,
            ParameterCount = 1000, Started = started, Finished = started.AddSeconds(30),
        };
        var manifest = new Manifest
        {
            HarnessVersion = "test", Engine = "libtorch", ConfigJson = cfg.ToCanonicalJson(), ConfigHash = cfg.Hash, Seed = seed, Threads = 1,
            Device = "cpu", Profile = Profile,
            Hardware = new HardwareInfo("Test CPU", 2, null, null, null, "1.13.1", "openblas", ".NET 10", "Linux", "X64"),
            LibtorchVersion = "1.13.1", LibtorchConfig = "", ParallelInfo = "", Determinism = new Dictionary<string, string>(),
            GitCommit = "0123456789abcdef", GitDirty = false,
            MnistSha256 = new Dictionary<string, string> { [MnistFiles.TestImages] = "feedface" },
            Started = started, Finished = started.AddSeconds(30), TrainCount = 48000, ValCount = 12000, ParameterCount = 1000, ExperimentId = e.Id,
        };
        return RunStore.Write(Path.Combine(Runs, Profile, e.Id, $"{cfg.Hash}-s{seed}"), result, manifest);
    }

    /// <summary>A verdicts.json judging every claim of <paramref name="document"/> (alternating verdicts; values made up).</summary>
    public void WriteVerdicts(string document)
    {
        var verdicts = new[] { Verdict.Reproduced, Verdict.NotReproduced, Verdict.Inconsistent, Verdict.Consistent };
        var rows = Registry.Claims.Where(c => c.Document == document)
            .Select((c, i) => VerdictRow.Of(c, new ClaimResult(verdicts[i % 4], $"0.97 ± 0.001 [0.969, 0.971] | case {i}", "evidence with | a pipe",
                new SeedStats(2, 0.97, 0.001, 0.969, 0.971, 0.96, 0.98))))
            .ToArray();
        var report = new VerdictReport(Profile, [1, 2], new DateTimeOffset(2025, 1, 2, 3, 4, 0, TimeSpan.Zero), 123, rows);
        File.WriteAllText(Verdicts, report.ToJson());
    }

    /// <summary>A full-run baseline epochs table for <paramref name="profile"/> (baselines/&lt;profile&gt;/&lt;experiment&gt;/epochs.verified.parquet), copied from a fabricated run.</summary>
    public void WriteBaseline(string profile, string experiment, long seed)
    {
        var dir = Path.Combine(Baselines, profile, experiment);
        Directory.CreateDirectory(dir);
        var run = Path.Combine(Runs, Profile, experiment);
        var src = Directory.GetDirectories(run).Order().First(d => d.EndsWith($"-s{seed}", StringComparison.Ordinal));
        File.Copy(Path.Combine(src, "epochs.parquet"), Path.Combine(dir, "epochs.verified.parquet"), overwrite: true);
    }
}
