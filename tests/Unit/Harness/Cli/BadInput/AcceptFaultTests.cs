using System.Diagnostics;
using MnistClaims.Claims;
using MnistClaims.Common;
using MnistClaims.Snapshots;
using MnistClaims.Storage.Parquet;
using MnistClaims.Tests.Unit.Snapshots;

namespace MnistClaims.Tests.Unit.Harness.Cli.BadInput;

/// <summary>
/// Accept is transactional per experiment (issue 13): <c>harness accept</c> killed with SIGKILL (or failing with an I/O error)
/// between any two of its steps leaves the experiment's baselines fully old or fully new once the next command has
/// recovered, never a mix; two accepts at once are serialised. No training: the baselines are small tables.
/// </summary>
[Category("BadInput"), Category("Integration"), NonParallelizable]   // runs the CLI as a child process
public sealed class AcceptFaultTests
{
    const string Profile = "test-profile";
    string _root = "";
    static string Experiment => Registry.Experiments[0].Id;
    string Baselines => Path.Combine(_root, "baselines");
    string ProfileDir => Path.Combine(Baselines, Profile);
    string ExpDir => Path.Combine(ProfileDir, Experiment);

    static readonly Table V1 = SnapshotTestData.Epochs(acc: [0.90, 0.95, 0.97]);
    static readonly Table V2 = SnapshotTestData.Epochs(acc: [0.91, 0.96, 0.98]);
    static readonly string[] Names = ["a", "b", "c"];

    [SetUp]
    public void Make()
    {
        _root = Path.Combine(Path.GetTempPath(), $"accept-faults-{Guid.NewGuid():N}");
        Directory.CreateDirectory(ExpDir);
        // Verified v1 of three tables, received v2 of all three (written after the stamp of this "verification run").
        foreach (var n in Names)
        {
            var p = new SnapshotPaths(ExpDir, n);
            ParquetFile.Write(p.VerifiedParquet, V1, SnapshotStore.BaselineWriteOptions);
            File.WriteAllText(p.VerifiedText, TableText.Render(V1));
            SnapshotStore.WriteReceived(p, V2);
        }
        File.WriteAllText(Path.Combine(ExpDir, "README.md"), "kept as it is\n");
    }

    [TearDown] public void Clean() => AtomicFile.TryDelete(_root);

    ProcessSpec AcceptSpec(string? fault)
    {
        var spec = Cli.Spec(_root, "accept", Experiment, "--profile", Profile, "--baselines", Baselines);
        var env = new Dictionary<string, string?>(spec.Environment!) { [FaultInjection.EnvVar] = fault };
        return spec with { Environment = env };
    }

    /// <summary>"old", "new" or "absent"; fails on anything mixed (tables of both versions, text not matching its Parquet).</summary>
    string State(bool received = true)
    {
        if (!Directory.Exists(ExpDir)) return "absent";
        var versions = Names.Select(n =>
        {
            var p = new SnapshotPaths(ExpDir, n);
            var t = ParquetFile.Read(p.VerifiedParquet);
            Assert.That(File.ReadAllText(p.VerifiedText), Is.EqualTo(TableText.Render(t)), $"{p.VerifiedText} renders its Parquet");
            var acc = t.Columns.First(c => c.Name == "test_acc").GetDouble(0);
            return acc == 0.90 ? "old" : acc == 0.91 ? "new" : "?";
        }).Distinct().ToList();
        Assert.That(versions, Has.Count.EqualTo(1), "every table of the experiment is of the same version: " + string.Join(", ", versions));
        Assert.That(File.ReadAllText(Path.Combine(ExpDir, "README.md")), Is.EqualTo("kept as it is\n"), "other files are kept");
        if (!received) return versions[0];
        if (versions[0] == "old")
            foreach (var n in Names) Assert.That(File.Exists(new SnapshotPaths(ExpDir, n).ReceivedParquet), Is.True, "rolled back: the received files are still there to accept");
        else
            foreach (var n in Names) Assert.That(File.Exists(new SnapshotPaths(ExpDir, n).ReceivedParquet), Is.False, "accepted: no received file left");
        return versions[0];
    }

    string[] Leftovers() => Directory.GetFileSystemEntries(ProfileDir).Select(Path.GetFileName).Where(n => n!.StartsWith('.') && !n.EndsWith(".last-verification")).ToArray()!;

