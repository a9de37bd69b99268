using System.Runtime.InteropServices;

namespace MnistClaims.Harness.Cli;

/// <summary>
/// SIGINT/SIGTERM while worker processes train: the signal cancels the work instead of ending this process at once, so
/// the scheduler kills its workers and removes their temp files before the command exits (as "interrupted", exit 130).
/// Outside <see cref="Run"/> the signals keep their default effect.
/// </summary>
public static class Interrupt
{
    public static void Run(Action<CancellationToken> work)
    {
        using var cts = new CancellationTokenSource();
        void Handler(PosixSignalContext c) { c.Cancel = true; cts.Cancel(); }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handler);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handler);
        work(cts.Token);
    }
}
