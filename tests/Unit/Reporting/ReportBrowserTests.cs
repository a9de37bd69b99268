using System.Text.RegularExpressions;
using MnistClaims.Claims;
using MnistClaims.Claims.Documents;
using MnistClaims.Common;
using MnistClaims.Reporting;

namespace MnistClaims.Tests.Unit.Reporting;

/// <summary>
/// The HTML report as a person sees it: rendered by headless Chromium from file:// with networking off.
/// Every image must load, and the verdict tables must have one row per claim. The screenshot is kept in
/// the test's work directory (TestContext attachment) for a human to look at.
/// </summary>
[TestFixture, Category("Browser"), Category("Integration")]
public class ReportBrowserTests
{
    const string Chromium = "/usr/bin/chromium";

    const string Probe = """
        <script>
        window.addEventListener('load', () => {
          const imgs = Array.from(document.images);
          const bad = imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src'));
          document.body.dataset.images = String(imgs.length);
          document.body.dataset.imagesOk = bad.length === 0 ? 'yes' : 'no';
          document.body.dataset.badImages = bad.join(' ');
          document.body.dataset.verdictRows = Array.from(document.querySelectorAll('table.verdicts'))
            .map(t => t.tBodies[0].rows.length).join(',');
        });
        </script>
        """;

    static ProcessResult RunChromium(string userData, params string[] args) => ProcessRunner.Run(new ProcessSpec(Chromium,
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-quic", $"--user-data-dir={userData}", .. args,
    ]), TimeSpan.FromSeconds(120));

    [Test]
    public void Report_RendersInChromiumWithEveryImageLoaded()
    {
        Requires.Tool(File.Exists(Chromium), "chromium not installed (scripts/setup.sh report)");
        using var d = new ReportTestData(Doc001.Exp, "004-d-3hidden", "002-width-32", "002-width-64", "002-base");
        var result = new ReportBuilder(d.Options()).Build();
        Assert.That(result.ChartFailures, Is.Zero, string.Join("; ", result.Warnings));

        var probed = Path.Combine(d.Out, "probe.html");
        File.WriteAllText(probed, File.ReadAllText(result.HtmlPath).Replace("</body>", Probe + "</body>"));
        var userData = Path.Combine(d.Root, "chromium-profile");
        var page = RunChromium(userData, "--virtual-time-budget=10000", "--dump-dom", new Uri(probed).AbsoluteUri);
        Assert.That(page.ExitCode, Is.Zero, page.Tail());
        var dom = page.StdOut;

        var body = Regex.Match(dom, "<body([^>]*)>").Groups[1].Value;
        string Attr(string name) => Regex.Match(body, $"data-{name}=\"([^\"]*)\"").Groups[1].Value;
        Assert.Multiple(() =>
        {
            Assert.That(Attr("images-ok"), Is.EqualTo("yes"), "images that did not load: " + Attr("bad-images"));
            Assert.That(int.Parse(Attr("images")), Is.GreaterThan(20));
            Assert.That(Attr("verdict-rows"), Is.EqualTo(string.Join(",", Registry.Documents.Select(doc => Registry.Claims.Count(c => c.Document == doc)))));
        });

        var shot = Path.Combine(TestContext.CurrentContext.WorkDirectory, "report-screenshot.png");
        var screenshot = RunChromium(Path.Combine(d.Root, "chromium-profile-2"), "--virtual-time-budget=10000", $"--screenshot={shot}",
            "--window-size=1400,4000", new Uri(result.HtmlPath).AbsoluteUri);
        Assert.That(screenshot.ExitCode, Is.Zero, screenshot.Tail());
        Assert.That(new FileInfo(shot).Length, Is.GreaterThan(50_000), "a rendered page, not a blank one");
        TestContext.AddTestAttachment(shot, "the report's first 4000 px");
    }
}
