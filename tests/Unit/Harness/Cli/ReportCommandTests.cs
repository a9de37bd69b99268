using MnistClaims.Harness.Cli;
using MnistClaims.Claims.Documents;
using MnistClaims.Tests.Unit.Reporting;

namespace MnistClaims.Tests.Unit.Harness.Cli;

[TestFixture]
public class ReportCommandTests
{
    [Test]
    public void Run_OnSyntheticInputs_WritesThePagesForTheSelectedDocuments()
    {
        using var d = new ReportTestData(Doc001.Exp);
        int rc = ReportCommand.Run(["--verdicts", d.Verdicts, "--out", d.Out, "--profile", ReportTestData.Profile,
            "--runs", d.Runs, "--data-dir", d.DataDir, "--baselines", d.Baselines, "--documents", "001"]);
        Assert.That(rc, Is.Zero);
        var md = File.ReadAllText(Path.Combine(d.Out, "index.md"));
        Assert.That(md, Does.Contain("001\\_04012bbf75cbfaf2.txt").Or.Contain("001_04012bbf75cbfaf2.txt"));
        Assert.That(md, Does.Not.Contain("000\\_ada6b3bd180a7438.txt: "));
    }

    [TestCase("--verdicts", "/nonexistent/verdicts.json")]
    [TestCase("--documents", "9")]
    [TestCase("--claims", "no-such-claim")]
    [TestCase("--jobs", "0")]
    [TestCase("--runs", "/nonexistent/runs")]
    public void Run_WithBadArguments_IsAUsageError(string flag, string value) =>
        Assert.Throws<UsageException>(() =>
            ReportCommand.Run([flag, value, "--profile", ReportTestData.Profile]));
}
