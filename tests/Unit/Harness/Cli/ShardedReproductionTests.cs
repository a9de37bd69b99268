using System.Text.Json.Nodes;
using MnistClaims.Common;
using MnistClaims.Core.Runs;
using MnistClaims.Storage.Parquet;
using CliRunner = MnistClaims.Tests.Unit.Harness.Cli.BadInput.Cli;

namespace MnistClaims.Tests.Unit.Harness.Cli;

/// <summary>
/// Sharded reproduction end to end, with real training (a small selection: one cheap experiment of 002, 4 seeds): a shard
/// killed midway and rerun, and the Slurm job array on a single-node cluster this test starts, each merged and judged
/// from the cache. Both must give the verdicts of an unsharded local run, and the merged cache its runs, bit for bit in
/// every Parquet value but the wall-clock columns (train_seconds, eval_seconds) and the verdict files' generation time.
/// </summary>
[TestFixture, Category("Integration"), NonParallelizable]
public class ShardedReproductionTests
{
    // In the order the harness writes a selection into its rerun commands (its flags' declaration order).
    static readonly string[] Selection = ["--seeds", "4", "--claims", "002-width-32-train-loss,002-width-32-val-acc"];
    static readonly HashSet<string> WallClock = [EpochColumns.TrainSeconds.Name, EpochColumns.EvalSeconds.Name];
    static readonly TimeSpan Limit = TimeSpan.FromMinutes(8);
    string _root = null!;

    string At(string rel) => Path.Combine(_root, rel);

    ProcessResult Harness(params string[] args) => ProcessRunner.Run(CliRunner.Spec(_root, args), Limit);

