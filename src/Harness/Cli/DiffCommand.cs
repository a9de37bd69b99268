using MnistClaims.Snapshots;

namespace MnistClaims.Harness.Cli;

/// <summary><c>harness diff A B</c>: compares two baseline profiles, two run directories or two experiments.</summary>
public static class DiffCommand
{
    static readonly Flag[] Flags =
    [
        new("format", "FMT", "text, markdown or json", "text"),
        new("all", null, "list every metric, not only the differences"),
        new("atol", "X", "absolute tolerance for every metric", "0"),
        new("rtol", "X", "relative tolerance for every metric", "0"),
        new("tables", "T,T,..", "only these tables, e.g. epochs or fast-epochs,fast-steps (default: all)"),
        new("out", "FILE", "also write the rendering to this file (atomically)"),
    ];

    public static int Run(string[] argv)
    {
        var a = new Args("diff", Flags, argv);
        if (a.HelpRequested)
        {
            Console.Out.Write(Args.Help("harness diff <baselines/profileA> <baselines/profileB> [options]",
                "One row per experiment and metric: final values, delta, relative delta, max per-epoch delta, first epoch where the curves separate, verdict. Exit code as `git diff --exit-code`: 0 no differences, 1 differences (or an error, e.g. nothing to compare), 2 usage.", Flags));
            return 0;
        }
        if (a.Positionals.Count != 2) throw new UsageException("diff: expected two directories (baseline profiles, run directories or experiment directories)");
        foreach (var d in a.Positionals)
            if (!Directory.Exists(d)) throw new UsageException(File.Exists(d) ? $"diff: '{d}' is a file, expected a directory (a baseline profile, an experiment or a run directory)" : $"diff: directory '{d}' does not exist");
        if (a.String("out") is { } outFile && Directory.Exists(outFile)) throw new UsageException($"--out: '{outFile}' is a directory, expected a file to write");
        double atol = a.Double("atol", 0), rtol = a.Double("rtol", 0);
        if (atol < 0) throw new UsageException($"--atol: expected a non-negative number, got '{a.String("atol")}'");
        if (rtol < 0) throw new UsageException($"--rtol: expected a non-negative number, got '{a.String("rtol")}'");
        var tol = new Tolerance(atol, rtol);
        var format = a.String("format") is "text" or "markdown" or "md" or "json" ? a.String("format")
            : throw new UsageException($"--format: expected text, markdown or json, got '{a.String("format")}'");
        var tables = ReproduceCommand.List(a.String("tables"));
        // Comparing nothing is an error, not a pass: each side must offer at least one table.
        foreach (var d in a.Positionals)
            if (BaselineDiff.TableCount(d, tables) == 0)
                throw new InvalidDataException($"{d}: nothing to compare (no *.parquet tables{(tables is null ? "" : " named " + string.Join(",", tables))}; expected a baseline profile, an experiment directory or a run directory)");
        var report = BaselineDiff.Diff(a.Positionals[0], a.Positionals[1], new DiffOptions
        {
            All = a.Switch("all"),
            Tolerances = new ToleranceSet(tol, ["train_seconds", "eval_seconds", "seconds"]),
            Tables = tables,
        });
        if (report.ComparedMetrics == 0) throw new InvalidDataException($"{a.Positionals[0]} vs {a.Positionals[1]}: nothing to compare (no metric columns in common tables)");
        var text = format switch
        {
            "text" => report.ToText(),
            "markdown" or "md" => report.ToMarkdown(),
            "json" => report.ToJson(),
            var f => throw new UsageException($"--format: expected text, markdown or json, got '{f}'"),
        };
        Console.Out.Write(text);
        if (a.String("out") is { } path)
        {
            try { MnistClaims.Common.AtomicFile.WriteAllText(path, text); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new IOException($"--out: cannot write {Path.GetFullPath(path)} ({e.Message})", e); }
        }
        // `git diff --exit-code` semantics: 0 no differences, 1 differences (2 a usage error, as everywhere).
        return report.HasDifferences ? 1 : 0;
    }
}
