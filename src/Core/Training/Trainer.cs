using System.Diagnostics;
using MnistClaims.Data;
using MnistClaims.Models;
using MnistClaims.Torch;
using static MnistClaims.Torch.nn.functional;

namespace MnistClaims.Core.Training;

/// <summary>Receives progress while a run trains (the CLI draws a progress bar from it).</summary>
public interface ITrainObserver
{
    void RunStarted(TrainConfig config, long totalSteps) { }
    void Step(long globalStep, int epoch, float loss) { }
    void EpochFinished(EpochMetrics metrics) { }
}

/// <summary>
/// The canonical training procedure, equivalent to a plain PyTorch script (see README, "The canonical
/// procedure", and tools/reference/train_reference.py which implements it in Python for the
/// differential test):
/// <list type="number">
/// <item><c>manual_seed(seed)</c>; build the model layer by layer (nn.Linear's own initialisation).</item>
/// <item>A separate generator <c>g</c> seeded with <c>seed</c>.</item>
/// <item>With a validation fraction v: <c>p = randperm(60000, g)</c>; validation = <c>p[:round(v*60000)]</c>, train = the rest.
///   Without: train = 0..59999, nothing drawn. <c>max_train_samples</c> keeps the first N train indices.</item>
/// <item>Each epoch: <c>order = randperm(len(train), g)</c>; consecutive batches of B from <c>train[order]</c>, last partial batch kept.</item>
/// <item>Each step (train mode): zero_grad, forward, loss, backward, step; record loss, batch size, correct count.</item>
/// <item>After each epoch (eval mode, no grad): validation (if any) and test, in index order, batches of 1000;
///   loss = sum(batch mean * batch size) / N in double; accuracy = correct / N.</item>
/// <item>At the end: confusion matrix, per-class precision/recall/F1, misclassified test indices.</item>
/// </list>
/// </summary>
public sealed class Trainer(MnistData data)
{
    public RunResult Run(TrainConfig cfg, ITrainObserver? observer = null, CancellationToken cancel = default)
    {
        cfg.Validate();
        // Engine selection (src/Harness/Engines): the fused engine runs the same procedure without autograd.
        var (engine, notice) = Engines.EngineSelection.Resolve(cfg);
        if (notice is not null) Engines.EngineSelection.Notify(notice);
        if (engine == Engines.Fused.FusedTrainer.EngineName) return new Engines.Fused.FusedTrainer(data).Run(cfg, observer, cancel);
        var started = DateTimeOffset.UtcNow;
        var device = Devices.Resolve(cfg.Device);
        if (cfg.Threads > 0) torch.set_num_threads(cfg.Threads);

        // 1. Model from the global seed.
        torch.manual_seed(cfg.Seed);
        var spec = cfg.ModelSpec();
        using var model = MlpBuilder.Build(spec, device);

        // 2-3. Data order from a separate generator.
        using var g = new Generator(cfg.Seed);
        var (trainIdx, valIdx) = Split(cfg, g);

        // Tensors are cached and owned by MnistData (one copy per normalisation and device).
        var t = data.Tensors(cfg.NormalizationKind, device);
        var inputs = t.TrainX; var labels = t.TrainY;
        var onehot = cfg.Targets == "onehot" ? t.TrainOneHot : null;
        using var optimizer = MakeOptimizer(cfg, model.parameters());
        Func<Tensor, Tensor, Tensor> loss = LossFunction(cfg);

        long stepsPerEpoch = (trainIdx.Length + cfg.BatchSize - 1) / cfg.BatchSize;
        long totalSteps = stepsPerEpoch * cfg.Epochs;
        if (cfg.MaxSteps > 0) totalSteps = Math.Min(totalSteps, cfg.MaxSteps);
        observer?.RunStarted(cfg, totalSteps);

        var steps = new StepLog();
        var epochs = new List<EpochMetrics>();
        long globalStep = 0;
        long? divergedAt = null;
        EvalResult? lastTest = null;
        var batch = new long[cfg.BatchSize];

        for (int epoch = 1; epoch <= cfg.Epochs && divergedAt is null && globalStep < totalSteps; epoch++)
        {
            var clock = Stopwatch.StartNew();
            model.train();
            // 4. A fresh permutation of the training indices every epoch.
            long[] order;
            using (var perm = torch.randperm(trainIdx.Length, g)) order = perm.data<long>();

            var tally = new EpochTally();
            for (int start = 0; start < order.Length && globalStep < totalSteps; start += cfg.BatchSize)
            {
                cancel.ThrowIfCancellationRequested();
                int n = Math.Min(cfg.BatchSize, order.Length - start);
                if (n != batch.Length) batch = new long[n];
                for (int i = 0; i < n; i++) batch[i] = trainIdx[order[start + i]];

                // 5. One optimizer step; every temporary dies with the scope.
                float stepLoss; int correct;
                using (torch.NewDisposeScope())
                {
                    var idx = torch.tensor(batch, [n]).to(device);
                    var x = inputs.index_select(0, idx);
                    var y = labels.index_select(0, idx);
                    var target = onehot is null ? y : onehot.index_select(0, idx);
                    optimizer.zero_grad();
                    var output = model.forward(x);
                    var l = loss(output, target);
                    l.backward();
                    optimizer.step();
                    stepLoss = l.ToSingle();
                    correct = (int)output.argmax(1).eq(y).sum().ToInt64();
                }
                globalStep++;
                steps.Add(epoch, n, stepLoss, correct);
                observer?.Step(globalStep, epoch, stepLoss);
                if (!float.IsFinite(stepLoss)) { divergedAt = globalStep; }
                tally.Add(stepLoss, n, correct);
                if (divergedAt is not null) break;
            }
            double trainSeconds = clock.Elapsed.TotalSeconds;

            // 6. Evaluation after the epoch.
            clock.Restart();
            EvalResult? val = valIdx.Length > 0 ? Evaluate(model, inputs, labels, onehot, valIdx, loss, cfg.EvalBatchSize, device) : null;
            lastTest = Evaluate(model, t.TestX, t.TestY, onehot is null ? null : t.TestOneHot, null, loss, cfg.EvalBatchSize, device);
            var m = tally.ToMetrics(epoch, val, lastTest, trainSeconds, clock.Elapsed.TotalSeconds);
            epochs.Add(m);
            observer?.EpochFinished(m);
        }

        // 7. Final report from the last test evaluation.
        return new RunResult
        {
            Config = cfg, Steps = steps, Epochs = epochs,
            Final = FinalReport.From(lastTest!),
            TrainCount = trainIdx.Length, ValCount = valIdx.Length,
            DivergedAtStep = divergedAt, ParameterCount = spec.ParameterCount,
            Started = started, Finished = DateTimeOffset.UtcNow,
            Engine = "libtorch",
        };
    }

