using System.Globalization;
using MnistClaims.Claims;
using MnistClaims.Claims.Calibration;
using MnistClaims.Claims.Rule;
using MnistClaims.Core.Runs;
using MnistClaims.Core.Training;

namespace MnistClaims.Harness.Cli;

/// <summary>
/// <c>harness calibrate</c>: measures the verdict rule's false-accept and false-reject rates on known-right and known-wrong
/// cases (the calibration documents' own logs and our runs as pseudo-documents) and writes reports/calibration.{md,json}.
/// Trains the runs it needs (cached) like <c>reproduce</c>.
/// </summary>
public static class CalibrateCommand
{
    public static readonly IReadOnlyList<double> DefaultMargins = [1, 1.5, 2, 3, 4];
    public static readonly IReadOnlyList<int> DefaultPowerSeeds = [5, 10];

    public static readonly Flag[] Flags =
    [
        new("seeds", "N", "seeds per experiment (1..N)", "20"),
        new("margins", "M,M,..", "equivalence margins to scan, in run-to-run sd", "1,1.5,2,3,4"),
        new("power-seeds", "N,N,..", "smaller N at which the power is also measured", "5,10"),
        new("jobs", "N", "worker processes training missing runs", "2"),
        new("documents", "P,P,..", "only these calibration documents (prefixes, e.g. 002); the published report covers all"),
        new("no-train", null, "use only the cached runs (each document at the largest N its experiments share)"),
        new("data-dir", "DIR", "MNIST directory"),
        new("out", "DIR", "where calibration.md and calibration.json go", "reports"),
        CacheOption.Flag,
    ];

    public static int Run(string[] argv)
    {
        var a = new Args("calibrate", Flags, argv);
        if (a.HelpRequested) { Console.Out.Write(Args.Help("harness calibrate [options]", "Measures the verdict rule's error rates and writes reports/calibration.{md,json}.", Flags)); return 0; }
        a.NoPositionals();
        int seeds = a.Int("seeds", 20);
        if (seeds < WholeLogTest.MinSeeds) throw new UsageException($"--seeds: expected at least {WholeLogTest.MinSeeds} (the rule leaves one seed out and needs three)");
        var margins = a.String("margins")!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(m => double.TryParse(m, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && x > 0 ? x : throw new UsageException($"--margins: '{m}' is not a positive number")).ToArray();
        var outDir = a.String("out")!;
        if (outDir == "reports" && RepoPaths.Root is not null) outDir = RepoPaths.Reports;
        var cache = CacheOption.Open(a);
        ReproduceCommand.CheckWritable(outDir, "out");   // before the training, not after
        if (!a.Switch("no-train")) ReproduceCommand.CheckWritableAs(cache.Root, CacheOption.Label(a));   // the cache it trains into
        using var data = MnistData.Load(a.String("data-dir"), m => Console.Error.WriteLine(m));
        var report = Calibrate(seeds, margins, a.PositiveInts("power-seeds"), a.Int("jobs", 2), data, Console.Out, train: !a.Switch("no-train"),
            documents: ReproduceCommand.List(a.String("documents")), cache: cache);
        report.Write(outDir);
        Console.Out.WriteLine($"wrote {Path.Combine(outDir, "calibration.md")} and calibration.json");
        return 0;
    }

    /// <summary>
    /// Trains what is missing, then measures every calibration document at the claims' margin, the scanned margins and smaller N.
    /// Runs that <paramref name="loaded"/> already holds (the main job's, for the same configuration) are not read again.
    /// </summary>
    public static CalibrationReport Calibrate(int seeds, IReadOnlyList<double> margins, IReadOnlyList<int> powerSeeds, int jobs, MnistData data, TextWriter log, bool train = true,
        IReadOnlyList<string>? documents = null, RunCache? cache = null, CachedRuns? loaded = null)
    {
        cache ??= RunCache.Default();
        var seedList = Enumerable.Range(1, seeds).Select(i => (long)i).ToArray();
        var sets = documents is { Count: > 0 } ? Registry.CalibrationSets.Where(s => documents.Any(d => s.Document.StartsWith(d, StringComparison.Ordinal))).ToArray() : Registry.CalibrationSets;
        if (sets.Count == 0) throw new UsageException($"--documents: expected a prefix of {string.Join(", ", Registry.CalibrationSets.Select(s => s.Document))}");
        var experiments = sets.SelectMany(s => s.Experiments).Distinct().Select(Registry.Experiment).ToArray();
        TrainConfig Config(Experiment e, long s) => e.ForSeed(s);
        // Without training, each experiment contributes the seeds 1..k it has in the cache (k >= 4); each document is
        // calibrated at the largest N all its experiments share (the report states it).
        var set = CachedRuns.Load(cache, experiments, _ => seedList, Config, prefixOnly: !train, reuse: loaded);
        if (train)
        {
            Interrupt.Run(cancel => new Scheduler(jobs, data.Directory, log).Run(set.Missing, cancel));
            set.AddTrained();
        }
        var runs = set.For(experiments, e => set.Prefix(e, seedList));
        foreach (var (id, rs) in runs)
            if (rs.Count < WholeLogTest.MinSeeds) throw new InvalidOperationException($"{cache.Root}: {id} has {rs.Count} cached seed(s); calibration needs at least {WholeLogTest.MinSeeds} (run harness calibrate without --no-train)");
        var values = CalibrationValues.FromRuns(sets, runs);
        return CalibrationReport.Compute(sets, values, HardwareProfile.For(experiments[0].ForSeed(1)), seeds, margins, powerSeeds);
    }
}
