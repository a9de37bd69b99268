using System.Globalization;
using MnistClaims.Claims;
using MnistClaims.Reporting;
using MnistClaims.Core.Runs;

namespace MnistClaims.Harness.Cli;

/// <summary>
/// <c>harness report</c>: reports/index.html (self-contained, offline) and reports/index.md from
/// verdicts.json, the run cache, the MNIST files and baselines/. Trains nothing. Missing inputs show in
/// the page as "not run"; malformed ones are errors naming the file.
/// </summary>
public static class ReportCommand
{
    public static readonly Flag[] Flags =
    [
        new("verdicts", "FILE", "verdicts.json written by `harness reproduce`", "reports/verdicts.json"),
        new("out", "DIR", "where index.html, index.md and img/ go", "reports"),
        new("profile", "NAME", "hardware profile whose cached runs are drawn (default: the one verdicts.json names, else this machine's for --device/--engine)"),
        new("device", "DEV", "cpu or cuda: this machine's profile to report when neither --profile nor verdicts.json names one", "cpu"),
        new("engine", "NAME", "auto, fused or libtorch: as for --device", "auto"),
        new("documents", "P,P,..", "only these documents (file-name prefixes, e.g. 000,002)"),
        new("claims", "ID,ID,..", "only these claims in the verdict tables"),
        CacheOption.Flag,
        new("runs", "DIR", "the same as --cache (its older name)"),
        new("seeds", "N", "only seeds 1..N (default: the seeds of verdicts.json, else every cached seed)"),
        new("seed-list", "S,S,..", "only these seeds"),
        new("data-dir", "DIR", "MNIST directory, for digit images and class counts"),
        new("baselines", "DIR", "baselines directory (profiles under it)", "baselines"),
        new("jobs", "N", "charts drawn at a time", "2"),
    ];

    public static int Run(string[] argv)
    {
        var a = new Args("report", Flags, argv);
        if (a.HelpRequested)
        {
            Console.Out.Write(Args.Help("harness report [options]",
                "Writes the HTML and Markdown report (verdict tables, training curves, confusion matrices, misclassified digits, provenance).", Flags));
            return 0;
        }
        if (a.Positionals.Count > 0) throw new UsageException($"report: unexpected argument '{a.Positionals[0]}'");
        int jobs = a.Int("jobs", 2);
        if (jobs < 1) throw new UsageException("--jobs: expected a positive integer");

        var verdicts = RepoRelative(a.String("verdicts")!, a.Has("verdicts"));
        if (a.Has("verdicts") && !File.Exists(verdicts)) throw new UsageException($"--verdicts: file '{verdicts}' does not exist");
        var outDir = RepoRelative(a.String("out")!, a.Has("out"));
        ReproduceCommand.CheckWritable(outDir, "out");   // before drawing anything
        var baselines = RepoRelative(a.String("baselines")!, a.Has("baselines"));
        var profile = a.String("profile")
            ?? ReportInputs.ReadVerdicts(verdicts)?.Profile
            ?? HardwareProfile.For(Registry.Experiments[0].ForSeed(1) with { Device = a.String("device")!, Engine = a.String("engine")! });
        IReadOnlyList<Claim> claims;
        try { claims = Judge.Select(ReproduceCommand.List(a.String("documents")), ReproduceCommand.List(a.String("claims"))); }
        catch (Exception e) when (e is ArgumentException or KeyNotFoundException) { throw new UsageException(e.Message); }
        var documents = Registry.Documents.Where(d => a.String("documents") is null || claims.Any(c => c.Document == d)).ToArray();
        if (a.Has("runs") && a.Has(CacheOption.Name)) throw new UsageException("--runs: is the older name of --cache; give one of them");
        var runsFlag = a.Has("runs") ? "runs" : CacheOption.Name;
        var runs = a.String(runsFlag) is { } r ? Path.GetFullPath(r) : RunCache.Default().Root;
        if (a.Has(runsFlag) && !Directory.Exists(runs)) throw new UsageException($"--{runsFlag}: directory '{runs}' does not exist");

        IReadOnlyList<long>? seeds = null;
        if (a.Has("seed-list") || a.Has("seeds")) seeds = ReproduceCommand.SeedList(a);

        var options = new ReportOptions
        {
            OutDir = outDir, VerdictsPath = verdicts, Profile = profile, RunsRoot = runs, Seeds = seeds,
            DataDir = a.String("data-dir"), BaselinesDir = baselines, Parallel = jobs,
            Log = Console.Error,
            Claims = claims, Documents = documents, Experiments = Registry.Experiments.Where(e => documents.Contains(e.Document)).ToArray(),
        };
        Console.Out.WriteLine($"report for profile {profile}: runs {Path.Combine(runs, profile)}, verdicts {verdicts}");
        var result = new ReportBuilder(options).Build();
        foreach (var w in result.Warnings) Console.Error.WriteLine($"warning: {w}");
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {result.HtmlPath} and index.md: {result.Charts} chart(s), {result.Digits} digit image(s), {result.ExperimentsWithRuns} experiment(s) with runs, {result.ExperimentsWithoutRuns} not run ({result.Elapsed.TotalSeconds:F1} s)"));
        return result.ChartFailures > 0 ? 1 : 0;
    }

    /// <summary>Default paths are relative to the repository root (so `make report` works from anywhere in it); given ones to the current directory.</summary>
    static string RepoRelative(string path, bool given) =>
        Path.IsPathRooted(path) ? path
        : !given && RepoPaths.Root is { } root ? Path.Combine(root, path)
        : Path.GetFullPath(path);
}
