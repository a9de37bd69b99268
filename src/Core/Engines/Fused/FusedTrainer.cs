using System.Diagnostics;
using MnistClaims.Data;
using MnistClaims.Core.Training;
using MnistClaims.Models;
using MnistClaims.Torch;

namespace MnistClaims.Core.Engines.Fused;

/// <summary>
/// The canonical procedure of <see cref="Trainer"/> on the fused engine: same initial weights (the model is
/// built through libtorch after manual_seed and its parameters copied out), same split and epoch orders
/// (randperm on the same Generator sequence), same dropout noise (drawn through libtorch, same order and
/// shape), same metrics and evaluation; only the arithmetic differs (float rounding / summation order).
/// </summary>
public sealed class FusedTrainer(MnistData data)
{
    public const string EngineName = "fused";

    /// <summary>Null when the fused engine can run <paramref name="cfg"/>, else why not.</summary>
    public static string? Unsupported(TrainConfig cfg)
    {
        if (!cfg.Device.Equals("cpu", StringComparison.Ordinal)) return $"device {cfg.Device} (the fused engine is CPU only)";
        if (!Kernels.Supported) return "this CPU lacks AVX2/FMA";
        if (cfg.Dropout > 0 && !FusedNative.HasDropoutMask) return "the native shim lacks mc_fused_dropout_mask (rebuild: make native)";
        return null;
    }

    public static FusedLoss LossOf(TrainConfig cfg) => cfg.Loss switch
    {
        "cross-entropy" => cfg.Targets == "onehot" ? FusedLoss.CrossEntropyProbs : FusedLoss.CrossEntropyIndex,
        "nll" => FusedLoss.Nll,
        "mse" => FusedLoss.Mse,
        "l1" => FusedLoss.L1,
        _ => throw new ConfigException("loss", $"unknown loss '{cfg.Loss}'"),
    };

    public static FusedTrainerOptions OptionsOf(TrainConfig cfg) => new(
        cfg.Optimizer == "adam" ? 3 : cfg.Momentum == 0 ? 0 : cfg.Nesterov ? 2 : 1,
        cfg.Lr, cfg.Momentum, cfg.Dampening, cfg.WeightDecay, cfg.Beta1, cfg.Beta2, cfg.Eps);

    /// <summary>Threads the fused engine uses for a config: cfg.Threads, 0 meaning all cores; at most 2.</summary>
    public static int ThreadsOf(TrainConfig cfg) => Math.Clamp(cfg.Threads > 0 ? cfg.Threads : Environment.ProcessorCount, 1, 2);

    /// <summary>
    /// Builds the model exactly like <see cref="Trainer"/> (manual_seed, then MlpBuilder) and copies its
    /// parameters into a fused network sized for batches of up to <paramref name="maxRows"/>.
    /// </summary>
    public static FusedMlp CreateNetwork(TrainConfig cfg, int maxRows)
    {
        torch.manual_seed(cfg.Seed);
        var spec = cfg.ModelSpec();
        var net = new FusedMlp(spec, LossOf(cfg), OptionsOf(cfg), maxRows, ThreadsOf(cfg));
        try
        {
            using var model = MlpBuilder.Build(spec);
            var ps = model.parameters();
            if (ps.Count != 2 * net.Layers) throw new InvalidOperationException($"expected {2 * net.Layers} parameters, found {ps.Count}");
            for (int l = 0; l < net.Layers; l++) net.SetParameters(l, ps[2 * l].data<float>(), ps[2 * l + 1].data<float>());
            return net;
        }
        catch { net.Dispose(); throw; }
    }

