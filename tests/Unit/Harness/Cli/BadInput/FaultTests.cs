using System.Diagnostics;
using MnistClaims.Common;
using MnistClaims.Core.Runs;
using MnistClaims.Core.Training;
using MnistClaims.Snapshots;
using MnistClaims.Storage.Parquet;
using MnistClaims.Tests.Unit.Snapshots;

namespace MnistClaims.Tests.Unit.Harness.Cli.BadInput;

/// <summary>
/// Faults (issue 13): kill -9 during a write, two writers into one run directory, a read-only output file system,
/// SIGINT/SIGTERM to reproduce; and the behaviours behind the corpus that are not errors (diff exit codes, accept
/// rendering the text, verification of text against Parquet, the cache retraining a damaged entry).
/// </summary>
[Category("BadInput"), Category("Integration"), NonParallelizable]   // trains on the MNIST files
public sealed class FaultTests
{
    string _root = "";
    static readonly string[] Tiny = ["--max-steps", "3", "--epochs", "1"];

    [SetUp] public void Make() { _root = Path.Combine(Path.GetTempPath(), $"faults-{Guid.NewGuid():N}"); Directory.CreateDirectory(_root); }
    [TearDown] public void Clean() => AtomicFile.TryDelete(_root);

    string At(params string[] p) => Path.Combine([_root, .. p]);

    ProcessResult Train(string outDir, params string[] more) => Cli.Run(_root, ["train", .. Tiny, "--out", outDir, .. more]);

    static void AssertCompleteRun(string dir, long seed)
    {
        Assert.That(RunStore.TryReadAll(dir, out var run, out var why), Is.True, why);
        Assert.That(run!.Manifest.Seed, Is.EqualTo(seed));
    }

