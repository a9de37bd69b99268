using MnistClaims.Core.Runs;
using MnistClaims.Core.Training;
using MnistClaims.Torch;
using MnistClaims.Common;

namespace MnistClaims.Harness.Cli;

/// <summary><c>harness train</c>: one configuration, one seed, one run directory.</summary>
public static class TrainCommand
{
    public static readonly Flag[] Flags =
    [
        new("arch", "W-W-..", "layer widths from input to output", "784-128-10"),
        new("activation", "NAME", "hidden activation: relu, sigmoid, tanh, leaky_relu, elu", "relu"),
        new("loss", "NAME", "cross-entropy, nll (adds a log_softmax head), mse or l1 (one-hot targets)", "cross-entropy"),
        new("head", "NAME", "output head: none or log_softmax (default: log_softmax for nll, else none)"),
        new("targets", "KIND", "index or onehot (default: onehot for mse/l1, else index)"),
        new("optimizer", "NAME", "adam or sgd", "adam"),
        new("lr", "X", "learning rate", "0.001"),
        new("momentum", "X", "SGD momentum", "0"),
        new("nesterov", null, "Nesterov momentum (SGD)"),
        new("weight-decay", "X", "L2 weight decay", "0"),
        new("dropout", "P", "dropout probability after every hidden activation", "0"),
        new("batch-size", "N", "training batch size (last partial batch kept)", "64"),
        new("epochs", "N", "number of epochs", "10"),
        new("max-steps", "N", "stop after N optimizer steps in total, then evaluate (0 = all)", "0"),
        new("seed", "N", "seed for weights (manual_seed) and for data order (a separate Generator)", "1"),
        new("val-fraction", "F", "fraction of the 60k training images held out for validation, e.g. 0.2", "0"),
        new("split", "KIND", "seeded (randperm on the run's data generator) or sklearn:S (train_test_split(random_state=S), the same for every seed)", "seeded"),
        new("normalize", "KIND", "none (0..255), scale (/255), mnist ((x-0.1307)/0.3081) or half ((x-0.5)/0.5)", "scale"),
        new("max-train-samples", "N", "keep only the first N training indices after the split (0 = all)", "0"),
        new("threads", "N", "libtorch intra-op threads, recorded in the manifest (0 = libtorch default)", "1"),
        new("device", "DEV", "cpu, cuda or cuda:N", "cpu"),
        new("engine", "NAME", "auto (fused where supported, else libtorch), fused or libtorch; CUDA always uses libtorch", "auto"),
        new("data-dir", "DIR", "MNIST directory (default: $MNIST_CLAIMS_DATA, else .cache/mnist in the repo)"),
        new("out", "DIR", "run directory to write (Parquet + manifest.json); default runs/<config-hash>-s<seed>"),
        new("overwrite", null, "replace an existing run directory"),
        new("config", "FILE", "read the configuration from a JSON file (flags given as well override it)"),
        new("experiment", "ID", "experiment id of the claims registry, recorded in the manifest (set by reproduce)"),
    ];

    public static string HelpText => Args.Help("harness train [options]",
        "Trains one MLP configuration on MNIST with the canonical procedure and writes its run record.", Flags);

