using MnistClaims.Harness.Cli;

namespace MnistClaims.Tests.Unit.Harness.Cli;

/// <summary>
/// <c>harness bench</c> end to end on a tiny workload: the PyTorch script, both engines and the memory check run,
/// and the tables come out complete. It checks that the benchmark works, never how fast anything is.
/// </summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public class BenchCommandTests
{
    [Test]
    public void Bench_prints_a_table_per_thread_budget_and_both_engines_memory()
    {
        var outFile = Path.Combine(Path.GetTempPath(), $"bench-{Guid.NewGuid():N}.md");
        try
        {
            int code = BenchCommand.Run(["--batches", "2,5", "--threads", "1,2", "--steps", "40", "--repeats", "1", "--memory-steps", "1100",
                                         "--deep-start", "60", "--deep-steps", "40", "--out", outFile]);
            Assert.That(code, Is.Zero);
            var lines = File.ReadAllLines(outFile);
            Assert.That(lines.Count(l => l.StartsWith("## ", StringComparison.Ordinal) && l.Contains("thread(s);")), Is.EqualTo(2), "one table per thread budget");
            Assert.That(lines.Single(l => l.StartsWith("subnormal penalty", StringComparison.Ordinal)), Does.Match(@"\d+\.\d+ ns/element with normal operands, \d+\.\d+ ns/element with subnormal ones \(\d+\.\d+x\)"));
            Assert.That(lines.Single(l => l.StartsWith("subnormal operands in a divide pass", StringComparison.Ordinal)), Does.Match(@"\(x / 0\.7f\): \d+\.\d+x the normal pass's time; in a square-root pass: \d+\.\d+x"));
            // The deep-run rows: per thread budget the PyTorch script, both engines, and the fused engine under the FTZ diagnosis.
            Assert.That(lines.Count(l => l.StartsWith("## deep run", StringComparison.Ordinal)), Is.EqualTo(1));
            var deep = lines.Where(l => l.StartsWith("| 1 | ", StringComparison.Ordinal) || l.StartsWith("| 2 | ", StringComparison.Ordinal))
                .Select(l => l.Trim('|').Split('|').Select(c => c.Trim()).ToArray()).Where(c => c.Length == 5).ToList();
            Assert.That(deep.Select(c => c[1]), Is.EqualTo(new[] { "PyTorch script (1 x 1)", "libtorch", "fused", "PyTorch script (2 x 1)", "libtorch", "fused", "fused, FTZ+DAZ diagnosis", "fused, FTZ+DAZ diagnosis" }));
            foreach (var c in deep) Assert.That(double.Parse(c[2]) > 0 && double.Parse(c[3]) > 0, string.Join(" | ", c));
            Assert.That(lines.Single(l => l.StartsWith("fused deep window under flush-to-zero", StringComparison.Ordinal)), Does.Contain("LD_PRELOAD").And.Contain("no real run ever sets it"));
            var rows = lines.Where(l => (l.StartsWith("| 2 |", StringComparison.Ordinal) || l.StartsWith("| 5 |", StringComparison.Ordinal)) && l.Trim('|').Split('|').Length == 9).ToList();
            Assert.That(rows, Has.Count.EqualTo(4), "batches 2 and 5 in both tables");
            foreach (var row in rows)
            {
                var cells = row.Trim('|').Split('|').Select(c => c.Trim()).ToArray();
                Assert.That(cells, Has.Length.EqualTo(9), row);
                Assert.That(double.Parse(cells[1]), Is.GreaterThan(0), "PyTorch steps/s: " + row);
                Assert.That(cells[2], Does.Match(@"^\d+ x \d+$"), "the PyTorch script's thread split: " + row);
                Assert.That(double.Parse(cells[3]), Is.GreaterThan(0), "libtorch steps/s: " + row);
                Assert.That(double.Parse(cells[6]), Is.GreaterThan(0), "fused steps/s: " + row);
                Assert.That(cells[4], Does.EndWith("x")); Assert.That(cells[7], Does.EndWith("x"));
            }
            Assert.That(lines.Where(l => l.StartsWith("resident memory", StringComparison.Ordinal)).Select(l => l.Split(',')[2].Trim()),
                Is.EqualTo(new[] { "libtorch engine", "fused engine" }));
        }
        finally { File.Delete(outFile); }
    }

    [TestCase("--memory-steps", "500")]
    [TestCase("--repeats", "0")]
    [TestCase("--batches", "2,,x")]
    [TestCase("--deep-start", "30")]
    [TestCase("--deep-steps", "0")]
    [TestCase("--ftz", "maybe")]
    public void Bad_values_are_usage_errors_naming_the_flag(string flag, string value)
    {
        var e = Assert.Throws<UsageException>(() => BenchCommand.Run([flag, value, "--memory-steps", flag == "--memory-steps" ? value : "0"]))!;
        Assert.That(e.Message, Does.StartWith(flag + ":"));
    }
}
