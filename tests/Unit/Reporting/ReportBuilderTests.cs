using System.Diagnostics;
using System.Text.RegularExpressions;
using MnistClaims.Claims;
using MnistClaims.Claims.Documents;
using MnistClaims.Reporting;
using MnistClaims.Snapshots;
using MnistClaims.Tests.Unit.Reporting.Charts;

namespace MnistClaims.Tests.Unit.Reporting;

/// <summary>End-to-end report builds on synthetic inputs.</summary>
[TestFixture]
public class ReportBuilderTests
{
    static readonly Regex ImgSrc = new("<img src=\"([^\"]+)\"", RegexOptions.Compiled);

    [Test]
    public void Build_WritesPagesWhoseImagesAllExist()
    {
        using var d = new ReportTestData(Doc001.Exp, "004-d-3hidden", "002-width-32", "002-width-64");
        var result = new ReportBuilder(d.Options()).Build();
        var html = File.ReadAllText(result.HtmlPath);
        var md = File.ReadAllText(result.MarkdownPath);
        var srcs = ImgSrc.Matches(html).Select(m => m.Groups[1].Value).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(result.ChartFailures, Is.Zero, string.Join("; ", result.Warnings));
            Assert.That(result.ExperimentsWithRuns, Is.EqualTo(4));
            Assert.That(srcs, Is.Not.Empty);
            foreach (var s in srcs)
            {
                Assert.That(s, Does.StartWith("img/"), "images are relative files beside the page");
                Assert.That(File.Exists(Path.Combine(d.Out, s)), Is.True, $"{s} exists");
            }
            Assert.That(srcs, Does.Contain("img/exp-001-ann-120-84-steps.svg"));
            Assert.That(srcs, Does.Contain("img/cm-001-ann-120-84.svg"));
            Assert.That(srcs, Does.Contain("img/cmp-002-width-acc.svg"));
            Assert.That(srcs.Count(s => s.StartsWith("img/digits/", StringComparison.Ordinal)), Is.GreaterThan(0));
            Assert.That(html, Does.Not.Contain("http://").And.Not.Contain("https://"), "offline: no network references");
            Assert.That(html, Does.Contain("not run: no cached runs of 000-batch-2"));
            foreach (var m in Regex.Matches(md, @"\]\((img/[^)]+)\)").Select(m => m.Groups[1].Value))
                Assert.That(File.Exists(Path.Combine(d.Out, m)), Is.True, $"markdown image {m} exists");
            Assert.That(Directory.GetDirectories(d.Out, ".*"), Is.Empty, "no staging directories left behind");
        });
        // every SVG an SVG document with a title, every PNG a PNG
        foreach (var f in Directory.GetFiles(Path.Combine(d.Out, "img"), "*.svg"))
            Assert.That(new SvgChart(File.ReadAllText(f)).Texts, Is.Not.Empty, f);
        foreach (var f in Directory.GetFiles(Path.Combine(d.Out, "img", "digits")))
            Assert.That(File.ReadAllBytes(f)[1..4], Is.EqualTo("PNG"u8.ToArray()), f);
    }

    [Test]
    public void Build_DrawsEverySeedAndTheDocumentsValuesAsMarkers()
    {
        using var d = new ReportTestData(Doc001.Exp);
        new ReportBuilder(d.Options()).Build();
        SvgChart Chart(string name) => new(File.ReadAllText(Path.Combine(d.Out, "img", name + ".svg")));
        var acc = Chart($"exp-{Doc001.Exp}-acc");
        var documented = DocumentedValues.For(Doc001.Exp, Registry.Claims).Single(p => p.Column == "train_acc").Points.Count;
        var steps = Chart($"exp-{Doc001.Exp}-steps");
        Assert.Multiple(() =>
        {
            Assert.That(acc.Texts, Is.SupersetOf(new[] { $"{Doc001.Exp}: accuracy per epoch", "epoch", "accuracy (fraction)", "train accuracy (running) (2 seeds)", "train accuracy: document" }));
            Assert.That(acc.Filled("#0b3c66"), Is.EqualTo(documented + 1), "one triangle per documented value, and the legend's");
            Assert.That(steps.Texts, Is.SupersetOf(new[] { "batch loss (log scale)", "per step (faint)", "seed 1, moving average", "seed 2, moving average" }));
            Assert.That(steps.Stroked("#1f77b4"), Is.EqualTo(2 + 2), "seed 1's raw and smoothed lines, and their legend samples");
            Assert.That(Chart($"cm-{Doc001.Exp}").Texts, Does.Contain("count (log scale)"));
        });
    }

    [Test]
    public void Build_VerdictTableHasOneRowPerClaim()
    {
        using var d = new ReportTestData(Doc001.Exp);
        new ReportBuilder(d.Options()).Build();
        var html = File.ReadAllText(Path.Combine(d.Out, "index.html"));
        foreach (var doc in Registry.Documents)
        {
            int start = html.IndexOf($"id=\"doc-{doc[..3]}-verdicts\"", StringComparison.Ordinal);
            Assert.That(start, Is.GreaterThan(0), doc);
            int table = html.IndexOf("<tbody>", start, StringComparison.Ordinal), end = html.IndexOf("</tbody>", table, StringComparison.Ordinal);
            int rows = Regex.Matches(html[table..end], "<tr>").Count;
            Assert.That(rows, Is.EqualTo(Registry.Claims.Count(c => c.Document == doc)), doc);
        }
        var md = File.ReadAllText(Path.Combine(d.Out, "index.md"));
        Assert.That(md, Does.Contain("🟢 **REPRODUCED**"));
        Assert.That(md, Does.Contain("⚪ **NOT RUN**"), "claims of documents without verdicts");
        Assert.That(md, Does.Contain(@"evidence with \| a pipe"));
    }

    [Test]
    public void Build_IsDeterministic()
    {
        using var d = new ReportTestData(Doc001.Exp, "002-width-32");
        new ReportBuilder(d.Options()).Build();
        var first = Snapshot(d.Out);
        new ReportBuilder(d.Options()).Build();
        var second = Snapshot(d.Out);
        Assert.That(second.Keys, Is.EqualTo(first.Keys));
        foreach (var k in first.Keys) Assert.That(second[k], Is.EqualTo(first[k]), k);
    }

    static SortedDictionary<string, byte[]> Snapshot(string dir) => new(
        Directory.GetFiles(dir, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(dir, f), File.ReadAllBytes), StringComparer.Ordinal);

    [Test]
    public void Build_WithoutVerdictsOrRuns_SaysNotRun()
    {
        using var d = new ReportTestData();
        var result = new ReportBuilder(d.Options(verdicts: Path.Combine(d.Root, "missing.json"))).Build();
        var html = File.ReadAllText(result.HtmlPath);
        Assert.That(result.ExperimentsWithRuns, Is.Zero);
        Assert.That(html, Does.Contain("No verdicts:").And.Contain("missing.json"));
        Assert.That(Regex.Matches(html, "badge none\">NOT RUN<").Count, Is.EqualTo(Registry.Claims.Count));
        Assert.That(html, Does.Contain($"not run: no cached runs of {Doc001.Exp}"));
    }

    [Test]
    public void Build_MalformedVerdicts_IsAnErrorNamingTheFile()
    {
        using var d = new ReportTestData();
        File.WriteAllText(d.Verdicts, "{ not json");
        var e = Assert.Throws<InvalidDataException>(() => new ReportBuilder(d.Options()).Build());
        Assert.That(e!.Message, Does.Contain(d.Verdicts));
    }

    [Test]
    public void Build_DamagedRunFile_IsAnErrorNamingTheFile()
    {
        using var d = new ReportTestData(Doc001.Exp);
        var epochs = Directory.GetFiles(d.Runs, "epochs.parquet", SearchOption.AllDirectories).Order().First();
        File.WriteAllBytes(epochs, [1, 2, 3, 4, 5]);
        var e = Assert.Throws<InvalidDataException>(() => new ReportBuilder(d.Options()).Build());
        Assert.That(e!.Message, Does.Contain("epochs.parquet"));
    }

    [Test]
    public void Build_RunsOfAnOlderConfigAreIgnoredWithANote()
    {
        using var d = new ReportTestData(Doc001.Exp);
        var exp = Registry.Experiment(Doc001.Exp);
        var old = exp with { Config = exp.Config with { Lr = 0.5 } };
        d.WriteRun(old, 3);
        var result = new ReportBuilder(d.Options() with { Seeds = null }).Build();
        var html = File.ReadAllText(result.HtmlPath);
        Assert.That(html, Does.Contain("seeds 1, 2 &#183; config"));
        Assert.That(html, Does.Contain("1 cached run(s) of an older configuration"));
    }

    [Test]
    public void Build_TwoBaselineProfiles_AreOverlaidAndTheDiffHookIsUsed()
    {
        using var d = new ReportTestData(Doc001.Exp);
        d.WriteBaseline("cpu-a", Doc001.Exp, 1);
        d.WriteBaseline("cuda-b", Doc001.Exp, 2);
        var calls = new List<(string, string, string)>();
        var row = new DiffRow(Doc001.Exp, "epochs", "test_acc", 0.97, 0.975, 0.005, 0.005, 0.01, "epoch=2", MnistClaims.Snapshots.Tolerance.Exact, DiffVerdict.Better);
        var options = d.Options() with { BaselineDiff = (a, b, t) => { calls.Add((a, b, t)); return new DiffReport(a, b, [row], 12); } };
        new ReportBuilder(options).Build();
        var html = File.ReadAllText(Path.Combine(d.Out, "index.html"));
        Assert.That(File.Exists(Path.Combine(d.Out, "img", $"base-{Doc001.Exp}.svg")), Is.True);
        Assert.That(calls, Has.Count.EqualTo(1));
        Assert.That(calls[0].Item1, Does.EndWith("cpu-a"));
        Assert.That(calls[0].Item3, Is.EqualTo("epochs"), "full-run tables are compared when two profiles have them");
        Assert.That(html, Does.Contain("<td>better</td>").And.Contain("<td>epoch=2</td>"), "the diff's rows, rendered from its data");
        Assert.That(html, Does.Contain("1 difference(s) in 12 metric(s) compared"));
    }

    [Test]
    public void Build_OfEveryExperiment_DrawsEveryChart()
    {
        var ids = Registry.Experiments.Select(e => e.Id).ToArray();
        using var d = new ReportTestData(ids);
        var clock = Stopwatch.StartNew();
        var result = new ReportBuilder(d.Options()).Build();
        Assert.That(result.ChartFailures, Is.Zero, string.Join("; ", result.Warnings));
        TestContext.Out.WriteLine($"{ids.Length} experiments x 2 seeds: {result.Charts} charts in {clock.Elapsed.TotalSeconds:F1} s");
    }
}