    public static TrainConfig ConfigFrom(Args a)
    {
        var baseCfg = a.String("config") is { } path
            ? TrainConfig.FromConfigFile(File.Exists(path) ? File.ReadAllText(path)
                : Directory.Exists(path) ? throw new UsageException($"--config: '{path}' is a directory, expected a JSON configuration file")
                : throw new UsageException($"--config: file '{path}' does not exist, expected a JSON configuration file"), path)
            : new TrainConfig();
        string loss = a.Has("loss") ? a.String("loss")! : baseCfg.Loss;
        var cfg = baseCfg with
        {
            Arch = a.Has("arch") ? a.String("arch")! : baseCfg.Arch,
            Activation = a.Has("activation") ? a.String("activation")! : baseCfg.Activation,
            Loss = loss,
            Head = a.Has("head") ? a.String("head")! : (a.Has("loss") ? (loss == "nll" ? "log_softmax" : "none") : baseCfg.Head),
            Targets = a.Has("targets") ? a.String("targets")! : (a.Has("loss") ? (loss is "mse" or "l1" ? "onehot" : "index") : baseCfg.Targets),
            Optimizer = a.Has("optimizer") ? a.String("optimizer")! : baseCfg.Optimizer,
            Lr = a.Double("lr", baseCfg.Lr),
            Momentum = a.Double("momentum", baseCfg.Momentum),
            Nesterov = a.Has("nesterov") ? a.Switch("nesterov") : baseCfg.Nesterov,
            WeightDecay = a.Double("weight-decay", baseCfg.WeightDecay),
            Dropout = a.Double("dropout", baseCfg.Dropout),
            BatchSize = a.Int("batch-size", baseCfg.BatchSize),
            Epochs = a.Int("epochs", baseCfg.Epochs),
            MaxSteps = a.Long("max-steps", baseCfg.MaxSteps),
            Seed = a.Long("seed", baseCfg.Seed),
            ValFraction = a.Double("val-fraction", baseCfg.ValFraction),
            Split = a.Has("split") ? a.String("split")! : baseCfg.Split,
            Normalize = a.Has("normalize") ? a.String("normalize")! : baseCfg.Normalize,
            MaxTrainSamples = a.Int("max-train-samples", baseCfg.MaxTrainSamples),
            Threads = a.Int("threads", baseCfg.Threads),
            Device = a.Has("device") ? a.String("device")! : baseCfg.Device,
            Engine = a.Has("engine") ? a.String("engine")! : baseCfg.Engine,
        };
        try { cfg.Validate(); }
        catch (ConfigException e) { throw new UsageException(e.Message); }
        return cfg;
    }

    public static int Run(string[] argv)
    {
        var a = new Args("train", Flags, argv);
        if (a.HelpRequested) { Console.Out.Write(HelpText); return 0; }
        if (a.Positionals.Count > 0) throw new UsageException($"train: unexpected argument '{a.Positionals[0]}'");
        var cfg = ConfigFrom(a);
        Devices.Resolve(cfg.Device);   // fails early, in one line, for cuda without CUDA
        // A symbolic link to a directory is written through: the lock, the checks and the swap are at its target.
        var outDir = AtomicDirectory.ResolveLinks(a.String("out") ?? Path.Combine(RepoPaths.Root is null ? "runs" : RepoPaths.Runs, $"{cfg.Hash}-s{cfg.Seed}"));
        bool overwrite = a.Switch("overwrite");
        CheckTarget(outDir, overwrite);
        using var data = MnistData.Load(a.String("data-dir"), msg => Console.Error.WriteLine(msg));
        var result = TrainInto(outDir, cfg, overwrite, a.String("experiment"), data, new ConsoleProgress(Console.Out, ConsoleProgress.StderrIsTerminal));
        if (result.DivergedAtStep is { } s) Console.Out.WriteLine($"diverged: loss became NaN/Inf at step {s}");
        Console.Out.WriteLine($"final test accuracy {result.Epochs[^1].TestAcc:P2}  macro-F1 {result.Final.MacroF1:F4}  misses {result.Final.Misses.Count}  params {result.ParameterCount:N0}  ({result.TotalSeconds:F1} s)");
        Console.Out.WriteLine($"run written to {Path.GetFullPath(outDir)}");
        return 0;
    }

    /// <summary>
    /// Trains <paramref name="cfg"/> and writes its run record to <paramref name="outDir"/> (what <c>train</c> and each
    /// request to <c>harness worker</c> do). Everything that can refuse the output is checked before training, not after:
    /// what the directory holds (<paramref name="overwrite"/> replaces only a run directory), whether it is writable, and
    /// whether another process writes there (the run lock, held until the record is written).
    /// </summary>
    internal static RunResult TrainInto(string outDir, TrainConfig cfg, bool overwrite, string? experiment, MnistData data, ITrainObserver? progress)
    {
        CheckTarget(outDir, overwrite);
        using var runLock = RunLock.Acquire(outDir);
        CheckTarget(outDir, overwrite);   // again, now that no other writer can change it
        RunStore.CleanStale(Path.GetDirectoryName(outDir)!);
        var result = new Trainer(data).Run(cfg, progress);
        var manifest = Manifest.For(result, data.Checksums, experimentId: experiment);
        RunStore.Write(outDir, result, manifest, overwrite: overwrite);
        return result;
    }

    static void CheckTarget(string outDir, bool overwrite)
    {
        try { RunStore.CheckTarget(outDir, overwrite); }
        catch (IOException e) { throw new UsageException($"--out: {e.Message}"); }
    }
}
