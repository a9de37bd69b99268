using MnistClaims.Claims;
using MnistClaims.Core.Engines;
using MnistClaims.Core.Engines.Fused;
using MnistClaims.Core.Training;
using MnistClaims.Torch;

namespace MnistClaims.Tests.Unit.Core.Engines.Fused;

/// <summary>
/// The fused engine against the libtorch engine: same seed, same streams, so per-step losses agree to
/// float rounding for the first steps (then rounding differences grow chaotically).
/// </summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public class FusedEngineTests
{
    static MnistData _data = null!;

    [OneTimeSetUp]
    public void Load() => _data = MnistData.Load(null, m => TestContext.Progress.WriteLine("mnist: " + m));

    [OneTimeTearDown]
    public void Free() => _data?.Dispose();

    /// <summary>One experiment per distinct (activation, head, loss/targets, optimizer, dropout&gt;0) of the registry.</summary>
    public static IEnumerable<TestCaseData> Families() =>
        Registry.Experiments
            .GroupBy(e => (e.Config.Activation, e.Config.Head, e.Config.Loss, e.Config.Targets, e.Config.Optimizer,
                           Momentum: e.Config.Momentum > 0, Nesterov: e.Config.Nesterov, Dropout: e.Config.Dropout > 0))
            .Select(g => new TestCaseData(g.First().Id).SetName($"Agreement({g.First().Id})"));

    /// <summary>
    /// Issue 13, defect 7: both engines agree on whether and when a run diverged. At lr 1e10 the per-row losses of step 3
    /// are finite but their float sum overflows: libtorch's loss is inf (diverged at step 3) while the fused engine,
    /// summing in double, reported a finite 6.3e37 and flagged step 4.
    /// </summary>
    [TestCase(1e6, "cross-entropy", "relu")]
    [TestCase(1e10, "cross-entropy", "relu")]
    [TestCase(1e20, "cross-entropy", "relu")]
    [TestCase(1e10, "mse", "relu")]
    [TestCase(1e10, "nll", "relu")]
    [TestCase(1e20, "cross-entropy", "sigmoid")]
    public void Both_engines_flag_divergence_at_the_same_step(double lr, string loss, string activation)
    {
        var cfg = new TrainConfig
        {
            Optimizer = "sgd", Lr = lr, Loss = loss, Activation = activation, Epochs = 1, MaxSteps = 20,
            Targets = loss == "mse" ? "onehot" : "index", Head = loss == "nll" ? "log_softmax" : "none",
        };
        var (lib, fused) = RunBoth(cfg);
        Assert.That(fused.DivergedAtStep, Is.EqualTo(lib.DivergedAtStep), $"libtorch losses {string.Join(", ", Losses(lib))}; fused {string.Join(", ", Losses(fused))}");
        if (lr == 1e10 && loss == "cross-entropy") Assert.That(lib.DivergedAtStep, Is.EqualTo(3));
    }

    static IEnumerable<float> Losses(RunResult r) => Enumerable.Range(0, (int)Math.Min(r.Steps.Count, 8)).Select(i => r.Steps.Loss(i));

    static (RunResult Lib, RunResult Fused) RunBoth(TrainConfig cfg)
    {
        var lib = new Trainer(_data).Run(cfg with { Engine = "libtorch" });
        var fused = new Trainer(_data).Run(cfg with { Engine = "fused" });
        Assert.That(lib.Engine, Is.EqualTo("libtorch"));
        Assert.That(fused.Engine, Is.EqualTo("fused"));
        return (lib, fused);
    }

    static void AssertAgree(RunResult lib, RunResult fused, int strictSteps = 50, double rel = 2e-5, double accuracyPoints = 1.5)
    {
        Assert.That(fused.Steps.Count, Is.EqualTo(lib.Steps.Count), "steps");
        Assert.That(fused.TrainCount, Is.EqualTo(lib.TrainCount));
        Assert.That(fused.ValCount, Is.EqualTo(lib.ValCount));
        Assert.That(fused.Epochs.Count, Is.EqualTo(lib.Epochs.Count));
        double worst = 0;
        for (int i = 0; i < lib.Steps.Count; i++)
        {
            float a = lib.Steps.Loss(i), b = fused.Steps.Loss(i);
            Assert.That(fused.Steps.BatchSize(i), Is.EqualTo(lib.Steps.BatchSize(i)));
            Assert.That(float.IsFinite(a) && float.IsFinite(b), $"step {i + 1}: libtorch {a}, fused {b}");
            if (i < strictSteps)
            {
                double d = Math.Abs(a - b) / Math.Max(Math.Abs(a), 1e-6);
                worst = Math.Max(worst, d);
                Assert.That(d, Is.LessThanOrEqualTo(rel), $"step {i + 1}: libtorch {a:R}, fused {b:R}");
            }
        }
        double accLib = lib.Epochs[^1].TestAcc * 100, accFused = fused.Epochs[^1].TestAcc * 100;
        TestContext.Out.WriteLine($"max rel diff (first {strictSteps} steps) {worst:E2}; test acc libtorch {accLib:F2} fused {accFused:F2}");
        Assert.That(Math.Abs(accLib - accFused), Is.LessThan(accuracyPoints), "final test accuracy (points)");
        if (lib.Epochs[^1].ValAcc is { } vl) Assert.That(Math.Abs(vl - fused.Epochs[^1].ValAcc!.Value) * 100, Is.LessThan(accuracyPoints), "final validation accuracy (points)");
        Assert.That(fused.Final.Confusion.Cast<long>().Sum(), Is.EqualTo(10000));
    }

    /// <summary>
    /// After 300 steps the engines' rounding differences have grown into different trajectories, so their final
    /// accuracies differ the way two seeds' do (issue 7: "within the seed-to-seed spread"). The bound is the range
    /// of the libtorch engine's final test/validation accuracy over seeds 1-4 of the same slice, and never less than
    /// 1.5 points. It matters for L1 on logits, whose accuracy sits near chance and jumps by points when the
    /// argmax of nearly equal outputs flips; for the smooth losses the range is well under 1.5 points.
    /// </summary>
    static double SeedSpreadPoints(TrainConfig cfg)
    {
        var accs = new List<double>();
        foreach (var seed in new long[] { 1, 2, 3, 4 })
        {
            var r = new Trainer(_data).Run(cfg with { Seed = seed, Engine = "libtorch" });
            accs.Add(r.Epochs[^1].TestAcc * 100);
            if (r.Epochs[^1].ValAcc is { } v) accs.Add(v * 100);
        }
        double range = accs.Max() - accs.Min();
        TestContext.Out.WriteLine($"seed-to-seed range of final accuracy: {range:F2} points");
        return Math.Max(1.5, range);
    }

    [TestCaseSource(nameof(Families))]
    public void Agreement(string experimentId)
    {
        var cfg = Registry.Experiment(experimentId).Config with { MaxSteps = 300, Threads = 1 };
        var (lib, fused) = RunBoth(cfg);
        AssertAgree(lib, fused, accuracyPoints: SeedSpreadPoints(cfg));
    }

    [Test]
    public void Agreement_AllActivationsLossesOptimizers_Short()
    {
        // What the registry does not use: tanh/leaky_relu/elu, nesterov, dampening, weight decay, one-hot CE with a head.
        var cases = new[]
        {
            new TrainConfig { Arch = "784-48-32-10", Activation = "tanh", Optimizer = "sgd", Lr = 0.05, Momentum = 0.9, Nesterov = true, WeightDecay = 1e-3, BatchSize = 8 },
            new TrainConfig { Arch = "784-48-10", Activation = "leaky_relu", Optimizer = "sgd", Lr = 0.05, Momentum = 0.5, Dampening = 0.3, BatchSize = 5, Loss = "mse", Targets = "onehot" },
            new TrainConfig { Arch = "784-40-24-10", Activation = "elu", Optimizer = "adam", WeightDecay = 1e-2, BatchSize = 7, Head = "log_softmax", Targets = "onehot", Dropout = 0.2 },
            new TrainConfig { Arch = "784-33-10", Activation = "sigmoid", Optimizer = "adam", Lr = 3e-3, BatchSize = 3, Loss = "l1", Targets = "onehot", Normalize = "mnist" },
        };
        foreach (var c in cases)
        {
            var (lib, fused) = RunBoth(c with { MaxSteps = 60, Epochs = 1, Seed = 7 });
            AssertAgree(lib, fused, strictSteps: 40);
        }
    }

    /// <summary>Two threads split phases by output element (from batch 1 on for the 784x128 layer), never a reduction.</summary>
    [TestCase(2)]
    [TestCase(16)]
    [TestCase(64)]
    public void ThreadCount_DoesNotChangeResults(int batch)
    {
        var cfg = new TrainConfig { Arch = "784-128-128-10", BatchSize = batch, MaxSteps = 20, Epochs = 1, Engine = "fused" };
        var one = new Trainer(_data).Run(cfg with { Threads = 1 });
        var two = new Trainer(_data).Run(cfg with { Threads = 2 });
        Assert.That(two.Steps.Losses, Is.EqualTo(one.Steps.Losses));
        Assert.That(two.Epochs[^1].TestLoss, Is.EqualTo(one.Epochs[^1].TestLoss));
    }

    /// <summary>
    /// The AVX-512 kernels compute every element with the AVX2 kernels' operations in the same order, so both widths
    /// give the same bits; committed fused baselines then hold on CPUs with and without AVX-512. Covers every row
    /// tail of the forward kernels (blocks of 8, 4, 2, 1 rows), the 16-column tails of widths that are an odd number
    /// of 16s (48, 80), each optimizer, weight decay, dropout, a log_softmax head and one-hot losses, with 1 and 2
    /// threads, then compares every parameter bit for bit. Without AVX-512 the 16-lane kernels run emulated (slowly)
    /// through the portable Vector512 API, so the test runs on every machine.
    /// </summary>
    [Test]
    public void Avx512AndAvx2_GiveTheSameBits()
    {
        TestContext.Out.WriteLine($"16-lane kernels: {(Kernels.Avx512Supported ? "AVX-512" : "emulated (no AVX-512 on this CPU)")}");
        var cases = new[]
        {
            new TrainConfig { Arch = "784-48-80-10", Optimizer = "adam", BatchSize = 15, Threads = 2 },
            new TrainConfig { Arch = "784-128-128-10", Optimizer = "adam", BatchSize = 2, Threads = 1 },
            new TrainConfig { Arch = "784-80-10", Optimizer = "sgd", Momentum = 0.9, Nesterov = true, WeightDecay = 1e-3, Lr = 0.05, BatchSize = 7, Threads = 2, Activation = "tanh" },
            new TrainConfig { Arch = "784-48-32-10", Optimizer = "sgd", Momentum = 0.5, Dampening = 0.3, Lr = 0.05, BatchSize = 1, Threads = 1, Loss = "mse", Targets = "onehot" },
            new TrainConfig { Arch = "784-64-10", Optimizer = "adam", BatchSize = 9, Threads = 1, Dropout = 0.3, Head = "log_softmax", Loss = "nll" },
        };
        foreach (var c in cases)
        {
            var cfg = c with { Seed = 5, MaxSteps = 40, Epochs = 1, Engine = "fused" };
            var (lossesWide, paramsWide) = TrainFused(cfg, avx512: true);
            var (lossesNarrow, paramsNarrow) = TrainFused(cfg, avx512: false);
            Assert.That(lossesWide, Is.EqualTo(lossesNarrow), $"{cfg.Arch} batch {cfg.BatchSize}: losses");
            for (int l = 0; l < paramsWide.Count; l++)
                Assert.That(paramsWide[l], Is.EqualTo(paramsNarrow[l]), $"{cfg.Arch} batch {cfg.BatchSize}: layer {l} parameters");
        }
    }

    static (float[] Losses, List<float[]> Parameters) TrainFused(TrainConfig cfg, bool avx512)
    {
        bool old = Kernels.UseAvx512;
        Kernels.UseAvx512 = avx512;
        try
        {
            torch.manual_seed(cfg.Seed);   // as the procedure does before an engine builds its model
            using var net = FusedEngine.CreateNetwork(cfg, cfg.BatchSize);
            var x = FusedData.For(_data, cfg.NormalizationKind).TrainX;
            var labels = new byte[cfg.BatchSize];
            var losses = new float[cfg.MaxSteps];
            for (int s = 0; s < cfg.MaxSteps; s++)
            {
                for (int i = 0; i < cfg.BatchSize; i++)
                {
                    int idx = (s * cfg.BatchSize + i) % MnistData.TrainCount;
                    x.AsSpan(idx * MnistData.Pixels, MnistData.Pixels).CopyTo(net.InputRow(i));
                    labels[i] = _data.Train.Labels[idx];
                }
                losses[s] = net.TrainStep(cfg.BatchSize, labels);
            }
            var ps = new List<float[]>();
            for (int l = 0; l < net.Layers; l++) { var (w, b) = net.GetParameters(l); ps.Add(w); ps.Add(b); }
            return (losses, ps);
        }
        finally { Kernels.UseAvx512 = old; }
    }

    [Test]
    public void StepLoop_AllocatesNothing()
    {
        foreach (var (batch, threads, dropout) in new[] { (2, 1, 0.0), (64, 2, 0.0), (16, 1, 0.5) })
        {
            var cfg = new TrainConfig { Arch = "784-128-128-10", BatchSize = batch, Threads = threads, Dropout = dropout, Seed = 3 };
            torch.manual_seed(cfg.Seed);
            using var net = FusedEngine.CreateNetwork(cfg, batch);
            var x = FusedData.For(_data, cfg.NormalizationKind).TrainX;
            var labels = new byte[batch];
            for (int i = 0; i < batch; i++) { x.AsSpan(i * 784, 784).CopyTo(net.InputRow(i)); labels[i] = _data.Train.Labels[i]; }
            for (int s = 0; s < 5; s++) net.TrainStep(batch, labels);   // warm-up (JIT, tiering)
            long before = GC.GetAllocatedBytesForCurrentThread();
            float loss = 0;
            for (int s = 0; s < 200; s++) loss = net.TrainStep(batch, labels);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.That(allocated, Is.Zero, $"batch {batch}, threads {threads}, dropout {dropout}");
            Assert.That(float.IsFinite(loss));
        }
    }

    [Test]
    public void Cuda_FallsBackToLibtorch()
    {
        var notices = new List<string>();
        var old = EngineSelection.Notify;
        EngineSelection.Notify = notices.Add;
        try
        {
            foreach (var engine in new[] { "auto", "fused" })
            {
                var (chosen, notice) = EngineSelection.Resolve(new TrainConfig { Device = "cuda", Engine = engine });
                Assert.That(chosen.Name, Is.EqualTo("libtorch"));
                Assert.That(notice, Does.Contain("libtorch").And.Contain("cuda"));
            }
            var (lib, none) = EngineSelection.Resolve(new TrainConfig { Engine = "libtorch" });
            Assert.That((lib.Name, none), Is.EqualTo(("libtorch", (string?)null)));
            Assert.That(EngineSelection.NameFor(new TrainConfig { Engine = "auto" }), Is.EqualTo("fused"));
            Assert.Throws<NotSupportedException>(() => new FusedEngine.Factory().Create(new TrainConfig { Device = "cuda" }, _data));
        }
        finally { EngineSelection.Notify = old; }
    }

    [Test]
    public void Engine_IsPartOfTheConfigHash()
    {
        var a = new TrainConfig();
        Assert.That(a.Engine, Is.EqualTo("auto"));
        Assert.That((a with { Engine = "fused" }).Hash, Is.Not.EqualTo(a.Hash));
        Assert.Throws<ConfigException>(() => (a with { Engine = "gpu" }).Validate());
    }

    [Test]
    [Category("Full")]
    public void Agreement_FullEpoch_Doc000Batch64()
    {
        var cfg = Registry.Experiments.First(e => e.Config.BatchSize == 64 && e.Id.StartsWith("000")).Config with { Epochs = 1, Threads = 1 };
        var (lib, fused) = RunBoth(cfg);
        AssertAgree(lib, fused);
    }
}