    [OneTimeSetUp]
    public void LocalRun()
    {
        Directory.CreateDirectory(_root = Path.Combine(Path.GetTempPath(), $"mnist-claims-sharded-{Guid.NewGuid():N}"));
        var r = Harness(["reproduce", .. Selection, "--cache", "local", "--out", "local-out"]);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Tail(2000));
    }

    [OneTimeTearDown]
    public void Clean() => AtomicFile.TryDelete(_root);

    [Test]
    public void A_shard_killed_midway_and_rerun_gives_the_unsharded_verdicts()
    {
        string s0 = At("kill/s0"), s1 = At("kill/s1");
        // Shard 0 with one worker: its two runs train one after the other; it is killed (with its worker) once the first has landed.
        using (var shard = ProcessRunner.Start(CliRunner.Spec(_root, ["reproduce", "--shard", "0/2", .. Selection, "--cache", s0, "--jobs", "1"])))
        {
            var deadline = DateTime.UtcNow + Limit;
            while (CompleteEntries(s0) == 0 && !shard.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(100);
            if (shard.HasExited) Assert.Fail("shard 0 finished before it could be killed: " + shard.Result().Tail());
            // As a scheduler ends a job: SIGKILL to the shard and every process of it (its worker names the shard's pid in its
            // arguments, `worker --scheduler PID`), so nothing gets to write a status or finish a run.
            var pids = ProcessesMentioning(s0).Union(ProcessesMentioning($"worker\0--scheduler\0{shard.Id}\0")).ToArray();
            Assert.That(pids, Does.Contain(shard.Id));
            foreach (var pid in pids) ProcessRunner.Run("kill", ["-KILL", pid.ToString()], TimeSpan.FromSeconds(10));
            Assert.That(shard.WaitForExit(TimeSpan.FromSeconds(30)), Is.True, "the killed shard ended");
        }
        Assert.That(CompleteEntries(s0), Is.EqualTo(1), "killed after its first run and before its second");
        var record = ShardRecords.Plans(s0).Single().Plan;
        Assert.That(ShardRecords.Statuses(s0, record.PlanHash).Single().Status.State, Is.EqualTo(ShardStatus.Running), "a killed shard's record still says running");

        var other = Harness(["reproduce", "--shard", "1/2", .. Selection, "--cache", s1]);
        Assert.That(other.ExitCode, Is.EqualTo(0), other.Tail(2000));

        // The merge takes what exists and names the killed shard with the command that reruns just it.
        var partial = Harness("merge", s0, s1, "--into", At("kill/merged"));
        Assert.That(partial.ExitCode, Is.EqualTo(1), partial.Tail(2000));
        Assert.That(partial.StdOut, Does.Contain("shard 0/2: 1 of 2 run(s) missing").And.Contain("running")
            .And.Contain($"rerun: harness reproduce --shard 0/2 {string.Join(' ', Selection)} --cache {s0}"));
        Assert.That(partial.StdOut, Does.Contain("shard 1/2: complete"));
        Assert.That(partial.StdErr, Does.Contain("1 shard(s) incomplete (0/2)"));

        var rerun = Harness(["reproduce", "--shard", "0/2", .. Selection, "--cache", s0]);
        Assert.That(rerun.ExitCode, Is.EqualTo(0), rerun.Tail(2000));
        Assert.That(rerun.StdOut, Does.Contain("2 of 4 run(s)").And.Contain("1 already in").And.Contain("1 to train"), "the rerun reuses the run that finished");

        var merged = Harness("merge", s0, s1, "--into", At("kill/merged"));
        Assert.That(merged.ExitCode, Is.EqualTo(0), merged.Tail(2000));
        Assert.That(merged.StdOut, Does.Contain("2 of 2 shard(s) complete"));
        var judged = Harness(["reproduce", "--from-cache", At("kill/merged"), "--out", At("kill/out"), .. Selection]);
        Assert.That(judged.ExitCode, Is.EqualTo(0), judged.Tail(2000));
        Assert.That(judged.StdOut, Does.Contain("4 run(s) cached").And.Contain("0 to train"));
        AssertSameAsLocal(At("kill/merged"), At("kill/out"));
    }

    [Test, Category("Slurm")]
    public void Slurm_shards_merged_give_the_unsharded_verdicts()
    {
        bool tools = new[] { "sbatch", "slurmctld", "slurmd", "munged", "mungekey", "sinfo" }.All(t => ProcessRunner.TryOutput("which", [t], TimeSpan.FromSeconds(10)) is not null);
        Requires.Tool(tools, "Slurm (slurm-wlm) and munge are not installed; run scripts/setup.sh slurm");
        Requires.Tool(Environment.UserName == "root", "the single-node Slurm cluster runs slurmd as root; run the test as root");
        var repo = RepoPaths.RequireRoot();
        var cluster = At("cluster");
        var (exe, prefix) = HarnessProcess.Command();
        try
        {
            var up = ProcessRunner.Run("bash", [Path.Combine(repo, "scripts/slurm/local-cluster.sh"), "start", cluster], TimeSpan.FromMinutes(2));
            Assert.That(up.ExitCode, Is.EqualTo(0), "the cluster did not start: " + up.Tail(2000));
            var submit = ProcessRunner.Run(new ProcessSpec("bash", [Path.Combine(repo, "scripts/slurm/submit.sh")])
            {
                WorkingDirectory = repo,
                Environment = new Dictionary<string, string?>
                {
                    ["SLURM_CONF"] = Path.Combine(cluster, "slurm.conf"),
                    ["SHARDS"] = "2", ["SELECTION"] = string.Join(' ', Selection), ["SHARD_ROOT"] = At("slurm"),
                    ["OUT"] = At("slurm-out"), ["REPORT"] = "0",
                    ["HARNESS"] = string.Join(' ', [exe, .. prefix]),   // this build, as the other CLI tests run it
                    ["MNIST_CLAIMS_DATA"] = CliRunner.DataDir, [RunCache.EnvVar] = null, ["MNIST_CLAIMS_ACCEPT"] = null,
                },
            }, Limit);
            Assert.That(submit.ExitCode, Is.EqualTo(0), submit.Tail(3000));
            Assert.That(submit.StdOut, Does.Contain("2 of 2 shard(s) complete").And.Contain("shard 0/2: complete").And.Contain("shard 1/2: complete"));
            foreach (var k in new[] { 0, 1 })
                Assert.That(File.ReadAllText(At($"slurm/logs/shard-{k}.log")), Does.Contain($"shard {k}/2 done"), $"array task {k} ran shard {k}");
            AssertSameAsLocal(At("slurm/merged"), At("slurm-out"));
        }
        finally
        {
            // Stopped however the test ends: the daemons by their pid files, jobs first.
            ProcessRunner.Run("bash", [Path.Combine(repo, "scripts/slurm/local-cluster.sh"), "stop", cluster], TimeSpan.FromMinutes(1));
        }
    }

    static int[] ProcessesMentioning(string text) => Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsDigit)).Select(int.Parse!)
        .Where(pid => { try { return File.ReadAllText($"/proc/{pid}/cmdline").Contains(text); } catch (IOException) { return false; } catch (UnauthorizedAccessException) { return false; } })
        .ToArray();

    /// <summary>Complete run directories in a cache (profile/experiment/entry, hidden temp directories aside).</summary>
    static int CompleteEntries(string cache)
    {
        static IEnumerable<string> Visible(string d) => Directory.Exists(d) ? Directory.GetDirectories(d).Where(x => !Path.GetFileName(x).StartsWith('.')) : [];
        return Visible(cache).SelectMany(Visible).SelectMany(Visible).Count(d => RunStore.IsComplete(d, out _, out _));
    }

    void AssertSameAsLocal(string cache, string outDir)
    {
        AssertSameVerdicts(At("local-out/verdicts.json"), Path.Combine(outDir, "verdicts.json"));
        AssertSameRuns(At("local"), cache);
    }

    /// <summary>verdicts.json equal but for when it was written and how long that took.</summary>
    static void AssertSameVerdicts(string expected, string actual)
    {
        JsonNode Strip(string file)
        {
            var n = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            n.Remove("generated"); n.Remove("wall_seconds");
            return n;
        }
        var (e, a) = (Strip(expected), Strip(actual));
        Assert.That(a["rows"]!.AsArray(), Has.Count.EqualTo(2));
        Assert.That(JsonNode.DeepEquals(e, a), Is.True, $"verdicts differ:\n{e.ToJsonString()}\n{a.ToJsonString()}");
    }

    /// <summary>Every run of <paramref name="expected"/> is in <paramref name="actual"/> with the same bits in every value but the wall-clock columns.</summary>
    static void AssertSameRuns(string expected, string actual)
    {
        var entries = Directory.EnumerateDirectories(expected, "*-s*", SearchOption.AllDirectories).Where(d => !Path.GetFileName(d).StartsWith('.')).ToArray();
        Assert.That(entries, Has.Length.EqualTo(4));
        foreach (var dir in entries)
        {
            var other = Path.Combine(actual, Path.GetRelativePath(expected, dir));
            Assert.That(Directory.Exists(other), Is.True, $"{other} missing");
            foreach (var t in RunTables.All)
            {
                var (x, y) = (ParquetFile.Read(Path.Combine(dir, t + ".parquet")), ParquetFile.Read(Path.Combine(other, t + ".parquet")));
                Assert.That(y.Columns.Select(c => c.Name), Is.EqualTo(x.Columns.Select(c => c.Name)), $"{other}/{t}");
                Assert.That(y.RowCount, Is.EqualTo(x.RowCount), $"{other}/{t}");
                foreach (var c in x.Columns.Where(c => !WallClock.Contains(c.Name)))
                    for (int i = 0; i < x.RowCount; i++)
                        Assert.That(Bits(y[c.Name], i), Is.EqualTo(Bits(c, i)), $"{other}/{t}.{c.Name} row {i}");
            }
        }
    }

    static object? Bits(Column c, int row) => c.IsNull(row) ? null : c.Type switch
    {
        ParquetType.Double => BitConverter.DoubleToInt64Bits(c.GetDouble(row)),
        ParquetType.Float => BitConverter.SingleToInt32Bits((float)c.GetDouble(row)),
        _ => c.FormatValue(row),
    };
}
