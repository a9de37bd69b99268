namespace MnistClaims.Common;

/// <summary>
/// Test-only fault points: where <c>MNIST_CLAIMS_FAULT=&lt;point&gt;</c> is set, reaching that point kills this process
/// with SIGKILL (no handler, no cleanup: a crash at exactly that step), and <c>&lt;point&gt;:io</c> throws an
/// <see cref="IOException"/> there instead (a failing disk). Unset, <see cref="At"/> does nothing. The fault tests use it
/// to stop a write between two of its steps and check what is left.
/// </summary>
public static class FaultInjection
{
    public const string EnvVar = "MNIST_CLAIMS_FAULT";

    public static void At(string point)
    {
        var spec = Environment.GetEnvironmentVariable(EnvVar);
        if (string.IsNullOrEmpty(spec)) return;
        if (spec == point) System.Diagnostics.Process.GetCurrentProcess().Kill();   // SIGKILL on Unix
        if (spec == point + ":io") throw new IOException($"injected I/O fault at {point} ({EnvVar})");
    }
}
