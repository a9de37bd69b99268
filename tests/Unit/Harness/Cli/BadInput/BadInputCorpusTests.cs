using System.Text.Json.Nodes;
using MnistClaims.Claims;
using MnistClaims.Core.Runs;
using MnistClaims.Snapshots;
using MnistClaims.Storage.Parquet;

namespace MnistClaims.Tests.Unit.Harness.Cli.BadInput;

/// <summary>A sandbox for one case: a copy of a tiny complete run, a baselines root, files to break.</summary>
public sealed class Sandbox(string root)
{
    public const string Profile = "test-profile";
    public string Root { get; } = root;
    public string Run => At("run");
    public string Baselines => At("baselines");
    public static string Experiment => Registry.Experiments[0].Id;
    public string ExperimentDir => At("baselines", Profile, Experiment);

    public string At(params string[] parts) => Path.Combine([Root, .. parts]);

    public string Write(string rel, string text)
    {
        var p = At(rel);
        Directory.CreateDirectory(Path.GetDirectoryName(p)!);
        File.WriteAllText(p, text);
        return p;
    }

    public static void Truncate(string file, int keep) { var b = File.ReadAllBytes(file); File.WriteAllBytes(file, b[..Math.Min(keep, b.Length)]); }
    public static void Magic(string file) { var b = File.ReadAllBytes(file); "XXXX"u8.CopyTo(b); File.WriteAllBytes(file, b); }
    public static void Flip(string file)
    {
        var b = File.ReadAllBytes(file);
        for (int i = b.Length / 3; i < b.Length / 3 + 64; i++) b[i] ^= 0x5A;
        File.WriteAllBytes(file, b);
    }

    public Table Epochs => ParquetFile.Read(Path.Combine(Run, "epochs.parquet"));

    /// <summary>A verified baseline <paramref name="name"/> of the run's epochs table (Parquet + its rendering).</summary>
    public void Verified(string name = "epochs")
    {
        var p = new SnapshotPaths(ExperimentDir, name);
        Directory.CreateDirectory(ExperimentDir);
        ParquetFile.Write(p.VerifiedParquet, Epochs);
        File.WriteAllText(p.VerifiedText, TableText.Render(Epochs));
    }

    public SnapshotPaths Received(string name = "epochs")
    {
        var p = new SnapshotPaths(ExperimentDir, name);
        Directory.CreateDirectory(ExperimentDir);
        SnapshotStore.WriteReceived(p, Epochs);
        return p;
    }

    public string CacheEntryPath
    {
        get
        {
            var e = Registry.Experiment(Experiment);
            return new RunCache(At("cache")).PathFor(e.Id, e.ForSeed(1) with { Engine = "auto", Threads = 1 });
        }
    }

    /// <summary>A copy of the run as the cache entry that snapshot looks up for the experiment's seed 1 (manifest made to match).</summary>
    public string CacheEntry()
    {
        var e = Registry.Experiment(Experiment);
        var cfg = e.ForSeed(1) with { Engine = "auto", Threads = 1 };
        var dir = CacheEntryPath;
        Copy(Run, dir);
        var m = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")))!.AsObject();
        m["config_hash"] = cfg.Hash; m["seed"] = 1; m["config_json"] = cfg.ToCanonicalJson();
        File.WriteAllText(Path.Combine(dir, "manifest.json"), m.ToJsonString());
        return dir;
    }

    public static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)), overwrite: true);
    }
}

/// <summary>One bad input: how to set it up, the command line, the exit code and what the one-line message must name.</summary>
public sealed record BadCase(string Name, int Exit, Func<Sandbox, string[]> Args, Func<Sandbox, string[]> Names, Action<Sandbox>? Setup = null)
{
    public override string ToString() => Name;
}

/// <summary>
/// The bad-input corpus (issue 13): every case runs the CLI as a child process and asserts the exit code, one error
/// line on stderr naming the file or flag and what was expected, no stack trace, and nothing previously written changed.
/// </summary>
[Category("BadInput"), Category("Integration"), NonParallelizable]   // trains on the MNIST files
public sealed class BadInputCorpusTests
{
    static string _fixture = "";
    static string FixtureRun => Path.Combine(_fixture, "run");

    [OneTimeSetUp]
    public void TrainTinyRun()
    {
        _fixture = Path.Combine(Path.GetTempPath(), $"badinput-fixture-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_fixture);
        var r = Cli.Run(_fixture, "train", "--max-steps", "3", "--epochs", "1", "--out", FixtureRun);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Tail());
    }