    public RunResult Run(TrainConfig cfg, ITrainObserver? observer = null, CancellationToken cancel = default)
    {
        cfg.Validate();
        if (Unsupported(cfg) is { } why) throw new NotSupportedException($"fused engine: {why}");
        var started = DateTimeOffset.UtcNow;
        if (cfg.Threads > 0) torch.set_num_threads(cfg.Threads);   // as Trainer does (affects libtorch-drawn ops only)

        var spec = cfg.ModelSpec();
        using var net = CreateNetwork(cfg, Math.Max(cfg.BatchSize, cfg.EvalBatchSize));

        using var g = new Generator(cfg.Seed);
        var (trainIdx, valIdx) = Trainer.Split(cfg, g);
        var arrays = FusedData.For(data, cfg.NormalizationKind);
        var trainLabels = data.Train.Labels;

        long stepsPerEpoch = (trainIdx.Length + cfg.BatchSize - 1) / cfg.BatchSize;
        long totalSteps = stepsPerEpoch * cfg.Epochs;
        if (cfg.MaxSteps > 0) totalSteps = Math.Min(totalSteps, cfg.MaxSteps);
        observer?.RunStarted(cfg, totalSteps);

        var steps = new StepLog();
        var epochs = new List<EpochMetrics>();
        long globalStep = 0;
        long? divergedAt = null;
        EvalResult? lastTest = null;
        var labels = new byte[Math.Max(cfg.BatchSize, cfg.EvalBatchSize)];

        for (int epoch = 1; epoch <= cfg.Epochs && divergedAt is null && globalStep < totalSteps; epoch++)
        {
            var clock = Stopwatch.StartNew();
            long[] order;
            using (var perm = torch.randperm(trainIdx.Length, g)) order = perm.data<long>();

            var tally = new EpochTally();
            for (int start = 0; start < order.Length && globalStep < totalSteps; start += cfg.BatchSize)
            {
                cancel.ThrowIfCancellationRequested();
                int n = Math.Min(cfg.BatchSize, order.Length - start);
                for (int i = 0; i < n; i++)
                {
                    int idx = (int)trainIdx[order[start + i]];
                    arrays.TrainX.AsSpan(idx * MnistData.Pixels, MnistData.Pixels).CopyTo(net.InputRow(i));
                    labels[i] = trainLabels[idx];
                }
                float stepLoss = net.TrainStep(n, labels.AsSpan(0, n));
                int correct = 0;
                for (int i = 0; i < n; i++) if (net.ArgMax(i, out _) == labels[i]) correct++;

                globalStep++;
                steps.Add(epoch, n, stepLoss, correct);
                observer?.Step(globalStep, epoch, stepLoss);
                if (!float.IsFinite(stepLoss)) divergedAt = globalStep;
                tally.Add(stepLoss, n, correct);
                if (divergedAt is not null) break;
            }
            double trainSeconds = clock.Elapsed.TotalSeconds;

            clock.Restart();
            EvalResult? val = valIdx.Length > 0 ? Evaluate(net, arrays.TrainX, trainLabels, valIdx, cfg.EvalBatchSize, labels) : null;
            lastTest = Evaluate(net, arrays.TestX, data.Test.Labels, null, cfg.EvalBatchSize, labels);
            var m = tally.ToMetrics(epoch, val, lastTest, trainSeconds, clock.Elapsed.TotalSeconds);
            epochs.Add(m);
            observer?.EpochFinished(m);
        }

        return new RunResult
        {
            Config = cfg, Steps = steps, Epochs = epochs,
            Final = FinalReport.From(lastTest!),
            TrainCount = trainIdx.Length, ValCount = valIdx.Length,
            DivergedAtStep = divergedAt, ParameterCount = spec.ParameterCount,
            Started = started, Finished = DateTimeOffset.UtcNow,
            Engine = EngineName,
        };
    }

    /// <summary>Eval mode (no dropout), batches of <paramref name="batchSize"/> in index order, as Trainer.Evaluate.</summary>
    static EvalResult Evaluate(FusedMlp net, float[] x, byte[] y, long[]? subset, int batchSize, byte[] labelBuf)
    {
        int count = subset?.Length ?? y.Length;
        var predicted = new int[count];
        var confidence = new float[count];
        var labels = new int[count];
        double lossSum = 0, batchMeanSum = 0; long correct = 0; int batches = 0;
        for (int start = 0; start < count; start += batchSize)
        {
            int n = Math.Min(batchSize, count - start);
            for (int i = 0; i < n; i++)
            {
                int idx = subset is null ? start + i : (int)subset[start + i];
                x.AsSpan(idx * MnistData.Pixels, MnistData.Pixels).CopyTo(net.InputRow(i));
                labelBuf[i] = y[idx];
            }
            net.Forward(n, training: false);
            float l = net.Loss(n, labelBuf.AsSpan(0, n), backward: false);
            lossSum += (double)l * n; batchMeanSum += l; batches++;
            for (int i = 0; i < n; i++)
            {
                int p = net.ArgMax(i, out float conf);
                predicted[start + i] = p; confidence[start + i] = conf; labels[start + i] = labelBuf[i];
                if (p == labelBuf[i]) correct++;
            }
        }
        return new EvalResult(lossSum / count, batchMeanSum / batches, correct, count, predicted, confidence, labels);
    }
}

/// <summary>Normalized MNIST pixels as float arrays (the values MnistData puts in its tensors), cached per dataset.</summary>
public sealed record FusedData(float[] TrainX, float[] TestX)
{
    static readonly System.Runtime.CompilerServices.ConditionalWeakTable<MnistData, Dictionary<Normalization, FusedData>> Cache = new();

    public static FusedData For(MnistData data, Normalization n)
    {
        var perData = Cache.GetValue(data, _ => []);
        lock (perData)
        {
            if (!perData.TryGetValue(n, out var d))
                perData[n] = d = new FusedData(Normalizer.Normalize(data.Train.Images, n), Normalizer.Normalize(data.Test.Images, n));
            return d;
        }
    }
}
