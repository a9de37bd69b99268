namespace MnistClaims.Core.Training;

/// <summary>Per optimizer step, in order. Struct-of-arrays so long runs stay compact.</summary>
public sealed class StepLog
{
    readonly List<int> _epoch = [], _batch = [], _correct = [];
    readonly List<float> _loss = [];

    public int Count => _loss.Count;
    public void Add(int epoch, int batchSize, float loss, int correct)
    {
        _epoch.Add(epoch); _batch.Add(batchSize); _loss.Add(loss); _correct.Add(correct);
    }
    public int Epoch(int i) => _epoch[i];
    public int BatchSize(int i) => _batch[i];
    public float Loss(int i) => _loss[i];
    public int Correct(int i) => _correct[i];
    public IReadOnlyList<int> Epochs => _epoch;
    public IReadOnlyList<int> BatchSizes => _batch;
    public IReadOnlyList<float> Losses => _loss;
    public IReadOnlyList<int> Corrects => _correct;
}

/// <summary>
/// One row per epoch. Training figures are accumulated during the epoch (the model changes while
/// they are measured), three ways, because the documents define "training loss" differently:
/// mean of batch means (a running average), sample-weighted mean, and the last batch's loss.
/// </summary>
public sealed record EpochMetrics
{
    public int Epoch { get; init; }
    public long Steps { get; init; }
    public int TrainSamples { get; init; }
    public double TrainLossMean { get; init; }
    public double TrainLossWeighted { get; init; }
    public double TrainLossLast { get; init; }
    public long TrainCorrect { get; init; }
    public double TrainAcc { get; init; }
    public double? ValLoss { get; init; }
    public double? ValLossBatchMean { get; init; }
    public long? ValCorrect { get; init; }
    public double? ValAcc { get; init; }
    public double TestLoss { get; init; }
    public double TestLossBatchMean { get; init; }
    public long TestCorrect { get; init; }
    public double TestAcc { get; init; }
    public double TrainSeconds { get; init; }
    public double EvalSeconds { get; init; }
}

/// <summary>Result of evaluating a set: loss two ways, correct count and per-sample predictions.</summary>
public sealed record EvalResult(double Loss, double LossBatchMean, long Correct, int Count, int[] Predicted, float[] Confidence, int[] Labels)
{
    public double Accuracy => Count == 0 ? double.NaN : (double)Correct / Count;
}

public sealed record ClassMetrics(int Class, int Support, int PredictedCount, int TruePositives, double Precision, double Recall, double F1);

public sealed record Miss(int Index, int Label, int Predicted, double Confidence);

/// <summary>Confusion matrix and per-class scores of the final test evaluation.</summary>
public sealed record FinalReport(long[,] Confusion, IReadOnlyList<ClassMetrics> Classes, double MacroF1, double WeightedF1,
    double MacroPrecision, double MacroRecall, IReadOnlyList<Miss> Misses)
{
    public static FinalReport From(EvalResult test, int classes = 10)
    {
        var cm = new long[classes, classes];
        var misses = new List<Miss>();
        for (int i = 0; i < test.Count; i++)
        {
            cm[test.Labels[i], test.Predicted[i]]++;
            if (test.Labels[i] != test.Predicted[i])
                misses.Add(new Miss(i, test.Labels[i], test.Predicted[i], test.Confidence[i]));
        }
        var rows = new List<ClassMetrics>();
        for (int c = 0; c < classes; c++)
        {
            long tp = cm[c, c], support = 0, predicted = 0;
            for (int k = 0; k < classes; k++) { support += cm[c, k]; predicted += cm[k, c]; }
            // scikit-learn's convention: an undefined ratio (0/0) counts as 0.
            double p = predicted == 0 ? 0 : (double)tp / predicted;
            double r = support == 0 ? 0 : (double)tp / support;
            double f1 = p + r == 0 ? 0 : 2 * p * r / (p + r);
            rows.Add(new ClassMetrics(c, (int)support, (int)predicted, (int)tp, p, r, f1));
        }
        return FromTables(cm, rows, misses);
    }

    /// <summary>The report from its per-class rows (macro and support-weighted averages computed here), as a run record stores it.</summary>
    public static FinalReport FromTables(long[,] confusion, IReadOnlyList<ClassMetrics> rows, IReadOnlyList<Miss> misses)
    {
        int classes = rows.Count;
        double total = rows.Sum(c => (double)c.Support);
        double macroF1 = 0, weightedF1 = 0, macroP = 0, macroR = 0;
        foreach (var c in rows)
        {
            macroF1 += c.F1 / classes; macroP += c.Precision / classes; macroR += c.Recall / classes;
            weightedF1 += c.F1 * c.Support / total;
        }
        return new FinalReport(confusion, rows, macroF1, weightedF1, macroP, macroR, misses);
    }

    /// <summary>The most confidently wrong predictions first.</summary>
    public IEnumerable<Miss> WorstMisses(int n) => Misses.OrderByDescending(m => m.Confidence).ThenBy(m => m.Index).Take(n);
}

public sealed record RunResult
{
    public required TrainConfig Config { get; init; }
    public required StepLog Steps { get; init; }
    public required IReadOnlyList<EpochMetrics> Epochs { get; init; }
    public required FinalReport Final { get; init; }
    public required int TrainCount { get; init; }
    public required int ValCount { get; init; }
    /// <summary>Global 1-based step at which the loss became NaN or infinite; null if it never did.</summary>
    public long? DivergedAtStep { get; init; }
    public required long ParameterCount { get; init; }
    public required DateTimeOffset Started { get; init; }
    public required DateTimeOffset Finished { get; init; }
    /// <summary>The engine that actually ran: "libtorch" or "fused" (see src/Harness/Engines).</summary>
    public string Engine { get; init; } = "libtorch";
    public double TotalSeconds => (Finished - Started).TotalSeconds;
}
