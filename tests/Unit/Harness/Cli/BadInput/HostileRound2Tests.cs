using MnistClaims.Common;
using MnistClaims.Core.Runs;

namespace MnistClaims.Tests.Unit.Harness.Cli.BadInput;

/// <summary>
/// The second hostile round's defects that are not a plain bad argument (docs/hostile-round-2.md): symbolic links, a
/// full disk, an unwritable TMPDIR, an interrupted report, `harness help &lt;command&gt;`. Each failed before its fix.
/// </summary>
[Category("BadInput"), Category("Integration"), NonParallelizable]   // trains on the MNIST files
public sealed class HostileRound2Tests
{
    string _root = "";
    static readonly string[] Tiny = ["--max-steps", "3", "--epochs", "1"];

    [SetUp] public void Make() { _root = Path.Combine(Path.GetTempPath(), $"hostile2-{Guid.NewGuid():N}"); Directory.CreateDirectory(_root); }
    [TearDown] public void Clean() => AtomicFile.TryDelete(_root);

    string At(params string[] p) => Path.Combine([_root, .. p]);

    static ProcessSpec With(ProcessSpec spec, string name, string? value) =>
        spec with { Environment = new Dictionary<string, string?>(spec.Environment!) { [name] = value } };

    [Test]
    public void Help_with_a_command_prints_that_commands_help()
    {
        var r = Cli.Run(_root, "help", "train");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Tail());
        Assert.That(r.StdOut, Does.Contain("usage: harness train").And.Contain("--max-steps"));
    }

    [Test]
    public void An_out_that_is_a_symbolic_link_to_a_directory_is_written_through_not_replaced()
    {
        Directory.CreateDirectory(At("real"));
        Directory.CreateSymbolicLink(At("link"), At("real"));
        var r = Cli.Run(_root, ["train", .. Tiny, "--out", At("link")]);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Tail());
        Assert.That(new DirectoryInfo(At("link")).LinkTarget, Is.Not.Null, "the link is still a link");
        Assert.That(RunStore.TryReadAll(At("real"), out _, out var why), Is.True, "the run is in the link's target: " + why);
        Assert.That(Directory.GetFileSystemEntries(_root).Select(Path.GetFileName).Where(n => n!.StartsWith('.')), Is.Empty, "no lock or temp left");
    }

    [Test]
    public void A_full_disk_fails_in_one_line_naming_the_run_and_leaves_no_lock_or_temp_file()
    {
        var fs = At("small");
        Directory.CreateDirectory(fs);
        var mount = ProcessRunner.Run("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", fs], TimeSpan.FromSeconds(10));
        Assume.That(mount.ExitCode, Is.EqualTo(0), "needs permission to mount a small tmpfs: " + mount.Tail());
        try
        {
            // Nearly full: the lock file fits, the run does not.
            File.WriteAllBytes(Path.Combine(fs, "fill"), new byte[1008 * 1024]);
            var r = Cli.Run(_root, ["train", .. Tiny, "--out", Path.Combine(fs, "run")]);
            Assert.That(r.ExitCode, Is.EqualTo(1), r.Tail());
            Cli.AssertOneLineError(r);
            Assert.That(r.StdErr, Does.Contain(Path.Combine(fs, "run") + ": cannot write the run").And.Contain("No space left"));
            Assert.That(Directory.GetFileSystemEntries(fs).Select(Path.GetFileName), Is.EqualTo(new[] { "fill" }), "no lock file, no staging directory");
            // Full: not even the lock file fits; the empty file its creation left is removed too.
            File.WriteAllBytes(Path.Combine(fs, "fill2"), new byte[16 * 1024]);
            r = Cli.Run(_root, ["train", .. Tiny, "--out", Path.Combine(fs, "run")]);
            Assert.That(r.ExitCode, Is.EqualTo(1), r.Tail());
            Cli.AssertOneLineError(r);
            Assert.That(r.StdErr, Does.Contain("not writable").And.Contain("No space left"));
            Assert.That(Directory.GetFileSystemEntries(fs).Select(Path.GetFileName).Order(), Is.EqualTo(new[] { "fill", "fill2" }), "no lock file left");
        }
        finally { ProcessRunner.Run("umount", [fs], TimeSpan.FromSeconds(10)); }
    }

    /// <summary>
    /// Round 2 found judge failing late, with a message naming neither, when TMPDIR was a file: its scheduler wrote each
    /// worker's configuration there. Workers now get their runs over stdin (WorkerRequest), so nothing of a run passes
    /// through the temp directory and an unusable TMPDIR does not stop training at all.
    /// </summary>
    [Test]
    public void An_unwritable_TMPDIR_does_not_stop_training_because_workers_take_no_temp_files()
    {
        File.WriteAllText(At("tmpfile"), "x");
        var claim = MnistClaims.Claims.Registry.Claims.First(c => c.Id == "002-width-32-val-acc").Id;
        var spec = With(Cli.Spec(_root, "judge", claim, "--seeds", "4", "--jobs", "1", "--set", "max_steps=3"), "TMPDIR", At("tmpfile"));
        var r = ProcessRunner.Run(spec, TimeSpan.FromMinutes(3));
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Tail());
        Assert.That(Directory.GetFiles(At("cache"), "manifest.json", SearchOption.AllDirectories), Has.Length.EqualTo(4), "four runs trained");
        Assert.That(File.ReadAllText(At("tmpfile")), Is.EqualTo("x"));
    }

    [Test]
    public void A_report_killed_while_publishing_leaves_the_old_report_and_the_next_report_recovers()
    {
        var out_ = At("rep");
        var first = Cli.Run(_root, "report", "--documents", "000", "--out", out_);
        Assert.That(first.ExitCode, Is.EqualTo(0), first.Tail());
        var images = Cli.Tree(Path.Combine(out_, "img"));
        var killed = ProcessRunner.Run(With(Cli.Spec(_root, "report", "--documents", "000", "--out", out_), FaultInjection.EnvVar, "report-staged"), TimeSpan.FromMinutes(3));
        Assert.That(killed.ExitCode, Is.EqualTo(137), "killed with the new img/ staged: " + killed.Tail());
        Assert.That(Cli.Tree(Path.Combine(out_, "img")), Is.EqualTo(images), "the published images are the old ones, complete");
        var next = Cli.Run(_root, "report", "--documents", "000", "--out", out_);
        Assert.That(next.ExitCode, Is.EqualTo(0), next.Tail());
        Assert.That(next.StdErr, Does.Contain("recovered: ").And.Contain("rolled back"));
        Assert.That(Directory.GetFileSystemEntries(out_).Select(Path.GetFileName).Where(n => n!.StartsWith('.')), Is.Empty, "nothing hidden left in the report directory");
    }
}