    [OneTimeTearDown]
    public void Clean() => MnistClaims.Common.AtomicFile.TryDelete(_fixture);

    static string[] A(params string[] a) => a;
    const int Usage = 2, Failure = 1;
    static readonly string[] Tiny = ["--max-steps", "3", "--epochs", "1"];

    /// <summary>A claim whose experiments need training (not an exact claim about the data).</summary>
    public static string TrainedClaim => Registry.Claims.First(c => Judge.ExperimentsOf([c]).Count > 0).Id;

    public static IEnumerable<BadCase> Cases()
    {
        // --- flags ---
        yield return new("flag: --lr not a number", Usage, s => A("train", "--lr", "abc", "--out", s.At("o")), _ => A("--lr", "expected a number", "abc"));
        yield return new("flag: --lr negative", Usage, s => A("train", "--lr", "-0.1", "--out", s.At("o")), _ => A("--lr", "expected a positive"));
        yield return new("flag: --batch-size 0", Usage, s => A("train", "--batch-size", "0", "--out", s.At("o")), _ => A("--batch-size", "expected a positive integer"));
        yield return new("flag: --epochs not an integer", Usage, s => A("train", "--epochs", "ten", "--out", s.At("o")), _ => A("--epochs", "expected an integer"));
        yield return new("flag: --arch with x and comma", Usage, s => A("train", "--arch", "784x128,10", "--out", s.At("o")), _ => A("--arch", "expected", "784x128,10"));
        yield return new("flag: --arch leading zero", Usage, s => A("train", "--arch", "0784-128-10", "--out", s.At("o")), _ => A("--arch", "leading zeros"));
        yield return new("flag: --arch wrong output width", Usage, s => A("train", "--arch", "784-128-11", "--out", s.At("o")), _ => A("--arch", "output width of 10"));
        yield return new("flag: --arch empty widths", Usage, s => A("train", "--arch", "784--10", "--out", s.At("o")), _ => A("--arch", "expected"));
        yield return new("flag: --out missing value at the end", Usage, _ => A("train", "--out"), _ => A("--out", "missing value"));
        yield return new("flag: missing value swallows the next flag", Usage, _ => A("train", "--out", "--overwrite"), _ => A("--out", "missing value", "--overwrite"));
        yield return new("flag: --out= empty", Usage, _ => A("train", "--out="), _ => A("--out", "empty value"));
        yield return new("flag: unknown flag", Usage, s => A("train", "--learning-rate", "0.1", "--out", s.At("o")), _ => A("--learning-rate", "unknown flag"));
        yield return new("flag: switch with a value", Usage, s => A("train", "--nesterov=maybe", "--out", s.At("o")), _ => A("--nesterov", "expected no value or true/false"));
        yield return new("flag: --device unknown", Usage, s => A("train", "--device", "tpu", "--out", s.At("o")), _ => A("--device", "expected"));
        yield return new("flag: --dropout out of range", Usage, s => A("train", "--dropout", "1.5", "--out", s.At("o")), _ => A("--dropout", "expected a probability"));
        yield return new("flag: stray positional", Usage, s => A("train", "extra", "--out", s.At("o")), _ => A("unexpected argument", "extra"));
        yield return new("flag: unknown command", Usage, _ => A("trian"), _ => A("unknown command", "trian", "expected one of"));
        yield return new("flag: diff with one directory", Usage, s => A("diff", s.Run), _ => A("expected two directories"));
        yield return new("flag: diff --format unknown", Usage, s => A("diff", s.Run, s.Run, "--format", "xml"), _ => A("--format", "expected text, markdown or json"));
        yield return new("flag: diff --atol negative", Usage, s => A("diff", s.Run, s.Run, "--atol", "-1"), _ => A("--atol", "non-negative"));
        yield return new("flag: diff of a missing directory", Usage, s => A("diff", s.Run, s.At("nope")), s => A(s.At("nope"), "does not exist"));
        yield return new("flag: reproduce --jobs 0", Usage, _ => A("reproduce", "--jobs", "0"), _ => A("--jobs", "expected a positive integer"));
        yield return new("flag: reproduce --seed-list with a word", Usage, _ => A("reproduce", "--seed-list", "1,x"), _ => A("--seed-list", "'x'", "integer"));
        yield return new("flag: stray argument to snapshot", Usage, s => A("snapshot", "extra", "--baselines", s.Baselines), _ => A("snapshot", "unexpected argument 'extra'"));
        yield return new("flag: stray argument to reproduce", Usage, _ => A("reproduce", "000"), _ => A("reproduce", "unexpected argument '000'"));
        yield return new("out: reproduce --out is a file, found before training", Failure, s => A("reproduce", "--claims", TrainedClaim, "--seeds", "4", "--alternative-seeds", "4", "--out", s.At("f.txt")),
            s => A("--out", s.At("f.txt"), "not writable"), s => s.Write("f.txt", "x"));
        yield return new("out: calibrate --out is a file, found before training", Failure, s => A("calibrate", "--seeds", "4", "--documents", "002", "--out", s.At("f.txt")),
            s => A("--out", s.At("f.txt"), "not writable"), s => s.Write("f.txt", "x"));
        yield return new("out: calibrate --out below a file, found before training", Failure, s => A("calibrate", "--seeds", "4", "--documents", "002", "--out", s.At("f.txt", "sub")),
            s => A("--out", s.At("f.txt", "sub"), "not writable"), s => s.Write("f.txt", "x"));
        yield return new("cache: judge with the run cache a file, found before training", Failure, s => A("judge", TrainedClaim, "--seeds", "4"),
            s => A("the run cache", s.At("cache"), "not writable"), s => s.Write("cache", "x"));
        yield return new("cache: calibrate with the run cache a file, found before training", Failure, s => A("calibrate", "--seeds", "4", "--documents", "002", "--out", s.At("rep")),
            s => A("the run cache", s.At("cache"), "not writable"), s => s.Write("cache", "x"));
        yield return new("flag: accept without an id", Usage, s => A("accept", "--baselines", s.Baselines), _ => A("one experiment id"));

        // --- configuration files ---
        yield return new("config: file does not exist", Usage, s => A("train", "--config", s.At("none.json"), "--out", s.At("o")), s => A("--config", s.At("none.json"), "does not exist"));
        yield return new("config: empty file", Usage, s => A("train", "--config", s.At("c.json"), "--out", s.At("o")), s => A(s.At("c.json"), "empty file", "expected a JSON object"), s => s.Write("c.json", ""));
        yield return new("config: invalid JSON", Usage, s => A("train", "--config", s.At("c.json"), "--out", s.At("o")), s => A(s.At("c.json"), "not valid JSON"), s => s.Write("c.json", "{lr: 0.1"));
        yield return new("config: an array, not an object", Usage, s => A("train", "--config", s.At("c.json"), "--out", s.At("o")), s => A(s.At("c.json"), "expected a JSON object"), s => s.Write("c.json", "[1,2]"));
        yield return new("config: unknown key", Usage, s => A("train", "--config", s.At("c.json"), "--out", s.At("o")), s => A(s.At("c.json"), "'learning_rate'", "unknown key"), s => s.Write("c.json", """{"learning_rate": 0.1}"""));
        yield return new("config: wrong-case key", Usage, s => A("train", "--config", s.At("c.json"), "--out", s.At("o")), s => A(s.At("c.json"), "'Lr'", "did you mean 'lr'"), s => s.Write("c.json", """{"Lr": 0.1}"""));
        yield return new("config: flag spelling as key", Usage, s => A("train", "--config", s.At("c.json"), "--out", s.At("o")), s => A(s.At("c.json"), "'batch-size'", "did you mean 'batch_size'"), s => s.Write("c.json", """{"batch-size": 8}"""));
        yield return new("config: number as string", Usage, s => A("train", "--config", s.At("c.json"), "--out", s.At("o")), s => A(s.At("c.json"), "'lr'", "expected a number"), s => s.Write("c.json", """{"lr": "0.1"}"""));
        yield return new("config: fraction for an integer", Usage, s => A("train", "--config", s.At("c.json"), "--out", s.At("o")), s => A(s.At("c.json"), "'epochs'", "expected an integer"), s => s.Write("c.json", """{"epochs": 2.5}"""));
        yield return new("config: string for a bool", Usage, s => A("train", "--config", s.At("c.json"), "--out", s.At("o")), s => A(s.At("c.json"), "'nesterov'", "expected true or false"), s => s.Write("c.json", """{"nesterov": "yes"}"""));
        yield return new("config: null value", Usage, s => A("train", "--config", s.At("c.json"), "--out", s.At("o")), s => A(s.At("c.json"), "'optimizer'", "got null"), s => s.Write("c.json", """{"optimizer": null}"""));
        yield return new("config: out-of-range value", Usage, s => A("train", "--config", s.At("c.json"), "--out", s.At("o")), s => A(s.At("c.json"), "'dropout'", "expected a probability"), s => s.Write("c.json", """{"dropout": 1.5}"""));
        yield return new("config: invalid value of a valid key", Usage, s => A("train", "--config", s.At("c.json"), "--out", s.At("o")), s => A(s.At("c.json"), "'loss'", "expected cross-entropy"), s => s.Write("c.json", """{"loss": "hinge"}"""));
        yield return new("config: integer overflow", Usage, s => A("train", "--config", s.At("c.json"), "--out", s.At("o")), s => A(s.At("c.json"), "'batch_size'", "expected an integer"), s => s.Write("c.json", """{"batch_size": 99999999999}"""));

        // --- data files ---
        yield return new("data: --data-dir is a file", Failure, s => A(["train", .. Tiny, "--data-dir", s.At("f.txt"), "--out", s.At("o")]), s => A(s.At("f.txt"), "expected the MNIST data directory"), s => s.Write("f.txt", "x"));

        // --- run records and --out ---
        yield return new("out: --overwrite on a non-run directory", Usage, s => A(["train", .. Tiny, "--out", s.At("mine"), "--overwrite"]), s => A("--out", s.At("mine"), "not a run directory", "--overwrite only ever replaces a run directory"), s => s.Write("mine/thesis.tex", "precious"));
        yield return new("out: --overwrite on a run plus a foreign file", Usage, s => A(["train", .. Tiny, "--out", s.Run, "--overwrite"]), s => A("--out", "notes.txt", "not a run directory"), s => s.Write("run/notes.txt", "mine"));
        yield return new("out: existing run without --overwrite", Usage, s => A(["train", .. Tiny, "--out", s.Run]), s => A("--out", s.Run, "already holds a run", "--overwrite"));
        yield return new("out: --out is a file", Usage, s => A(["train", .. Tiny, "--out", s.At("f.txt")]), s => A("--out", s.At("f.txt"), "is a file"), s => s.Write("f.txt", "x"));
        yield return new("run: diff with a truncated table", Failure, s => A("diff", s.Run, s.At("b")), s => A(s.At("b", "steps.parquet"), "expected magic"), s => { Sandbox.Copy(s.Run, s.At("b")); Sandbox.Truncate(s.At("b", "steps.parquet"), 3000); });
        yield return new("run: diff with a wrong-magic table", Failure, s => A("diff", s.At("b"), s.Run), s => A(s.At("b", "epochs.parquet"), "PAR1"), s => { Sandbox.Copy(s.Run, s.At("b")); Sandbox.Magic(s.At("b", "epochs.parquet")); });
        yield return new("run: diff with an empty table file", Failure, s => A("diff", s.Run, s.At("b")), s => A(s.At("b", "classes.parquet")), s => { Sandbox.Copy(s.Run, s.At("b")); File.WriteAllBytes(s.At("b", "classes.parquet"), []); });
        yield return new("run: diff with a corrupt table body", Failure, s => A("diff", s.Run, s.At("b")), s => A(s.At("b", "misses.parquet")), s => { Sandbox.Copy(s.Run, s.At("b")); Sandbox.Flip(s.At("b", "misses.parquet")); });
        yield return new("run: diff of two empty directories", Failure, s => A("diff", s.At("e1"), s.At("e2")), s => A(s.At("e1"), "nothing to compare"), s => { Directory.CreateDirectory(s.At("e1")); Directory.CreateDirectory(s.At("e2")); });
        yield return new("run: diff against an empty directory", Failure, s => A("diff", s.Run, s.At("e2")), s => A(s.At("e2"), "nothing to compare"), s => Directory.CreateDirectory(s.At("e2")));
        yield return new("run: diff --tables naming no table", Failure, s => A("diff", s.Run, s.Run, "--tables", "nosuch"), s => A("nothing to compare", "nosuch"));

        // --- baselines and received files ---
        yield return new("baseline: diff with a corrupt verified file", Failure, s => A("diff", s.At("baselines", Sandbox.Profile), s.At("other")),
            s => A(new SnapshotPaths(s.ExperimentDir, "epochs").VerifiedParquet), s => { s.Verified(); Sandbox.Truncate(new SnapshotPaths(s.ExperimentDir, "epochs").VerifiedParquet, 100); Sandbox.Copy(s.ExperimentDir, s.At("other", Sandbox.Experiment)); });
        yield return new("received: accept a truncated received file", Failure, s => A("accept", Sandbox.Experiment, "--profile", Sandbox.Profile, "--baselines", s.Baselines),
            s => A(new SnapshotPaths(s.ExperimentDir, "epochs").ReceivedParquet), s => { s.Verified(); Sandbox.Truncate(s.Received().ReceivedParquet, 200); });
        yield return new("received: accept is all or nothing (second file bad)", Failure, s => A("accept", Sandbox.Experiment, "--profile", Sandbox.Profile, "--baselines", s.Baselines),
            s => A(new SnapshotPaths(s.ExperimentDir, "zz").ReceivedParquet), s => { s.Verified("aa"); s.Received("aa"); Sandbox.Magic(s.Received("zz").ReceivedParquet); });
        yield return new("received: accept a stale received file", Failure, s => A("accept", Sandbox.Experiment, "--profile", Sandbox.Profile, "--baselines", s.Baselines),
            s => A(new SnapshotPaths(s.ExperimentDir, "epochs").ReceivedParquet, "older than the last verification run"), s =>
            {
                var p = s.Received();
                File.SetLastWriteTimeUtc(p.ReceivedParquet, DateTime.UtcNow.AddHours(-1));
                SnapshotStore.MarkVerificationRun(s.Baselines, Sandbox.Profile);
            });
        yield return new("received: accept an unknown experiment", Failure, s => A("accept", "no-such-experiment", "--baselines", s.Baselines), _ => A("no-such-experiment"));
        yield return new("received: accept --all with an id", Usage, s => A("accept", "--all", Sandbox.Experiment, "--baselines", s.Baselines), _ => A("--all", "takes no experiment id"));

        // --- the run cache ---
        yield return new("cache: snapshot with nothing cached", Failure, s => A("snapshot", "--experiments", Sandbox.Experiment, "--baselines", s.Baselines), s => A("nothing verified", s.At("cache")));
        yield return new("cache: snapshot with a truncated entry", Failure, s => A("snapshot", "--experiments", Sandbox.Experiment, "--baselines", s.Baselines),
            s => A("nothing verified", Path.Combine(s.CacheEntryPath, "steps.parquet")), s => { var d = s.CacheEntry(); Sandbox.Truncate(Path.Combine(d, "steps.parquet"), 1000); });
        yield return new("cache: snapshot with a corrupt entry body", Failure, s => A("snapshot", "--experiments", Sandbox.Experiment, "--baselines", s.Baselines),
            s => A("nothing verified", Path.Combine(s.CacheEntryPath, "epochs.parquet")), s => { var d = s.CacheEntry(); Sandbox.Flip(Path.Combine(d, "epochs.parquet")); });
        yield return new("cache: snapshot with a broken manifest", Failure, s => A("snapshot", "--experiments", Sandbox.Experiment, "--baselines", s.Baselines),
            s => A("nothing verified", Path.Combine(s.CacheEntryPath, "manifest.json")), s => { var d = s.CacheEntry(); File.WriteAllText(Path.Combine(d, "manifest.json"), "{\"engine\": 3"); });
        yield return new("cache: snapshot with an unknown experiment", Failure, s => A("snapshot", "--experiments", "nope", "--baselines", s.Baselines), _ => A("nope"));
    }

