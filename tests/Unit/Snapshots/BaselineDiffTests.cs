using System.Text.Json;
using MnistClaims.Storage.Parquet;
using MnistClaims.Snapshots;

namespace MnistClaims.Tests.Unit.Snapshots;

[TestFixture]
public class BaselineDiffTests
{
    private string _root = null!;

    [SetUp]
    public void SetUp() => _root = SnapshotTestData.TempDir();

    [TearDown]
    public void TearDown()
    {
        try { Directory.Delete(_root, true); } catch { }
    }

    private void Baseline(string profile, string exp, string name, Table t) =>
        SnapshotStore.Verify(_root, profile, exp, name, t, ToleranceSet.Exact, AcceptMode.New);

    private void SetUpProfiles()
    {
        Baseline("cpu", "exp-001", "epochs", SnapshotTestData.Epochs());
        Baseline("gpu", "exp-001", "epochs", SnapshotTestData.Epochs(acc: new[] { 0.90, 0.96, 0.975 }, loss: new[] { 0.30, 0.15, 0.100000001 }));
        Baseline("cpu", "exp-002", "epochs", SnapshotTestData.Epochs());
        Baseline("gpu", "exp-002", "epochs", SnapshotTestData.Epochs());
        Baseline("cpu", "exp-003", "epochs", SnapshotTestData.Epochs());
        Baseline("gpu", "exp-004", "epochs", SnapshotTestData.Epochs());
    }

    [Test]
    public void Diff_Profiles_Only_Differences_By_Default()
    {
        SetUpProfiles();
        var report = BaselineDiff.Diff(Path.Combine(_root, "cpu"), Path.Combine(_root, "gpu"), new DiffOptions());
        TestContext.Out.WriteLine(report.ToText());
        var acc = report.Rows.Single(r => r.Experiment == "exp-001" && r.Metric == "test_acc");
        Assert.That(acc.Table, Is.EqualTo("epochs"));
        Assert.That(acc.FinalA, Is.EqualTo(0.97));
        Assert.That(acc.FinalB, Is.EqualTo(0.975));
        Assert.That(acc.Delta, Is.EqualTo(0.005).Within(1e-12));
        Assert.That(acc.RelativeDelta, Is.EqualTo(0.005 / 0.97).Within(1e-12));
        Assert.That(acc.MaxRowDelta, Is.EqualTo(0.01).Within(1e-12));
        Assert.That(acc.FirstSeparation, Is.EqualTo("epoch=2"));
        Assert.That(acc.Verdict, Is.EqualTo(DiffVerdict.Better));
        var loss = report.Rows.Single(r => r.Experiment == "exp-001" && r.Metric == "train_loss");
        Assert.That(loss.Verdict, Is.EqualTo(DiffVerdict.Worse));
        Assert.That(report.Rows.Where(r => r.Experiment == "exp-002"), Is.Empty, "identical experiments omitted");
        Assert.That(report.Rows.Where(r => r.Experiment == "exp-003").Select(r => r.Verdict).Distinct(), Is.EqualTo(new[] { DiffVerdict.OnlyInA }));
        Assert.That(report.Rows.Where(r => r.Experiment == "exp-004").Select(r => r.Verdict).Distinct(), Is.EqualTo(new[] { DiffVerdict.OnlyInB }));
        Assert.That(report.Rows.Any(r => r.Metric is "seconds" or "epoch"), Is.False, "keys and ignored columns are not metrics");
        Assert.That(report.HasDifferences, Is.True);
    }

    [Test]
    public void Diff_With_Tolerance_Function_And_All()
    {
        SetUpProfiles();
        var report = BaselineDiff.Diff(Path.Combine(_root, "cpu"), Path.Combine(_root, "gpu"),
            new DiffOptions { All = true, Tolerance = (exp, metric) => metric == "train_loss" ? new Tolerance(1e-6, 0) : Tolerance.Exact });
        var loss = report.Rows.Single(r => r.Experiment == "exp-001" && r.Metric == "train_loss");
        Assert.That(loss.Verdict, Is.EqualTo(DiffVerdict.WithinTolerance));
        Assert.That(report.Rows.Count(r => r.Experiment == "exp-002"), Is.EqualTo(2), "All includes within-tolerance rows");
        Assert.That(report.Rows.Single(r => r.Experiment == "exp-002" && r.Metric == "test_acc").Verdict, Is.EqualTo(DiffVerdict.WithinTolerance));
    }

