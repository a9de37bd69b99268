using System.Diagnostics;
using MnistClaims.Claims;
using MnistClaims.Claims.Calibration;
using MnistClaims.Claims.Rule;
using MnistClaims.Claims.Sharding;
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
        .. Selection.Flags,
        new("jobs", "N", "worker processes training in parallel (each uses --threads libtorch threads)", "2"),
        new("data-dir", "DIR", "MNIST directory"),
        new("out", "DIR", "where verdicts.md and verdicts.json go", "reports"),
        CacheOption.Flag,
        new("dry-run", null, "list the runs that would be trained and stop"),
        new("no-train", null, "train nothing: judge each claim with the seeds 1..k its experiments have cached (k >= 4; claims without them are listed, not judged)"),
        new("shard", "K/N", "train only shard K (0..N-1) of the selection's runs into the cache and judge nothing (see `harness plan`)"),
        new("from-cache", "DIR", "judge and report from the run cache DIR (e.g. merged shards) without training: --no-train with --cache DIR"),
    ];

    public static int Run(string[] argv)
    {
        var a = new Args("reproduce", Flags, argv);
        if (a.HelpRequested) { Console.Out.Write(Args.Help("harness reproduce [options]", "Reproduces the documents' claims with N seeds and prints verdicts.", Flags)); return 0; }
        a.NoPositionals();
        var clock = Stopwatch.StartNew();
        int jobs = a.Int("jobs", 2);
        if (jobs < 1) throw new UsageException("--jobs: expected a positive integer");
        if (a.Has("shard"))
        {
            foreach (var other in new[] { "from-cache", "no-train", "out" })
                if (a.Has(other)) throw new UsageException($"--shard: cannot be combined with --{other} (a shard trains and judges nothing; judge the merged cache with --from-cache)");
            ShardSpec spec;
            try { spec = ShardSpec.Parse(a.String("shard")!); }
            catch (FormatException e) { throw new UsageException($"--shard: {e.Message}"); }
            return ShardRun.Run(Selection.From(a), spec, CacheOption.Open(a), jobs, a.String("data-dir"), a.Switch("dry-run"), Console.Out);
        }
        if (a.Has("from-cache") && a.Has(CacheOption.Name)) throw new UsageException("--from-cache: names the cache itself; drop --cache");
        var sel = Selection.From(a);
        var seeds = sel.Seeds;
        var claims = sel.Claims;
        var experiments = sel.Experiments;
        var Config = sel.Config;
        var profile = sel.Profile;
        var cache = a.String("from-cache") is { } from ? CacheOption.Existing(from, "from-cache") : CacheOption.Open(a);
        bool noTrain = a.Switch("no-train") || a.Has("from-cache");

        Console.Out.WriteLine($"reproducing {claims.Count} claim(s) of {claims.Select(c => c.Document).Distinct().Count()} document(s): {experiments.Count} experiment(s) x {seeds.Count} seed(s) on {profile}");
        if (sel.CoversCalibration && !sel.CalibrationSelected)
            Console.Out.WriteLine($"calibration not regenerated: it needs at least {WholeLogTest.MinSeeds} seeds, this job has {seeds.Count} (reports/calibration.md is left as it is)");
        Func<Experiment, IReadOnlyList<long>> SeedsOf = sel.Wanted;
        IReadOnlyList<string> notJudged = [];
        // Each cached run is read once, here, with the cache's checks; the judge and the calibration take it from `loaded`.
        var loaded = CachedRuns.Load(cache, experiments, sel.Wanted, Config, prefixOnly: noTrain);
        IReadOnlyList<RunJob> missing = loaded.Missing;
        if (noTrain)
        {
            var cached = experiments.ToDictionary(e => e.Id, e => loaded.Prefix(e, sel.Wanted(e)));
            var unjudged = claims.Where(c => c.Experiments.Any(x => cached[x].Count < WholeLogTest.MinSeeds)).ToArray();
            if (unjudged.Length > 0)
                Console.Out.WriteLine($"not judged ({unjudged.Length}, fewer than {WholeLogTest.MinSeeds} cached seeds of an experiment they need): {string.Join(", ", unjudged.Select(c => c.Id))}");
            claims = claims.Except(unjudged).ToArray();
            notJudged = unjudged.Select(c => c.Id).ToArray();
            if (claims.Count == 0) throw new UsageException($"--{(a.Has("from-cache") ? "from-cache" : "no-train")}: no selected claim has the cached runs it needs in {cache.Root}");
            experiments = Judge.ExperimentsOf(claims);
            SeedsOf = e => cached[e.Id];
            missing = [];
        }
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
        loaded.AddTrained();

        var rows = Judge.Evaluate(claims, loaded.For(experiments, SeedsOf), data);
        var report = new VerdictReport(profile, seeds, DateTimeOffset.UtcNow, clock.Elapsed.TotalSeconds, rows) { NotJudged = notJudged };
        Console.Out.Write(report.ToConsole());
        report.Write(outDir);
        if (sel.CalibrationSelected)
        {
            // The main job regenerates the rule's calibration from the same runs (reports/calibration.md).
            var cal = CalibrateCommand.Calibrate(seeds.Count, CalibrateCommand.DefaultMargins, CalibrateCommand.DefaultPowerSeeds, jobs, data, Console.Out,
                train: !noTrain, cache: cache, loaded: loaded);
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
