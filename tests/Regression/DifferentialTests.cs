using MnistClaims.Common;
using System.Globalization;
using System.Text.Json;
using MnistClaims.Core.Runs;
using MnistClaims.Core.Training;

namespace MnistClaims.Tests.Regression;

/// <summary>
/// Proof of equivalence: the same configuration trained by the C# harness and by a plain PyTorch script
/// (tools/reference/train_reference.py on Debian's python3-torch, the same libtorch 1.13) gives
/// bitwise-identical per-step losses and identical evaluation counts at the same thread count.
/// Any difference means the harness's procedure is not the documented one.
/// </summary>
[Category("Fast"), Category("Integration")]
public sealed class DifferentialTests
{
    const string Python = PyTorch.Python;

    public static IEnumerable<TestCaseData> Configs()
    {
        TestCaseData Case(string name, TrainConfig c) => new TestCaseData(c).SetName($"Bitwise_equal_to_PyTorch({name})");
        yield return Case("ce-adam", new TrainConfig { Arch = "784-128-10", Loss = "cross-entropy", Optimizer = "adam", Lr = 1e-3, BatchSize = 64, MaxSteps = 300, Seed = 7 });
        yield return Case("mse-onehot-adam", new TrainConfig { Arch = "784-128-128-10", Loss = "mse", Targets = "onehot", Optimizer = "adam", Lr = 0.01, BatchSize = 64, MaxSteps = 200, Seed = 3 });
        yield return Case("nll-sgd-momentum", new TrainConfig { Arch = "784-256-128-64-10", Head = "log_softmax", Loss = "nll", Optimizer = "sgd", Lr = 0.005, Momentum = 0.9, BatchSize = 64, Normalize = "half", MaxSteps = 200, Seed = 11 });
        yield return Case("nesterov-weight-decay", new TrainConfig { Arch = "784-64-10", Activation = "tanh", Optimizer = "sgd", Lr = 0.05, Momentum = 0.9, Nesterov = true, WeightDecay = 1e-4, BatchSize = 32, Normalize = "mnist", MaxSteps = 200, Seed = 5 });
        yield return Case("dropout-logsoftmax-ce", new TrainConfig { Arch = "784-120-84-10", Head = "log_softmax", Dropout = 0.5, Loss = "cross-entropy", BatchSize = 100, MaxSteps = 200, Seed = 101 });
        yield return Case("val-split-onehot-ce", new TrainConfig { Arch = "784-128-128-10", Loss = "cross-entropy", Targets = "onehot", Lr = 0.01, BatchSize = 64, ValFraction = 0.2, EvalBatchSize = 64, MaxSteps = 200, Seed = 42 });
        yield return Case("sklearn-split-onehot-ce", new TrainConfig { Arch = "784-128-128-10", Loss = "cross-entropy", Targets = "onehot", Lr = 0.01, BatchSize = 64, ValFraction = 0.2, Split = "sklearn:42", EvalBatchSize = 64, MaxSteps = 200, Seed = 3 });
        yield return Case("sigmoid-batch1-sgd-l1", new TrainConfig { Arch = "784-30-10", Activation = "sigmoid", Loss = "l1", Targets = "onehot", Optimizer = "sgd", Lr = 0.01, BatchSize = 1, ValFraction = 0.15, MaxTrainSamples = 33000, MaxSteps = 500, Seed = 2 });
    }

    [TestCaseSource(nameof(Configs))]
    public void Bitwise_equal_to_PyTorch(TrainConfig cfg)
    {
        Requires.Tool(File.Exists(Python), $"{Python} (python3-torch) is required; run `make setup`");
        cfg = cfg with { Engine = "libtorch" };   // the libtorch engine is the one held to bitwise equality
        var ours = new Trainer(Fixture.Data).Run(cfg);
        var theirs = RunReference(cfg);

        var steps = theirs.GetProperty("steps");
        Assert.That(steps.GetArrayLength(), Is.EqualTo(ours.Steps.Count), "number of steps");
        for (int i = 0; i < ours.Steps.Count; i++)
        {
            var s = steps[i];
            double reference = PyTorch.ParseHex(s.GetProperty("loss").GetString()!);
            Assert.That((double)ours.Steps.Loss(i), Is.EqualTo(reference).Within(0), $"step {i + 1} loss differs: C# {ours.Steps.Loss(i):R} vs PyTorch {reference:R}");
            Assert.That(ours.Steps.Correct(i), Is.EqualTo(s.GetProperty("correct").GetInt32()), $"step {i + 1} correct count");
        }
        var e = theirs.GetProperty("epochs");
        Assert.That(e.GetArrayLength(), Is.EqualTo(ours.Epochs.Count), "number of evaluated epochs");
        for (int i = 0; i < ours.Epochs.Count; i++)
        {
            Assert.That(ours.Epochs[i].TestCorrect, Is.EqualTo(e[i].GetProperty("test_correct").GetInt64()), $"epoch {i + 1} test correct");
            Assert.That(ours.Epochs[i].TestLoss, Is.EqualTo(e[i].GetProperty("test_loss").GetDouble()), $"epoch {i + 1} test loss");
            if (cfg.ValFraction > 0)
            {
                Assert.That(ours.Epochs[i].ValCorrect, Is.EqualTo(e[i].GetProperty("val_correct").GetInt64()), $"epoch {i + 1} val correct");
                Assert.That(ours.Epochs[i].ValLoss, Is.EqualTo(e[i].GetProperty("val_loss").GetDouble()), $"epoch {i + 1} val loss");
            }
        }
    }

    static JsonElement RunReference(TrainConfig cfg)
    {
        var dir = Directory.CreateTempSubdirectory("mnist-claims-diff-");
        try
        {
            var cfgPath = Path.Combine(dir.FullName, "config.json");
            var outPath = Path.Combine(dir.FullName, "out.json");
            File.WriteAllText(cfgPath, cfg.ToCanonicalJson());
            var script = Path.Combine(RepoPaths.RequireRoot(), "tools", "reference", "train_reference.py");
            var r = ProcessRunner.Run(Python, [script, "--config", cfgPath, "--data-dir", Fixture.Data.Directory, "--out", outPath], TimeSpan.FromMinutes(5));
            Assert.That(r.ExitCode, Is.Zero, $"reference script failed: {r.StdErr}");
            return JsonDocument.Parse(File.ReadAllText(outPath)).RootElement.Clone();
        }
        finally { dir.Delete(recursive: true); }
    }
}