    /// <summary>The second hostile round (docs/hostile-round-2.md): each case failed before its fix.</summary>
    public static IEnumerable<BadCase> HostileRound2()
    {
        yield return new("hostile: no command at all", Usage, _ => A(), _ => A("no command given", "expected one of"));
        yield return new("hostile: --help with a value", Usage, _ => A("train", "--help=false"), _ => A("--help", "takes no value"));
        yield return new("hostile: --threads huge (hung starting threads)", Usage, s => A(["train", .. Tiny, "--threads", "100000", "--out", s.At("o")]), _ => A("--threads", "0 to 1024"));
        yield return new("hostile: --out empty string as its own argument", Usage, _ => A(["train", .. Tiny, "--out", ""]), _ => A("--out", "empty value"));
        yield return new("hostile: a flag given twice", Usage, s => A(["train", .. Tiny, "--lr", "0.1", "--lr", "0.2", "--out", s.At("o")]), _ => A("--lr", "given twice"));
        yield return new("hostile: --config is a directory", Usage, s => A("train", "--config", s.At("cfgdir"), "--out", s.At("o")), s => A("--config", s.At("cfgdir"), "is a directory"), s => Directory.CreateDirectory(s.At("cfgdir")));
        yield return new("hostile: --config empty string", Usage, s => A("train", "--config", "", "--out", s.At("o")), _ => A("--config", "empty value"));
        yield return new("hostile: reproduce --seed-list of nothing", Usage, _ => A("reproduce", "--seed-list", ",", "--dry-run"), _ => A("--seed-list", "expected a comma-separated list"));
        yield return new("hostile: reproduce --seed-list with a seed twice", Usage, _ => A("reproduce", "--seed-list", "1,2,1,3", "--dry-run"), _ => A("--seed-list", "seed 1 is listed twice"));
        yield return new("hostile: reproduce --engine unknown", Usage, _ => A("reproduce", "--claims", TrainedClaim, "--engine", "turbo", "--dry-run"), _ => A("--engine", "turbo"));
        yield return new("hostile: reproduce --threads negative", Usage, _ => A("reproduce", "--claims", TrainedClaim, "--threads", "-1", "--dry-run"), _ => A("--threads", "0 to 1024"));
        yield return new("hostile: snapshot --experiments of nothing", Usage, s => A("snapshot", "--experiments", ",", "--baselines", s.Baselines), _ => A("--experiments", "expected a comma-separated list"));
        yield return new("hostile: snapshot --engine unknown", Usage, s => A("snapshot", "--experiments", Sandbox.Experiment, "--engine", "bogus", "--baselines", s.Baselines), _ => A("--engine", "bogus"));
        yield return new("hostile: report --out is a file", Failure, s => A("report", "--documents", "000", "--out", s.At("f.txt")), s => A("--out", s.At("f.txt"), "not writable"), s => s.Write("f.txt", "x"));
        yield return new("hostile: diff --out is a directory", Usage, s => A("diff", s.Run, s.Run, "--out", s.At("outdir")), s => A("--out", s.At("outdir"), "is a directory"), s => Directory.CreateDirectory(s.At("outdir")));
        yield return new("hostile: diff of a file", Usage, s => A("diff", s.At("f.txt"), s.Run), s => A(s.At("f.txt"), "is a file, expected a directory"), s => s.Write("f.txt", "x"));
        yield return new("hostile: accept --baselines that does not exist", Usage, s => A("accept", Sandbox.Experiment, "--baselines", s.At("nope")), s => A("--baselines", s.At("nope"), "does not exist"));
        yield return new("hostile: accept --profile with a path", Usage, s => A("accept", "--all", "--profile", "../x", "--baselines", s.Baselines), _ => A("--profile", "'../x'", "not a profile name"), s => Directory.CreateDirectory(s.Baselines));
        yield return new("hostile: accept --profile empty", Usage, s => A("accept", "--all", "--profile", "", "--baselines", s.Baselines), _ => A("--profile", "empty value"), s => Directory.CreateDirectory(s.Baselines));
        yield return new("hostile: accept --verdicts with a corrupt received file", Failure, s => A("accept", "--verdicts", Sandbox.Profile, "--baselines", s.Baselines),
            s => A(s.At("baselines", Sandbox.Profile, "verdicts-static.received.json"), "not a verdict file"), s => s.Write($"baselines/{Sandbox.Profile}/verdicts-static.received.json", "{\"a\": "));
    }

