using System.Diagnostics;
using System.Globalization;
using MnistClaims.Core.Training;

namespace MnistClaims.Harness.Cli;

/// <summary>A progress bar with ETA on stderr (only when stderr is a terminal) and a per-epoch table on stdout.</summary>
public sealed class ConsoleProgress(TextWriter table, bool showBar) : ITrainObserver
{
    readonly Stopwatch _clock = new();
    long _total; long _lastDraw;
    bool _hasVal;

    public static bool StderrIsTerminal => !Console.IsErrorRedirected;

    public void RunStarted(TrainConfig config, long totalSteps)
    {
        _total = totalSteps; _clock.Restart(); _lastDraw = 0;
        _hasVal = config.ValFraction > 0;
        table.WriteLine($"training {config.Arch} {config.Activation} loss={config.Loss} opt={config.Optimizer} lr={F(config.Lr)} batch={config.BatchSize} epochs={config.Epochs} seed={config.Seed} device={config.Device} threads={config.Threads}");
        table.WriteLine(_hasVal
            ? "epoch |  train_loss  train_acc |  val_loss   val_acc | test_loss  test_acc |  seconds"
            : "epoch |  train_loss  train_acc | test_loss  test_acc |  seconds");
    }

    public void Step(long globalStep, int epoch, float loss)
    {
        if (!showBar) return;
        long ms = _clock.ElapsedMilliseconds;
        if (ms - _lastDraw < 200 && globalStep != _total) return;
        _lastDraw = ms;
        double frac = _total == 0 ? 1 : (double)globalStep / _total;
        var eta = frac > 0 ? TimeSpan.FromMilliseconds(ms / frac - ms) : TimeSpan.Zero;
        int width = 30, filled = (int)(frac * width);
        Console.Error.Write($"\r  [{new string('#', filled)}{new string('.', width - filled)}] {frac,6:P1} epoch {epoch} step {globalStep}/{_total} loss {loss,8:F4} ETA {eta:hh\\:mm\\:ss} ");
    }

    public void EpochFinished(EpochMetrics m)
    {
        if (showBar) Console.Error.Write("\r" + new string(' ', 100) + "\r");
        var secs = m.TrainSeconds + m.EvalSeconds;
        table.WriteLine(_hasVal
            ? $"{m.Epoch,5} | {m.TrainLossMean,11:F4} {m.TrainAcc,10:F4} | {m.ValLoss,9:F4} {m.ValAcc,9:F4} | {m.TestLoss,9:F4} {m.TestAcc,9:F4} | {secs,8:F1}"
            : $"{m.Epoch,5} | {m.TrainLossMean,11:F4} {m.TrainAcc,10:F4} | {m.TestLoss,9:F4} {m.TestAcc,9:F4} | {secs,8:F1}");
    }

    static string F(double x) => x.ToString("G", CultureInfo.InvariantCulture);
}