    [TestCase("accept-staging", "old", "old", "rolled back")]
    [TestCase("swap-staged", "old", "old", "rolled back")]
    [TestCase("swap-moved-old", "absent", "new", "rolled forward")]
    [TestCase("swap-moved-new", "new", "new", "rolled forward")]
    public void Accept_killed_at_any_step_leaves_the_baselines_fully_old_or_fully_new(string point, string right_after, string recovered, string how)
    {
        var r = ProcessRunner.Run(AcceptSpec(point), TimeSpan.FromMinutes(2));
        Assert.That(r.ExitCode, Is.EqualTo(137), $"killed by SIGKILL at {point}: {r.Tail()}");
        Assert.That(State(), Is.EqualTo(right_after), "what a reader sees before anything recovers");
        // The next accept/snapshot (or any verification of the experiment) recovers first, and says so.
        var notes = SnapshotStore.Recover(Baselines, Profile);
        Assert.That(notes, Has.Count.EqualTo(1));
        Assert.That(notes[0], Does.Contain(ExpDir).And.Contain(how));
        Assert.That(State(), Is.EqualTo(recovered));
        Assert.That(Leftovers(), Is.Empty, "nothing left beside the experiment");
    }

    [Test]
    public void The_next_accept_reports_the_recovery_and_finishes_the_job()
    {
        Assert.That(ProcessRunner.Run(AcceptSpec("swap-moved-old"), TimeSpan.FromMinutes(2)).ExitCode, Is.EqualTo(137));
        var r = ProcessRunner.Run(AcceptSpec(null), TimeSpan.FromMinutes(2));
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Tail());
        Assert.That(r.StdOut, Does.Contain("recovered: ").And.Contain("rolled forward").And.Contain("Nothing to accept"));
        Assert.That(State(), Is.EqualTo("new"));
        Assert.That(Leftovers(), Is.Empty);
    }

    [TestCase("accept-staging:io")]
    [TestCase("swap-moved-old:io")]
    public void Accept_failing_with_an_io_error_changes_nothing_and_says_so_in_one_line(string fault)
    {
        var r = ProcessRunner.Run(AcceptSpec(fault), TimeSpan.FromMinutes(2));
        Assert.That(r.ExitCode, Is.EqualTo(1), r.Tail());
        Cli.AssertOneLineError(r);
        Assert.That(r.StdErr, Does.Contain("injected I/O fault"));
        Assert.That(State(), Is.EqualTo("old"));
        Assert.That(Leftovers(), Is.Empty, "the failing accept cleaned up after itself");
    }

    [Test]
    public void Two_accepts_at_once_are_serialised()
    {
        // An accept waits for the holder of the experiment's lock (another accept, or a verification writing received files).
        var lockFile = Path.Combine(ProfileDir, $".{Experiment}.lock");
        RunningProcess waiting;
        using (var held = FileLock.TryAcquire(lockFile))
        {
            Assert.That(held, Is.Not.Null);
            waiting = ProcessRunner.Start(AcceptSpec(null));
            Assert.That(waiting.WaitForExit(TimeSpan.FromSeconds(4)), Is.False, "the accept waits while another process holds the experiment");
            Assert.That(State(), Is.EqualTo("old"));
        }
        using (waiting)
        {
            var r = waiting.Result();
            Assert.That(r.ExitCode, Is.EqualTo(0), r.Tail());
            Assert.That(r.StdOut, Does.Contain("Accepted 3 snapshot(s)"));
        }
        Assert.That(State(), Is.EqualTo("new"));
        // Two accepts started together: one accepts, the other finds nothing left; never a mix.
        foreach (var n in Names) SnapshotStore.WriteReceived(new SnapshotPaths(ExpDir, n), V1);
        using var one = ProcessRunner.Start(AcceptSpec(null));
        using var two = ProcessRunner.Start(AcceptSpec(null));
        var (r1, r2) = (one.Result(), two.Result());
        Assert.That((r1.ExitCode, r2.ExitCode), Is.EqualTo((0, 0)), r1.Tail() + " | " + r2.Tail());
        Assert.That(new[] { r1.StdOut, r2.StdOut }.Count(o => o.Contains("Accepted 3 snapshot(s)")), Is.EqualTo(1), r1.StdOut + r2.StdOut);
        Assert.That(State(received: false), Is.EqualTo("old"));
        Assert.That(Leftovers(), Is.Empty, "no lock file or staging directory left");
    }
}
