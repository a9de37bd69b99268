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
    public static readonly IReadOnlyList<double> DefaultMargins = [1, 1.5, 2, 2.5, 3];
    public static readonly IReadOnlyList<int> DefaultPowerSeeds = [5, 10];

    public static readonly Flag[] Flags =
    [
        new("seeds", "N", "seeds per experiment (1..N)", "20"),
        new("margins", "M,M,..", "equivalence margins to scan, in run-to-run sd", "1,1.5,2,2.5,3"),
        new("power-seeds", "N,N,..", "smaller N at which the power is also measured", "5,10"),
        new("jobs", "N", "worker processes training missing runs", "2"),
        new("data-dir", "DIR", "MNIST directory"),
        new("out", "DIR", "where calibration.md and calibration.json go", "reports"),
    ];

    public static int Run(string[] argv)
    {
        var a = new Args("calibrate", Flags, argv);
        if (a.HelpRequested) { Console.Out.Write(Args.Help("harness calibrate [options]", "Measures the verdict rule's error rates and writes reports/calibration.{md,json}.", Flags)); return 0; }
        a.NoPositionals();
        int seeds = a.Int("seeds", 20);
        if (seeds < 4) throw new UsageException("--seeds: expected at least 4 (the rule leaves one seed out and needs three)");
        var margins = a.String("margins")!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(m => double.TryParse(m, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && x > 0 ? x : throw new UsageException($"--margins: '{m}' is not a positive number")).ToArray();
        var outDir = a.String("out")!;
        if (outDir == "reports" && RepoPaths.Root is not null) outDir = RepoPaths.Reports;
        using var data = MnistData.Load(a.String("data-dir"), m => Console.Error.WriteLine(m));
        var report = Calibrate(seeds, margins, a.PositiveInts("power-seeds"), a.Int("jobs", 2), data, Console.Out);
        report.Write(outDir);
        Console.Out.WriteLine($"wrote {Path.Combine(outDir, "calibration.md")} and calibration.json");
        return 0;
    }

    /// <summary>Trains what is missing, then measures every calibration document at the claims' margin, the scanned margins and smaller N.</summary>
    public static CalibrationReport Calibrate(int seeds, IReadOnlyList<double> margins, IReadOnlyList<int> powerSeeds, int jobs, MnistData data, TextWriter log)
    {
        var cache = RunCache.Default();
        var seedList = Enumerable.Range(1, seeds).Select(i => (long)i).ToArray();
        var experiments = Registry.CalibrationSets.SelectMany(s => s.Experiments).Distinct().Select(Registry.Experiment).ToArray();
        TrainConfig Config(Experiment e, long s) => e.ForSeed(s);
        Interrupt.Run(cancel => new Scheduler(jobs, data.Directory, log).Run(Judge.Missing(experiments, seedList, cache, Config), cancel));
        var runs = experiments.ToDictionary(e => e.Id, e => (IReadOnlyList<RunRecord>)seedList.Select(s => cache.TryLoad(e.Id, Config(e, s), out var r) ? r
            : throw new InvalidOperationException($"run of {e.Id} seed {s} is missing from {cache.Root}")).ToArray());
        var atMargin = Registry.CalibrationSets.Select(s => Calibrator.Run(s, runs, WholeLogTest.Margin, seeds)).ToArray();
        var scan = margins.SelectMany(m => Registry.CalibrationSets.Select(s => Calibrator.Run(s, runs, m, seeds))).ToArray();
        var power = powerSeeds.Where(n => n < seeds).SelectMany(n => Registry.CalibrationSets.Select(s => Calibrator.Run(s, runs, WholeLogTest.Margin, n))).ToArray();
        var profile = HardwareProfile.For(experiments[0].ForSeed(1));
        return new CalibrationReport(profile, seeds, WholeLogTest.Margin, atMargin, scan, power, DateTimeOffset.UtcNow);
    }
}
