using MnistClaims.Claims;
using MnistClaims.Claims.Rule;
using MnistClaims.Core.Runs;
using MnistClaims.Core.Training;

namespace MnistClaims.Harness.Cli;

/// <summary>
/// What <c>reproduce</c>, <c>plan</c> and <c>reproduce --shard</c> select: the claims, their experiments, the seeds and how
/// each run is configured. One parser for the three, because a shard must compute the very plan its planner printed.
/// </summary>
public sealed class Selection
{
    public static readonly Flag[] Flags =
    [
        new("seeds", "N", "seeds per experiment (1..N)", "20"),
        new("alternative-seeds", "N", "seeds for the alternative readings of inferred setups (at most --seeds; below 19 the rule cannot reject a reading)", "20"),
        new("seed-list", "S,S,..", "explicit seeds instead of 1..N"),
        new("documents", "P,P,..", "only these documents (file-name prefixes, e.g. 000,002)"),
        new("claims", "ID,ID,..", "only these claims"),
        new("threads", "N", "libtorch intra-op threads per run", "1"),
        new("device", "DEV", "cpu or cuda", "cpu"),
        new("engine", "NAME", "auto (fused where supported), fused or libtorch", "auto"),
    ];

    public required IReadOnlyList<Claim> Claims { get; init; }
    public required IReadOnlyList<Experiment> Experiments { get; init; }
    public required IReadOnlyList<long> Seeds { get; init; }
    public required int AlternativeSeeds { get; init; }
    public required int Threads { get; init; }
    public required string Device { get; init; }
    public required string Engine { get; init; }
    /// <summary>The selection flags as given, in declaration order (what a rerun command repeats).</summary>
    public required IReadOnlyList<string> Arguments { get; init; }

    public static Selection From(Args a)
    {
        var seeds = ReproduceCommand.SeedList(a);
        string device = a.String("device")!;
        Devices.Resolve(device);
        var claims = Judge.Select(ReproduceCommand.List(a.String("documents")), ReproduceCommand.List(a.String("claims")));
        if (claims.Count == 0) throw new UsageException("no claims selected");
        int altSeeds = a.Int("alternative-seeds", 20);
        if (altSeeds < WholeLogTest.MinSeeds) throw new UsageException($"--alternative-seeds: expected at least {WholeLogTest.MinSeeds} (the rule leaves one seed out and needs three)");
        var sel = new Selection
        {
            Claims = claims, Experiments = Judge.ExperimentsOf(claims), Seeds = seeds, AlternativeSeeds = altSeeds,
            Threads = a.Int("threads", 1), Device = device, Engine = a.String("engine")!,
            Arguments = Flags.Where(f => a.Has(f.Name)).SelectMany(f => new[] { "--" + f.Name, a.String(f.Name)! }).ToArray(),
        };
        // --threads, --engine: validated as a run's configuration here, before any worker starts.
        try { sel.Config(sel.Experiments.Count > 0 ? sel.Experiments[0] : Registry.Experiments[0], seeds[0]).Validate(); }
        catch (ConfigException e) { throw new UsageException(e.Message); }
        return sel;
    }

    public TrainConfig Config(Experiment e, long seed) => e.ForSeed(seed) with { Threads = Threads, Device = Device, Engine = Engine };

    public IReadOnlyList<long> Wanted(Experiment e) => e.Alternative ? Seeds.Take(AlternativeSeeds).ToArray() : Seeds;

    /// <summary>This machine's profile for the selection's runs.</summary>
    public string Profile => HardwareProfile.For(Config(Experiments.Count > 0 ? Experiments[0] : Registry.Experiments[0], 1));

    /// <summary>True when the selection covers every calibration document's claims (the full main job, or a selection of those documents).</summary>
    public bool CoversCalibration => Registry.CalibrationSets.All(s => Claims.Any(c => c.Document == s.Document));

    /// <summary>
    /// True when the main job also regenerates the calibration: it covers the calibration documents with at least
    /// <see cref="WholeLogTest.MinSeeds"/> seeds (the calibration trains seeds 1..N; with fewer it could measure nothing).
    /// </summary>
    public bool CalibrationSelected => CoversCalibration && Seeds.Count >= WholeLogTest.MinSeeds;

    /// <summary>
    /// Every run the selection needs, cached or not: each experiment with its wanted seeds and, when the calibration is
    /// selected, the calibration's runs (seeds 1..N with the registry's own configuration, as <c>calibrate</c> trains them),
    /// each run once.
    /// </summary>
    public IReadOnlyList<RunJob> Jobs(RunCache cache)
    {
        var jobs = Experiments.SelectMany(e => Wanted(e).Select(s => (e, cfg: Config(e, s)))).ToList();
        if (CalibrationSelected)
        {
            var n = Enumerable.Range(1, Seeds.Count).Select(i => (long)i).ToArray();
            jobs.AddRange(Registry.CalibrationSets.SelectMany(s => s.Experiments).Distinct().Select(Registry.Experiment)
                .SelectMany(e => n.Select(s => (e, cfg: e.ForSeed(s)))));
        }
        return jobs.Select(x => new RunJob(x.e, x.cfg, cache.PathFor(x.e.Id, x.cfg)))
            .DistinctBy(j => j.OutDir, StringComparer.Ordinal).ToArray();
    }
}
