using System.Diagnostics;
using MnistClaims.Claims;
using MnistClaims.Claims.Calibration;
using MnistClaims.Reporting;
using MnistClaims.Core.Runs;
using MnistClaims.Core.Training;

namespace MnistClaims.Harness.Cli;

/// <summary>
/// <c>harness reproduce</c>, the main job: run every experiment the selected claims need with N seeds
/// (cached), judge every claim, print the verdict table by document and write reports/verdicts.{md,json}.
/// Exits non-zero only on a harness error, never because a claim was not reproduced.
/// </summary>
public static class ReproduceCommand
{
    public static readonly Flag[] Flags =
    [
        new("seeds", "N", "seeds per experiment (1..N)", "20"),
        new("alternative-seeds", "N", "seeds for the alternative readings of inferred setups (at most --seeds; below 19 the rule cannot reject a reading)", "20"),
        new("seed-list", "S,S,..", "explicit seeds instead of 1..N"),
        new("documents", "P,P,..", "only these documents (file-name prefixes, e.g. 000,002)"),
        new("claims", "ID,ID,..", "only these claims"),
        new("jobs", "N", "worker processes training in parallel (each uses --threads libtorch threads)", "2"),
        new("threads", "N", "libtorch intra-op threads per run", "1"),
        new("device", "DEV", "cpu or cuda", "cpu"),
        new("engine", "NAME", "auto (fused where supported), fused or libtorch", "auto"),
        new("data-dir", "DIR", "MNIST directory"),
        new("out", "DIR", "where verdicts.md and verdicts.json go", "reports"),
        new("dry-run", null, "list the runs that would be trained and stop"),
        new("no-train", null, "train nothing: judge each claim with the seeds 1..k its experiments have cached (k >= 4; claims without them are listed, not judged)"),
    ];

    public static int Run(string[] argv)
    {
        var a = new Args("reproduce", Flags, argv);
        if (a.HelpRequested) { Console.Out.Write(Args.Help("harness reproduce [options]", "Reproduces the documents' claims with N seeds and prints verdicts.", Flags)); return 0; }
        a.NoPositionals();
        var clock = Stopwatch.StartNew();
        var seeds = SeedList(a);
        int threads = a.Int("threads", 1), jobs = a.Int("jobs", 2);
        if (jobs < 1) throw new UsageException("--jobs: expected a positive integer");
        string device = a.String("device")!;
        Devices.Resolve(device);
        var claims = Judge.Select(List(a.String("documents")), List(a.String("claims")));
        if (claims.Count == 0) throw new UsageException("no claims selected");
        var experiments = Judge.ExperimentsOf(claims);
        string engine = a.String("engine")!;
        TrainConfig Config(Experiment e, long s) => e.ForSeed(s) with { Threads = threads, Device = device, Engine = engine };
        try { Config(experiments.Count > 0 ? experiments[0] : Registry.Experiments[0], seeds[0]).Validate(); }   // --threads, --engine: before any worker
        catch (ConfigException e) { throw new UsageException(e.Message); }
        var profile = HardwareProfile.For(Config(experiments.Count > 0 ? experiments[0] : Registry.Experiments[0], 1));
        var cache = RunCache.Default();

        Console.Out.WriteLine($"reproducing {claims.Count} claim(s) of {claims.Select(c => c.Document).Distinct().Count()} document(s): {experiments.Count} experiment(s) x {seeds.Count} seed(s) on {profile}");
        int altSeeds = a.Int("alternative-seeds", 20);
        if (altSeeds < 4) throw new UsageException("--alternative-seeds: expected at least 4 (the rule leaves one seed out and needs three)");
        IReadOnlyList<long> Wanted(Experiment e) => e.Alternative ? seeds.Take(altSeeds).ToArray() : seeds;
        Func<Experiment, IReadOnlyList<long>> SeedsOf = Wanted;
        IReadOnlyList<string> notJudged = [];
        if (a.Switch("no-train"))
        {
            var cached = experiments.ToDictionary(e => e.Id, e => (IReadOnlyList<long>)Wanted(e).TakeWhile(s => cache.Contains(e.Id, Config(e, s))).ToArray());
            var unjudged = claims.Where(c => c.Experiments.Any(x => cached[x].Count < 4)).ToArray();
            if (unjudged.Length > 0)
                Console.Out.WriteLine($"not judged ({unjudged.Length}, fewer than 4 cached seeds of an experiment they need): {string.Join(", ", unjudged.Select(c => c.Id))}");
            claims = claims.Except(unjudged).ToArray();
            notJudged = unjudged.Select(c => c.Id).ToArray();
            if (claims.Count == 0) throw new UsageException("--no-train: no selected claim has the cached runs it needs");
            experiments = Judge.ExperimentsOf(claims);
            SeedsOf = e => cached[e.Id];
        }
        var missing = Judge.Missing(experiments, SeedsOf, cache, Config);
        Console.Out.WriteLine($"{experiments.Sum(e => SeedsOf(e).Count) - missing.Count} run(s) cached in {cache.Root}, {missing.Count} to train");
        if (a.Switch("dry-run"))
        {
            foreach (var j in missing) Console.Out.WriteLine($"  {j.Experiment.Id} seed {j.Config.Seed}  ({j.Experiment.TotalSteps:N0} steps)");
            return 0;
        }
        var outDir = a.String("out")!;
        if (!Path.IsPathRooted(outDir) && RepoPaths.Root is not null && a.String("out") == "reports") outDir = RepoPaths.Reports;
        CheckWritable(outDir, "out");   // before hours of training, not after
        using var data = MnistData.Load(a.String("data-dir"), m => Console.Error.WriteLine(m));
        Interrupt.Run(cancel => new Scheduler(jobs, data.Directory, Console.Out).Run(missing, cancel));

        var rows = Judge.Evaluate(claims, SeedsOf, cache, data, Config);
        var report = new VerdictReport(profile, seeds, DateTimeOffset.UtcNow, clock.Elapsed.TotalSeconds, rows) { NotJudged = notJudged };
        Console.Out.Write(report.ToConsole());
        report.Write(outDir);
        if (CalibrationSelected(claims))
        {
            // The main job regenerates the rule's calibration from the same runs (reports/calibration.md).
            var cal = CalibrateCommand.Calibrate(seeds.Count, CalibrateCommand.DefaultMargins, CalibrateCommand.DefaultPowerSeeds, jobs, data, Console.Out, train: !a.Switch("no-train"));
            cal.Write(outDir);
            Console.Out.WriteLine($"wrote {Path.Combine(outDir, "calibration.md")}: " + string.Join("; ", cal.AtMargin.Select(s =>
                $"{s.Document[..3]} false-accept {Calibrator.Pct(s.Rates.FalseAcceptRate)} / {Calibrator.Pct(s.Rates.PseudoFalseAcceptRate)} (pseudo), false-reject {Calibrator.Pct(s.Rates.FalseRejectRate)} / {Calibrator.Pct(s.Rates.PseudoFalseRejectRate)}")));
        }
        Console.Out.WriteLine($"wrote {Path.Combine(outDir, "verdicts.md")} and verdicts.json  (wall time {clock.Elapsed:hh\\:mm\\:ss})");
        return 0;
    }

