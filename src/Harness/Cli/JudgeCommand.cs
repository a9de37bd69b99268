using MnistClaims.Claims;
using MnistClaims.Core.Runs;
using MnistClaims.Core.Training;

namespace MnistClaims.Harness.Cli;

/// <summary>
/// <c>harness judge &lt;claim-id&gt; [--set key=value ...] [--seeds N]</c>: judges one claim with the same rule as the main job,
/// against its own experiments or a variant configuration ("could the document have run this?"). Keys are those of a
/// manifest's <c>config_json</c>. Prints the verdict word, the test that decided it and its evidence; exits 0 whatever the verdict.
/// </summary>
public static class JudgeCommand
{
    public static readonly Flag[] Flags =
    [
        new("set", "KEY=VALUE", "override a configuration key of the claim's experiments (repeatable; keys as in config_json: lr, batch_size, dropout, normalize, optimizer, ...)") { Repeatable = true },
        new("experiment", "ID", "apply --set only to this experiment of the claim (default: all of them)"),
        new("seeds", "N", "seeds per experiment (1..N)", "20"),
        new("jobs", "N", "worker processes training missing runs", "2"),
        new("data-dir", "DIR", "MNIST directory"),
        CacheOption.Flag,
    ];

    public static int Run(string[] argv)
    {
        var a = new Args("judge", Flags, argv);
        if (a.HelpRequested)
        {
            Console.Out.Write(Args.Help("harness judge <claim-id> [--set key=value ...] [--seeds N]",
                "Judges one claim against its experiments or a variant configuration, with the main job's rule.", Flags));
            return 0;
        }
        if (a.Positionals.Count != 1) throw new UsageException("judge: expected one claim id (see `harness claims`)");
        var claim = Registry.Claim(a.Positionals[0]);
        var overrides = a.All("set").Select(s => s.IndexOf('=') is > 0 and var i ? (s[..i].Trim(), s[(i + 1)..].Trim())
            : throw new UsageException($"--set: expected KEY=VALUE, got '{s}'")).ToArray();
        var only = a.String("experiment");
        if (only is not null && !claim.Experiments.Contains(only))
            throw new UsageException($"--experiment: {claim.Id} does not use {only}; it uses {string.Join(", ", claim.Experiments)}");
        int n = a.Int("seeds", 20);
        if (n < 1) throw new UsageException("--seeds: expected a positive integer");
        var seeds = Enumerable.Range(1, n).Select(i => (long)i).ToArray();

        // Every experiment of the claim, as the registry has it or with the overrides; a variant is cached under its own name.
        var variants = claim.Experiments.ToDictionary(id => id, id =>
        {
            var e = Registry.Experiment(id);
            if (overrides.Length == 0 || (only is not null && only != id)) return e;
            TrainConfig cfg;
            try { cfg = e.Config.With(overrides); }
            catch (ConfigException ex) { throw new UsageException($"--set {ex.Message.TrimStart('-')}"); }
            return e with { Id = $"{id}~{cfg.Hash[..8]}", Config = cfg };
        });
        foreach (var (id, v) in variants.Where(kv => kv.Value.Id != kv.Key))
            Console.Out.WriteLine($"{id} -> variant {v.Id}: {string.Join(", ", overrides.Select(o => $"{o.Item1}={o.Item2}"))}");

        var cache = CacheOption.Open(a);
        TrainConfig Config(Experiment e, long s) => e.ForSeed(s);
        // Each cached run is read once, with the cache's checks (CachedRuns, as reproduce does).
        var loaded = CachedRuns.Load(cache, variants.Values, _ => seeds, Config);
        if (loaded.Missing.Count > 0) ReproduceCommand.CheckWritableAs(cache.Root, CacheOption.Label(a));   // where judge writes: before training
        using var data = MnistData.Load(a.String("data-dir"), m => Console.Error.WriteLine(m));
        Interrupt.Run(cancel => new Scheduler(a.Int("jobs", 2), data.Directory, Console.Out).Run(loaded.Missing, cancel));
        loaded.AddTrained();
        var byVariant = loaded.For(variants.Values, _ => seeds);
        var runs = variants.ToDictionary(kv => kv.Key, kv => byVariant[kv.Value.Id]);
        var result = claim.Evaluate(new ClaimContext(runs, data));
        Console.Out.WriteLine(result.Verdict.Label());
        Console.Out.WriteLine($"claim     {claim.Id}: {claim.Quote}");
        Console.Out.WriteLine($"measured  {result.Measured}");
        Console.Out.WriteLine($"test      {result.Test}");
        Console.Out.WriteLine($"evidence  {result.Evidence}");
        return 0;
    }
}
