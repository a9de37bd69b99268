using System.Diagnostics;
using MnistClaims.Core.Engines;
using MnistClaims.Torch;

namespace MnistClaims.Core.Training;

/// <summary>Receives progress while a run trains (the CLI draws a progress bar from it).</summary>
public interface ITrainObserver
{
    void RunStarted(TrainConfig config, long totalSteps) { }
    void Step(long globalStep, int epoch, float loss) { }
    void EpochFinished(EpochMetrics metrics) { }
}

/// <summary>
/// The canonical training procedure, written once for every engine (README, "The canonical procedure";
/// tools/reference/train_reference.py is the same procedure as a plain PyTorch script). An engine
/// (<see cref="IEngine"/>) does only what differs: build the model from libtorch's initial weights, one optimizer
/// step, one evaluation batch.
/// </summary>
public sealed class Trainer(MnistData data)
{
    public RunResult Run(TrainConfig cfg, ITrainObserver? observer = null, CancellationToken cancel = default)
    {
        cfg.Validate();
        var (factory, notice) = EngineSelection.Resolve(cfg);
        if (notice is not null) EngineSelection.Notify(notice);
        var started = DateTimeOffset.UtcNow;
        if (cfg.Threads > 0) torch.set_num_threads(cfg.Threads);

        // 1. manual_seed(seed), then the model, layer by layer (nn.Linear's own initialisation).
        torch.manual_seed(cfg.Seed);
        using var engine = factory.Create(cfg, data);

        // 2-3. A separate generator for the data order; the validation split, if any.
        using var g = new Generator(cfg.Seed);
        var (trainIdx, valIdx) = Split(cfg, g);

        long stepsPerEpoch = (trainIdx.Length + cfg.BatchSize - 1) / cfg.BatchSize;
        long totalSteps = stepsPerEpoch * cfg.Epochs;
        if (cfg.MaxSteps > 0) totalSteps = Math.Min(totalSteps, cfg.MaxSteps);
        observer?.RunStarted(cfg, totalSteps);

        var steps = new StepLog();
        var epochs = new List<EpochMetrics>();
        var batch = new long[cfg.BatchSize];
        long globalStep = 0;
        long? divergedAt = null;
        EvalResult? lastTest = null;

        for (int epoch = 1; epoch <= cfg.Epochs && divergedAt is null && globalStep < totalSteps; epoch++)
        {
            var clock = Stopwatch.StartNew();
            // 4. A fresh permutation of the training indices every epoch; consecutive batches, the last one partial.
            long[] order;
            using (var perm = torch.randperm(trainIdx.Length, g)) order = perm.data<long>();

            var tally = new EpochTally();
            for (int start = 0; start < order.Length && globalStep < totalSteps; start += cfg.BatchSize)
            {
                cancel.ThrowIfCancellationRequested();
                int n = Math.Min(cfg.BatchSize, order.Length - start);
                for (int i = 0; i < n; i++) batch[i] = trainIdx[order[start + i]];

                // 5. One optimizer step; a NaN or infinite loss is divergence, and the run stops there.
                var (loss, correct) = engine.Step(batch.AsSpan(0, n));
                globalStep++;
                steps.Add(epoch, n, loss, correct);
                observer?.Step(globalStep, epoch, loss);
                tally.Add(loss, n, correct);
                if (!float.IsFinite(loss)) { divergedAt = globalStep; break; }
            }
            double trainSeconds = clock.Elapsed.TotalSeconds;

            // 6. After each epoch: validation (if any) and the test set, in index order.
            clock.Restart();
            EvalResult? val = valIdx.Length > 0 ? Evaluate(engine, ImageSet.Train, valIdx, cfg.EvalBatchSize) : null;
            lastTest = Evaluate(engine, ImageSet.Test, TestRows, cfg.EvalBatchSize);
            var m = tally.ToMetrics(epoch, val, lastTest, trainSeconds, clock.Elapsed.TotalSeconds);
            epochs.Add(m);
            observer?.EpochFinished(m);
        }

        // 7. The final report from the last test evaluation.
        return new RunResult
        {
            Config = cfg, Steps = steps, Epochs = epochs,
            Final = FinalReport.From(lastTest!),
            TrainCount = trainIdx.Length, ValCount = valIdx.Length,
            DivergedAtStep = divergedAt, ParameterCount = cfg.ModelSpec().ParameterCount,
            Started = started, Finished = DateTimeOffset.UtcNow,
            Engine = engine.Name,
        };
    }

    static readonly long[] TestRows = Enumerable.Range(0, MnistData.TestCount).Select(i => (long)i).ToArray();

    /// <summary>
    /// Step 3 of the procedure: the validation split of the 60k training images. "seeded": <c>p = randperm(60000, g)</c>,
    /// validation = <c>p[:round(v*60000)]</c> (Python's round, ties to even), train = the rest. "sklearn:S":
    /// <c>p = numpy.random.RandomState(S).permutation(60000)</c>, validation = <c>p[:ceil(v*60000)]</c>, train = the
    /// rest, which is what <c>train_test_split(test_size=v, random_state=S)</c> returns; <paramref name="g"/> draws nothing.
    /// Without a fraction: train = 0..59999. <c>max_train_samples</c> keeps the first N train indices.
    /// </summary>
    public static (long[] Train, long[] Val) Split(TrainConfig cfg, Generator g, int total = MnistData.TrainCount)
    {
        long[] train, val;
        if (cfg.ValFraction > 0)
        {
            long[] p; int nVal;
            if (cfg.SklearnRandomState is { } state)
            {
                p = new NumpyRandomState(state).Permutation(total);
                nVal = (int)Math.Ceiling(cfg.ValFraction * total);
            }
            else
            {
                using (var perm = torch.randperm(total, g)) p = perm.data<long>();
                nVal = (int)Math.Round(cfg.ValFraction * total);
            }
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
    /// Step 6 for one set: batches of <paramref name="batchSize"/> of <paramref name="rows"/> in order; loss =
    /// sum(batch mean x batch size) / N in double, the mean of the batch means beside it; accuracy = correct / N.
    /// </summary>
    EvalResult Evaluate(IEngine engine, ImageSet set, long[] rows, int batchSize)
    {
        int count = rows.Length;
        var predicted = new int[count];
        var confidence = new float[count];
        var labels = new int[count];
        var truth = set == ImageSet.Train ? data.Train.Labels : data.Test.Labels;
        double lossSum = 0, batchMeanSum = 0; long correct = 0; int batches = 0;
        for (int start = 0; start < count; start += batchSize)
        {
            int n = Math.Min(batchSize, count - start);
            float l = engine.Evaluate(set, rows.AsSpan(start, n), predicted.AsSpan(start, n), confidence.AsSpan(start, n));
            lossSum += (double)l * n; batchMeanSum += l; batches++;
        }
        for (int i = 0; i < count; i++)
        {
            labels[i] = truth[rows[i]];
            if (predicted[i] == labels[i]) correct++;
        }
        return new EvalResult(lossSum / count, batchMeanSum / batches, correct, count, predicted, confidence, labels);
    }
}
