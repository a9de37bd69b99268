using MnistClaims.Core.Runs;
using MnistClaims.Claims.Baselines;
using MnistClaims.Snapshots;

namespace MnistClaims.Harness.Cli;

/// <summary><c>harness accept &lt;experiment-id|--all&gt;</c>: received snapshots become verified (the explicit accept step).</summary>
public static class AcceptCommand
{
    static readonly Flag[] Flags =
    [
        new("all", null, "accept every received snapshot of the profile"),
        new("profile", "NAME", "hardware profile (default: the one the default engine writes for the experiment on this machine)"),
        new("verdicts", null, "accept received claim verdicts (baselines/<profile>/verdicts-*.received.json) instead of metric snapshots"),
        new("baselines", "DIR", "baselines root (default: baselines/ in the repository)"),
    ];

    public static int Run(string[] argv)
    {
        var a = new Args("accept", Flags, argv);
        if (a.HelpRequested)
        {
            Console.Out.Write(Args.Help("harness accept <experiment-id> | --all | --verdicts [PROFILE]",
                "Moves *.received.* snapshots over the verified ones after you have reviewed them.", Flags));
            return 0;
        }
        var root = a.String("baselines") ?? RepoPaths.Baselines;
        if (a.String("profile") is { } named && (named is "." or ".." || named.IndexOfAny(['/', '\\', '\0']) >= 0))
            throw new UsageException($"--profile: '{named}' is not a profile name (one directory name under {root}, e.g. cpu-x86-64-avx2-libtorch1.13-fused)");
        // A mistyped path is an error, not "nothing to accept" (checked after the arguments themselves).
        void CheckRoot() { if (a.Has("baselines") && !Directory.Exists(root)) throw new UsageException($"--baselines: directory '{root}' does not exist"); }
        if (a.Switch("verdicts"))
        {
            CheckRoot();
            var profiles = a.Positionals.Count > 0 ? a.Positionals : [a.String("profile") ?? HardwareProfile.For(Claims.Registry.Experiments[0].ForSeed(1)), "any"];
            int n = 0;
            foreach (var p in profiles)
                foreach (var file in Directory.Exists(Path.Combine(root, p)) ? Directory.GetFiles(Path.Combine(root, p), "verdicts-*.received.json") : [])
                {
                    int k = new VerdictSnapshot(file.Replace(".received.json", ".verified.json")).Accept();
                    Console.Out.WriteLine($"accepted {k} verdict(s) into {file.Replace(".received.json", ".verified.json")}");
                    n += k;
                }
            if (n == 0) Console.Out.WriteLine("nothing to accept: no verdicts-*.received.json files");
            return 0;
        }
        string? id = a.Switch("all") ? null
            : a.Positionals.Count == 1 ? a.Positionals[0]
            : throw new UsageException("accept: give one experiment id, or --all, or --verdicts");
        if (a.Switch("all") && a.Positionals.Count > 0) throw new UsageException($"accept: --all takes no experiment id, got '{a.Positionals[0]}'");
        if (id is not null) Claims.Registry.Experiment(id);   // a typo is an error naming the id, not a silent no-op
        CheckRoot();
        // Default: the profile the default engine writes for the experiment (what `snapshot` and the tests verify),
        // for --all each experiment's own.
        string[] targets = a.String("profile") is { } given ? [given]
            : id is not null ? [HardwareProfile.For(Claims.Registry.Experiment(id).ForSeed(1))]
            : Claims.Registry.Experiments.Select(e => HardwareProfile.For(e.ForSeed(1))).Distinct().ToArray();
        foreach (var profile in targets)
            Console.Out.Write(SnapshotStore.Accept(root, profile, id).Message);
        return 0;
    }
}