    [TestCaseSource(nameof(HostileRound2))]
    public void Hostile_round_2_bad_input_is_one_line_naming_what_was_expected_and_changes_nothing(BadCase c) => Bad_input_is_one_line_naming_what_was_expected_and_changes_nothing(c);

    [TestCaseSource(nameof(Cases))]
    public void Bad_input_is_one_line_naming_what_was_expected_and_changes_nothing(BadCase c)
    {
        var root = Path.Combine(Path.GetTempPath(), $"badinput-{Guid.NewGuid():N}");
        try
        {
            var s = new Sandbox(root);
            Sandbox.Copy(FixtureRun, s.Run);
            c.Setup?.Invoke(s);
            var before = Cli.Tree(root);
            var r = Cli.Run(root, c.Args(s));
            var all = r.StdErr + r.StdOut;
            Assert.That(r.ExitCode, Is.EqualTo(c.Exit), $"exit code; stderr: {r.StdErr}");
            Cli.AssertOneLineError(r);
            foreach (var n in c.Names(s)) Assert.That(all, Does.Contain(n), "the message names it");
            Cli.AssertUnchanged(before, Cli.Tree(root), c.Name);
        }
        finally { MnistClaims.Common.AtomicFile.TryDelete(root); }
    }

    [Test]
    public void The_corpus_has_at_least_forty_cases() => Assert.That(Cases().Count(), Is.GreaterThanOrEqualTo(40));
}