    [Test]
    public void Kill_9_at_random_points_leaves_the_run_complete_or_absent_and_the_next_command_cleans_up()
    {
        var rng = new Random(13);
        var outDir = At("run");
        for (int i = 0; i < 5; i++)
        {
            bool existed = Directory.Exists(outDir);
            using (var p = ProcessRunner.Start(Cli.Spec(_root, ["train", .. Tiny, "--out", outDir, "--overwrite"])))
            {
                Thread.Sleep(rng.Next(200, 2500));
                ProcessRunner.Run("kill", ["-KILL", p.Id.ToString()], TimeSpan.FromSeconds(10));   // no handler runs (it may have finished already)
                p.WaitForExit(TimeSpan.FromSeconds(30));
            }
            // The visible run is complete or absent, never half written.
            if (Directory.Exists(outDir)) AssertCompleteRun(outDir, 1);
            else Assert.That(existed, Is.False, "a complete run vanished");
        }
        var r = Train(outDir, "--overwrite");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Tail());
        AssertCompleteRun(outDir, 1);
        Assert.That(Directory.GetFileSystemEntries(_root).Where(e => Path.GetFileName(e).Contains(".tmp-") || Path.GetFileName(e).Contains(".old-")), Is.Empty,
            "the next command removed what killed writers left");
    }

    [Test]
    public void Stale_temp_dirs_of_dead_processes_are_removed_by_the_next_write()
    {
        // pid 2^22+1 is above Linux's pid_max limit: never alive.
        var stale = At(".run.tmp-4194305-0123456789abcdef");
        Directory.CreateDirectory(stale);
        File.WriteAllText(Path.Combine(stale, "steps.parquet"), "half");
        var r = Train(At("run"));
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Tail());
        Assert.That(Directory.Exists(stale), Is.False);
    }

    [Test]
    public void Two_writers_into_one_new_out_one_wins_the_other_fails_before_training()
    {
        var outDir = At("run");
        using var first = ProcessRunner.Start(Cli.Spec(_root, ["train", .. Tiny, "--seed", "7", "--out", outDir]));
        var clock = Stopwatch.StartNew();
        while (!RunLock.IsHeld(outDir) && !first.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(20);
        Assume.That(first.HasExited, Is.False, "the first writer finished before the second started");
        var second = Cli.Run(_root, ["train", .. Tiny, "--seed", "8", "--out", outDir]);
        var one = first.Result();
        Assert.That(one.ExitCode, Is.EqualTo(0), one.Tail());
        Assert.That(second.ExitCode, Is.EqualTo(1), second.Tail());
        Assert.That(second.StdErr, Does.Contain(outDir).And.Contain("another process is writing").And.Contain($"pid {first.Id}"));
        Assert.That(second.StdOut, Does.Not.Contain("training"), "refused before training");
        AssertCompleteRun(outDir, 7);
    }

    [Test]
    public void A_scheduler_whose_run_another_process_is_writing_waits_for_it_instead_of_failing()
    {
        var e = MnistClaims.Claims.Registry.Experiments[0];
        var cfg = new TrainConfig { MaxSteps = 400, Epochs = 1 };   // long enough that the other writer still holds the lock
        var outDir = At("cache", "entry");
        var cfgFile = At("cfg.json");
        File.WriteAllText(cfgFile, cfg.ToCanonicalJson());
        using var other = ProcessRunner.Start(Cli.Spec(_root, "train", "--config", cfgFile, "--out", outDir));
        var clock = Stopwatch.StartNew();
        while (!RunLock.IsHeld(outDir) && !other.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(20);
        Assume.That(other.HasExited, Is.False, "the other writer finished before the scheduler started");
        var log = new StringWriter();
        new MnistClaims.Claims.Scheduler(1, Cli.DataDir, log).Run([new MnistClaims.Claims.RunJob(e, cfg, outDir)]);
        Assert.That(log.ToString(), Does.Contain("waiting for that run"));
        Assert.That(other.Result().ExitCode, Is.EqualTo(0));
        AssertCompleteRun(outDir, 1);
    }

    [Test]
    public void The_run_lock_is_exclusive_released_on_dispose_and_a_dead_holders_file_is_taken_over()
    {
        var dir = At("x", "run");
        using (RunLock.Acquire(dir))
        {
            Assert.That(RunLock.IsHeld(dir), Is.True);
            var e = Assert.Throws<IOException>(() => RunLock.Acquire(dir))!;
            Assert.That(e.Message, Does.Contain(dir).And.Contain("another process"));
        }
        Assert.That(RunLock.IsHeld(dir), Is.False);
        File.WriteAllText(RunLock.LockFileFor(dir), "4194305\n");   // left by a dead process
        using (RunLock.Acquire(dir))
        {
            Assert.That(RunLock.IsHeld(dir), Is.True);
            Assert.That(FileLock.Holder(RunLock.LockFileFor(dir)), Does.Contain($"pid {Environment.ProcessId}"), "the file names its holder");
        }
        Assert.That(File.Exists(RunLock.LockFileFor(dir)), Is.False, "the lock file is removed on release");
    }

    [Test]
    public void After_a_normal_train_no_lock_file_remains()
    {
        var r = Train(At("run"));
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Tail());
        Assert.That(Directory.GetFiles(_root, ".*.lock"), Is.Empty, "the run's lock file was removed when the run was written");
    }

    [Test]
    public void Lock_files_removed_on_release_still_serialise_every_writer()
    {
        // Four threads (each its own open file, so flock treats them as four writers) take and release one lock 300 times
        // each. Removing the file on release is only safe because an acquirer re-checks that the file it locked is still
        // the one at the path: without that re-check two threads end up holding the lock at once.
        Assume.That(FileLock.CanCompare, Is.True, "file identities cannot be compared here, so lock files are kept");
        var file = At(".shared.lock");
        int inside = 0, overlaps = 0, taken = 0;
        var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            for (int i = 0; i < 300;)
            {
                using var l = FileLock.TryAcquire(file);
                if (l is null) { Thread.Yield(); continue; }
                if (Interlocked.Increment(ref inside) > 1) Interlocked.Increment(ref overlaps);
                Thread.SpinWait(200);
                Interlocked.Decrement(ref inside);
                Interlocked.Increment(ref taken);
                i++;
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.That(taken, Is.EqualTo(1200));
        Assert.That(overlaps, Is.EqualTo(0), "two holders at once");
        Assert.That(File.Exists(file), Is.False, "no lock file left after the last release");
    }

    [Test]
    public void An_overwrite_killed_between_its_renames_is_rolled_forward_by_the_next_write()
    {
        Assert.That(Train(At("run")).ExitCode, Is.EqualTo(0));
        var spec = Cli.Spec(_root, ["train", .. Tiny, "--seed", "2", "--out", At("run"), "--overwrite"]);
        spec = spec with { Environment = new Dictionary<string, string?>(spec.Environment!) { [FaultInjection.EnvVar] = "swap-moved-old" } };
        var r = ProcessRunner.Run(spec, TimeSpan.FromMinutes(3));
        Assert.That(r.ExitCode, Is.EqualTo(137), "killed between the two renames: " + r.Tail());
        Assert.That(Directory.Exists(At("run")), Is.False, "the run is out of place at that moment");
        // The next write into the same parent finishes the replacement: the complete new run is put in place, not thrown away.
        RunStore.CleanStale(_root);
        AssertCompleteRun(At("run"), 2);
        Assert.That(Directory.GetFileSystemEntries(_root).Where(e => Path.GetFileName(e).Contains(".tmp-") || Path.GetFileName(e).Contains(".old-")), Is.Empty);
    }

    [Test]
    public void Overwrite_replaces_a_run_but_never_anything_else()
    {
        Assert.That(Train(At("run")).ExitCode, Is.EqualTo(0));
        var r = Train(At("run"), "--overwrite", "--seed", "2");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Tail());
        AssertCompleteRun(At("run"), 2);
        // The library refuses too, whatever the caller passes.
        Directory.CreateDirectory(At("mine"));
        File.WriteAllText(At("mine", "data.csv"), "1,2");
        var e = Assert.Throws<IOException>(() => RunStore.CheckTarget(At("mine"), overwrite: true))!;
        Assert.That(e.Message, Does.Contain("not a run directory"));
        Assert.That(File.ReadAllText(At("mine", "data.csv")), Is.EqualTo("1,2"));
    }

    [Test]
    public void A_read_only_output_file_system_fails_before_training()
    {
        var ro = At("ro");
        Directory.CreateDirectory(ro);
        var mount = ProcessRunner.Run("mount", ["-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", ro], TimeSpan.FromSeconds(10));
        Assume.That(mount.ExitCode, Is.EqualTo(0), "needs permission to mount a read-only tmpfs: " + mount.Tail());
        try
        {
            var r = Train(Path.Combine(ro, "run"));
            Assert.That(r.ExitCode, Is.EqualTo(1), r.Tail());
            Cli.AssertOneLineError(r);
            Assert.That(r.StdErr, Does.Contain(ro).And.Contain("not writable"));
            Assert.That(r.StdOut, Does.Not.Contain("training"), "refused before training");
        }
        finally { ProcessRunner.Run("umount", [ro], TimeSpan.FromSeconds(10)); }
    }

    [TestCase("SIGTERM")]
    [TestCase("SIGINT")]
    public void A_signal_to_reproduce_stops_its_workers(string signal)
    {
        // A claim that needs training (not an exact claim about the data).
        var claim = MnistClaims.Claims.Registry.Claims.First(c => MnistClaims.Claims.Judge.ExperimentsOf([c]).Count > 0).Id;
        var spec = Cli.Spec(_root, "reproduce", "--claims", claim, "--seeds", "4", "--alternative-seeds", "4", "--jobs", "1", "--out", At("reports"));
        // A shell that starts a job in the background ignores SIGINT for it and its children (POSIX job control), and
        // reproduce then rightly ignores it too. So that the test runs however it was started (it was skipped when CI was
        // started from a background shell), reproduce is exec'd through python3 (which the Integration tier has), which
        // restores SIGINT's default disposition first; exec keeps the pid, so the signal reaches reproduce itself.
        if (SignalIgnoredHere(2))
            spec = spec with { Program = "python3", Arguments = ["-c", "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])", spec.Program, .. spec.Arguments] };
        using var p = ProcessRunner.Start(spec);
        var marker = WorkerMarker(p.Id);
        var clock = Stopwatch.StartNew();
        while (Workers(marker).Length == 0 && !p.HasExited && clock.Elapsed < TimeSpan.FromSeconds(90)) Thread.Sleep(100);
        Assume.That(p.HasExited, Is.False, "reproduce ended before starting a worker: " + (p.HasExited ? p.Result().Tail() : ""));
        var workers = Workers(marker);
        Assert.That(workers, Is.Not.Empty);
        ProcessRunner.Run("kill", [$"-{signal[3..]}", p.Id.ToString()], TimeSpan.FromSeconds(10));
        Assert.That(p.WaitForExit(TimeSpan.FromSeconds(30)), Is.True, "reproduce exits on the signal");
        var r = p.Result();
        Assert.That(r.ExitCode, Is.EqualTo(130), r.Tail());
        Thread.Sleep(300);
        Assert.That(workers.Where(ProcessRunner.IsAlive), Is.Empty, "no orphaned worker");
    }

    /// <summary>Whether this process ignores signal <paramref name="number"/> (the SigIgn mask of /proc/self/status).</summary>
    static bool SignalIgnoredHere(int number)
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << (number - 1))) != 0;
    }

    [Test]
    public void Kill_9_of_reproduce_stops_its_workers()
    {
        using var p = ProcessRunner.Start(Cli.Spec(_root, "reproduce", "--claims", BadInputCorpusTests.TrainedClaim, "--seeds", "4", "--alternative-seeds", "4", "--jobs", "1", "--out", At("reports")));
        var marker = WorkerMarker(p.Id);
        var clock = Stopwatch.StartNew();
        while (Workers(marker).Length == 0 && !p.HasExited && clock.Elapsed < TimeSpan.FromSeconds(90)) Thread.Sleep(100);
        Assume.That(p.HasExited, Is.False, "reproduce ended before starting a worker");
        var workers = Workers(marker);
        ProcessRunner.Run("kill", ["-KILL", p.Id.ToString()], TimeSpan.FromSeconds(10));
        p.WaitForExit(TimeSpan.FromSeconds(10));
        clock.Restart();
        while (workers.Any(ProcessRunner.IsAlive) && clock.Elapsed < TimeSpan.FromSeconds(15)) Thread.Sleep(100);
        Assert.That(workers.Where(ProcessRunner.IsAlive), Is.Empty, "no orphaned worker");
    }

    /// <summary>What a worker's command line holds: <c>worker --scheduler PID</c> (NUL-separated in /proc/PID/cmdline).</summary>
    static string WorkerMarker(int scheduler) => $"worker\0--scheduler\0{scheduler}\0";

    static int[] Workers(string marker) => Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsDigit)).Select(int.Parse!)
        .Where(pid => { try { return File.ReadAllText($"/proc/{pid}/cmdline").Contains(marker); } catch (IOException) { return false; } catch (UnauthorizedAccessException) { return false; } })
        .ToArray();

    [Test]
    public void Diff_exit_code_is_git_diff_exit_code()
    {
        Assert.That(Train(At("a")).ExitCode, Is.EqualTo(0));
        Assert.That(Train(At("b"), "--seed", "2").ExitCode, Is.EqualTo(0));
        var same = Cli.Run(_root, "diff", At("a"), At("a"));
        Assert.That(same.ExitCode, Is.EqualTo(0), same.Tail());
        var differ = Cli.Run(_root, "diff", At("a"), At("b"));
        Assert.That(differ.ExitCode, Is.EqualTo(1), differ.Tail());
        Assert.That(differ.StdOut, Does.Contain("difference(s)"));
    }

    static Table Epochs => SnapshotTestData.Epochs();

    [Test]
    public void Accept_renders_the_text_from_the_parquet_never_a_hand_edited_received_txt()
    {
        var root = At("bl");
        var dir = Path.Combine(root, "p", "exp");
        var paths = new SnapshotPaths(dir, "epochs");
        Directory.CreateDirectory(dir);
        SnapshotStore.WriteReceived(paths, Epochs);
        File.WriteAllText(paths.ReceivedText, "all good, trust me\n");
        SnapshotStore.Accept(root, "p", "exp");
        Assert.That(File.ReadAllText(paths.VerifiedText), Is.EqualTo(TableText.Render(Epochs)));
        Assert.That(File.Exists(paths.ReceivedText), Is.False);
    }

    [Test]
    public void Snapshot_writes_remove_temp_files_that_killed_writers_left()
    {
        var paths = new SnapshotPaths(At("bl", "p", "exp"), "epochs");
        Directory.CreateDirectory(paths.Directory);
        var stale = Path.Combine(paths.Directory, ".epochs.received.parquet.tmp-4194305-0123456789abcdef");
        File.WriteAllText(stale, "half");
        SnapshotStore.WriteReceived(paths, Epochs);
        Assert.That(File.Exists(stale), Is.False);
    }

    [Test]
    public void Accept_is_all_or_nothing_per_experiment()
    {
        var root = At("bl");
        var dir = Path.Combine(root, "p", "exp");
        Directory.CreateDirectory(dir);
        var good = new SnapshotPaths(dir, "a");
        SnapshotStore.WriteReceived(good, Epochs);
        var bad = new SnapshotPaths(dir, "b");
        File.WriteAllText(bad.ReceivedParquet, "not parquet");
        var e = Assert.Throws<ParquetFormatException>(() => SnapshotStore.Accept(root, "p", "exp"))!;
        Assert.That(e.Message, Does.Contain(bad.ReceivedParquet));
        Assert.That(File.Exists(good.VerifiedParquet), Is.False, "the good file of the same experiment was not accepted");
        Assert.That(File.Exists(good.ReceivedParquet), Is.True);
    }

    [Test]
    public void Verification_fails_when_the_verified_text_disagrees_with_its_parquet()
    {
        var root = At("bl");
        var tol = ToleranceSet.Exact;
        Assert.That(SnapshotStore.Verify(root, "p", "exp", "epochs", Epochs, tol, AcceptMode.New).Status, Is.EqualTo(VerifyStatus.Accepted));
        Assert.That(SnapshotStore.Verify(root, "p", "exp", "epochs", Epochs, tol, AcceptMode.None).Status, Is.EqualTo(VerifyStatus.Matched));
        var paths = new SnapshotPaths(Path.Combine(root, "p", "exp"), "epochs");
        File.WriteAllText(paths.VerifiedText, File.ReadAllText(paths.VerifiedText).Replace("0.9", "0.8"));
        var r = SnapshotStore.Verify(root, "p", "exp", "epochs", Epochs, tol, AcceptMode.None);
        Assert.That(r.Status, Is.EqualTo(VerifyStatus.Mismatch));
        Assert.That(r.Message, Does.Contain(paths.VerifiedText).And.Contain("does not match its Parquet"));
    }

    [Test]
    public void A_damaged_cache_entry_is_retrained_not_trusted()
    {
        var cache = new RunCache(At("cache"));
        var cfg = new TrainConfig { MaxSteps = 3, Epochs = 1 };
        var dir = cache.PathFor("exp", cfg);
        Assert.That(Train(dir).ExitCode, Is.EqualTo(0));
        var m = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")))!;
        Assume.That((string)m["config_hash"]!, Is.EqualTo(cfg.Hash));
        Assert.That(cache.Contains("exp", cfg), Is.True);
        var b = File.ReadAllBytes(Path.Combine(dir, "epochs.parquet"));
        for (int i = b.Length / 3; i < b.Length / 3 + 64; i++) b[i] ^= 0x5A;   // magic intact, body corrupt
        File.WriteAllBytes(Path.Combine(dir, "epochs.parquet"), b);
        Assert.That(cache.TryLoad("exp", cfg, out _, out var why), Is.False);
        Assert.That(why, Does.Contain("epochs.parquet"));
        using var data = MnistData.Load(Cli.DataDir);
        var run = cache.GetOrTrain("exp", cfg, data);
        Assert.That(run.Epochs, Has.Count.EqualTo(1));
        Assert.That(cache.Contains("exp", cfg), Is.True);
    }
}