    /// <summary>Creates <paramref name="dir"/> and writes and removes a probe file in it: an unwritable output is an error now.</summary>
    internal static void CheckWritable(string dir, string flag) => CheckWritableAs(dir, $"--{flag}");

    /// <summary>As <see cref="CheckWritable"/>, the message naming <paramref name="what"/> (a flag, or where the path came from).</summary>
    internal static void CheckWritableAs(string dir, string what)
    {
        try
        {
            Directory.CreateDirectory(dir);
            var probe = Common.AtomicFile.TempPathFor(Path.Combine(dir, "probe"));
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{what}: {Path.GetFullPath(dir)} is not writable, expected a writable directory ({e.Message})", e);
        }
    }

    /// <summary>True when the selection covers every calibration document's claims (the full main job, or a selection of those documents).</summary>
    static bool CalibrationSelected(IReadOnlyList<Claim> claims) =>
        Registry.CalibrationSets.All(s => claims.Any(c => c.Document == s.Document));

    internal static IReadOnlyList<long> SeedList(Args a)
    {
        if (a.String("seed-list") is { } list)
        {
            var seeds = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => long.TryParse(s, out var v) ? v : throw new UsageException($"--seed-list: '{s}' is not an integer")).ToArray();
            if (seeds.Length == 0) throw new UsageException($"--seed-list: expected a comma-separated list of seeds, got '{list}'");
            // The same seed twice is the same run twice, which the rule would count as two independent seeds.
            if (seeds.GroupBy(s => s).FirstOrDefault(g => g.Count() > 1) is { } dup)
                throw new UsageException($"--seed-list: seed {dup.Key} is listed twice in '{list}'; every seed must be distinct");
            return seeds;
        }
        int n = a.Int("seeds", 20);
        if (n < 1) throw new UsageException("--seeds: expected a positive integer");
        return Enumerable.Range(1, n).Select(i => (long)i).ToArray();
    }

    internal static string[]? List(string? s) => s?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