    [Test]
    public void Diff_Experiment_Dirs_And_Run_Dirs()
    {
        SetUpProfiles();
        var exp = BaselineDiff.Diff(Path.Combine(_root, "cpu", "exp-001"), Path.Combine(_root, "gpu", "exp-001"), new DiffOptions());
        Assert.That(exp.Rows.Select(r => r.Metric), Is.EquivalentTo(new[] { "test_acc", "train_loss" }));

        // run dirs: plain <name>.parquet files, different directory names, extra table and metric on one side
        var runA = Path.Combine(_root, "runs", "a");
        var runB = Path.Combine(_root, "runs", "b");
        ParquetFile.Write(Path.Combine(runA, "epochs.parquet"), SnapshotTestData.Epochs());
        ParquetFile.Write(Path.Combine(runB, "epochs.parquet"), new Table(new[]
        {
            Column.Int32("epoch", new[] { 1, 2, 3, 4 }),
            Column.Double("test_acc", new[] { 0.90, 0.95, 0.97, 0.98 }),
            Column.Double("train_loss", new[] { 0.30, 0.15, 0.10, 0.09 }),
            Column.Double("lr", new[] { 0.1, 0.1, 0.1, 0.1 }),
        }));
        ParquetFile.Write(Path.Combine(runB, "classes.parquet"), new Table(new[] { Column.Int32("class", new[] { 0 }), Column.Double("recall", new[] { 1.0 }) }));
        var run = BaselineDiff.Diff(runA, runB, new DiffOptions());
        TestContext.Out.WriteLine(run.ToText());
        var acc = run.Rows.Single(r => r.Table == "epochs" && r.Metric == "test_acc");
        Assert.That(acc.FirstSeparation, Is.EqualTo("epoch=4 (only in B)"));
        Assert.That(acc.Verdict, Is.EqualTo(DiffVerdict.Better));
        Assert.That(run.Rows.Single(r => r.Metric == "lr").Verdict, Is.EqualTo(DiffVerdict.OnlyInB));
        Assert.That(run.Rows.Single(r => r.Table == "classes").Verdict, Is.EqualTo(DiffVerdict.OnlyInB));
    }

    [Test]
    public void Markdown_Text_And_Json_Rendering()
    {
        SetUpProfiles();
        var report = BaselineDiff.Diff(Path.Combine(_root, "cpu"), Path.Combine(_root, "gpu"), new DiffOptions());
        var md = report.ToMarkdown();
        TestContext.Out.WriteLine(md);
        var lines = md.Split('\n').Where(l => l.StartsWith('|')).ToList();
        Assert.That(lines[0], Is.EqualTo("| experiment | table | metric | A (final) | B (final) | delta | rel delta | max row delta | first separation | tolerance | verdict |"));
        Assert.That(lines[1], Does.StartWith("|---|---|---|---:|"));
        Assert.That(lines, Has.Some.EqualTo("| exp-001 | epochs | test_acc | 0.97 | 0.975 | 0.0050000000000000044 | 0.515% | 0.010000000000000009 | epoch=2 | exact | better |"));
        Assert.That(lines.Count - 2, Is.EqualTo(report.Rows.Count));

        var text = report.ToText();
        Assert.That(text, Does.Contain("only in A").And.Contain("only in B").And.Contain("difference(s)"));

        using var doc = JsonDocument.Parse(report.ToJson());
        var rows = doc.RootElement.GetProperty("rows");
        Assert.That(rows.GetArrayLength(), Is.EqualTo(report.Rows.Count));
        var first = rows.EnumerateArray().First(r => r.GetProperty("metric").GetString() == "test_acc" && r.GetProperty("experiment").GetString() == "exp-001");
        Assert.That(first.GetProperty("final_b").GetDouble(), Is.EqualTo(0.975));
        Assert.That(first.GetProperty("verdict").GetString(), Is.EqualTo("better"));
    }

    [Test]
    public void No_Differences_Renders_Summary()
    {
        SetUpProfiles();
        var r = BaselineDiff.Diff(Path.Combine(_root, "cpu", "exp-002"), Path.Combine(_root, "gpu", "exp-002"), new DiffOptions());
        Assert.That(r.Rows, Is.Empty);
        Assert.That(r.HasDifferences, Is.False);
        Assert.That(r.ToText(), Does.Contain("No differences (2 metric(s) compared)"));
    }
}