    /// <summary>Step 3 of the procedure: the seeded validation split of the 60k training images.</summary>
    public static (long[] Train, long[] Val) Split(TrainConfig cfg, Generator g, int total = MnistData.TrainCount)
    {
        long[] train, val;
        if (cfg.ValFraction > 0)
        {
            long[] p;
            using (var perm = torch.randperm(total, g)) p = perm.data<long>();
            // Python's round(): ties to even, like Math.Round's default.
            int nVal = (int)Math.Round(cfg.ValFraction * total);
            val = p[..nVal];
            train = p[nVal..];
        }
        else
        {
            val = [];
            train = new long[total];
            for (int i = 0; i < total; i++) train[i] = i;
        }
        if (cfg.MaxTrainSamples > 0 && cfg.MaxTrainSamples < train.Length) train = train[..cfg.MaxTrainSamples];
        return (train, val);
    }

    /// <summary>
    /// Eval mode, no grad, fixed batches in index order. <paramref name="subset"/> selects rows (validation);
    /// null means all rows in order (test).
    /// </summary>
    static EvalResult Evaluate(nn.Module model, Tensor x, Tensor y, Tensor? onehot, long[]? subset,
        Func<Tensor, Tensor, Tensor> loss, int batchSize, Device device)
    {
        model.eval();
        try
        {
            using var _ = torch.no_grad();
            int count = subset?.Length ?? (int)x.size(0);
            var predicted = new int[count];
            var confidence = new float[count];
            var labels = new int[count];
            double lossSum = 0, batchMeanSum = 0; long correct = 0; int batches = 0;
            for (int start = 0; start < count; start += batchSize)
            {
                int n = Math.Min(batchSize, count - start);
                using var scope = torch.NewDisposeScope();
                Tensor xb, yb, tb;
                if (subset is null)
                {
                    xb = x.narrow(0, start, n); yb = y.narrow(0, start, n); tb = onehot?.narrow(0, start, n) ?? yb;
                }
                else
                {
                    var idx = torch.tensor(subset[start..(start + n)], [n]).to(device);
                    xb = x.index_select(0, idx); yb = y.index_select(0, idx); tb = onehot?.index_select(0, idx) ?? yb;
                }
                var output = model.forward(xb);
                float l = loss(output, tb).ToSingle();
                lossSum += (double)l * n; batchMeanSum += l; batches++;
                var conf = softmax(output, 1).max(1, out var pred);
                var predArr = pred.to(ScalarType.Int64).data<long>();
                var confArr = conf.data<float>();
                var labArr = yb.data<long>();
                for (int i = 0; i < n; i++)
                {
                    predicted[start + i] = (int)predArr[i];
                    confidence[start + i] = confArr[i];
                    labels[start + i] = (int)labArr[i];
                    if (predArr[i] == labArr[i]) correct++;
                }
            }
            return new EvalResult(lossSum / count, batchMeanSum / batches, correct, count, predicted, confidence, labels);
        }
        finally { model.train(); }
    }

    static optim.Optimizer MakeOptimizer(TrainConfig cfg, IReadOnlyList<Tensor> parameters) => cfg.Optimizer switch
    {
        "adam" => optim.Adam(parameters, cfg.Lr, cfg.Beta1, cfg.Beta2, cfg.Eps, cfg.WeightDecay),
        "sgd" => optim.SGD(parameters, cfg.Lr, cfg.Momentum, cfg.Dampening, cfg.WeightDecay, cfg.Nesterov),
        _ => throw new ConfigException("optimizer", $"unknown optimizer '{cfg.Optimizer}'"),
    };

    /// <summary>Loss on the model's output. CE takes class indices or, with one-hot targets, probabilities.</summary>
    public static Func<Tensor, Tensor, Tensor> LossFunction(TrainConfig cfg) => cfg.Loss switch
    {
        "cross-entropy" => (x, t) => cross_entropy(x, t),
        "nll" => (x, t) => nll_loss(x, t),
        "mse" => (x, t) => mse_loss(x, t),
        "l1" => (x, t) => l1_loss(x, t),
        _ => throw new ConfigException("loss", $"unknown loss '{cfg.Loss}'"),
    };
}
