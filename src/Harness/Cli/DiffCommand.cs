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
                "One row per experiment and metric: final values, delta, relative delta, max per-epoch delta, first epoch where the curves separate, verdict.", Flags));
            return 0;
        }
        if (a.Positionals.Count != 2) throw new UsageException("diff: expected two directories (baseline profiles, run directories or experiment directories)");
        foreach (var d in a.Positionals)
            if (!Directory.Exists(d)) throw new UsageException($"diff: directory '{d}' does not exist");
        var tol = new Tolerance(a.Double("atol", 0), a.Double("rtol", 0));
        var report = BaselineDiff.Diff(a.Positionals[0], a.Positionals[1], new DiffOptions
        {
            All = a.Switch("all"),
            Tolerances = new ToleranceSet(tol, ["train_seconds", "eval_seconds", "seconds"]),
            Tables = ReproduceCommand.List(a.String("tables")),
        });
        var text = a.String("format") switch
        {
            "text" => report.ToText(),
            "markdown" or "md" => report.ToMarkdown(),
            "json" => report.ToJson(),
            var f => throw new UsageException($"--format: expected text, markdown or json, got '{f}'"),
        };
        Console.Out.Write(text);
        if (a.String("out") is { } path) MnistClaims.Common.AtomicFile.WriteAllText(path, text);
        return 0;
    }
}
