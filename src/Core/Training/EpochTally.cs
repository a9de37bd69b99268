namespace MnistClaims.Core.Training;

/// <summary>
/// One epoch's training figures, accumulated step by step the three ways the documents define
/// "training loss" (mean of batch means, sample-weighted mean, last batch) plus the running accuracy,
/// then combined with the epoch's evaluations into its <see cref="EpochMetrics"/>. Shared by every engine.
/// </summary>
public sealed class EpochTally
{
    double _lossSum, _weightedLossSum;
    float _lastLoss = float.NaN;
    long _correct, _steps;
    int _seen;

    public void Add(float loss, int batchSize, int correct)
    {
        _lossSum += loss; _weightedLossSum += (double)loss * batchSize; _lastLoss = loss;
        _correct += correct; _seen += batchSize; _steps++;
    }

    public EpochMetrics ToMetrics(int epoch, EvalResult? val, EvalResult test, double trainSeconds, double evalSeconds) => new()
    {
        Epoch = epoch, Steps = _steps, TrainSamples = _seen,
        TrainLossMean = _lossSum / Math.Max(1, _steps),
        TrainLossWeighted = _weightedLossSum / Math.Max(1, _seen),
        TrainLossLast = _lastLoss,
        TrainCorrect = _correct, TrainAcc = _seen == 0 ? double.NaN : (double)_correct / _seen,
        ValLoss = val?.Loss, ValLossBatchMean = val?.LossBatchMean, ValCorrect = val?.Correct, ValAcc = val?.Accuracy,
        TestLoss = test.Loss, TestLossBatchMean = test.LossBatchMean, TestCorrect = test.Correct, TestAcc = test.Accuracy,
        TrainSeconds = trainSeconds, EvalSeconds = evalSeconds,
    };
}
