namespace MnistClaims.Tests;

/// <summary>
/// A test that needs an external tool (python3-torch, DuckDB's node package, Chromium, ...) and cannot find it.
/// On a developer's machine it ends Inconclusive with the install hint; under CI (the <c>CI</c> variable, set by
/// .ci/run) it FAILS, so a missing tool never makes a test silently drop out of the run.
/// </summary>
public static class Requires
{
    public static bool UnderCi => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));

    public static void Tool(bool available, string what)
    {
        if (available) return;
        if (UnderCi) Assert.Fail($"{what} (CI is set: a test that cannot run fails)");
        Assert.Inconclusive(what);
    }
}
