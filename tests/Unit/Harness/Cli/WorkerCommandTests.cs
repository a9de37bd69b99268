using MnistClaims.Claims;
using MnistClaims.Common;
using MnistClaims.Core.Runs;
using MnistClaims.Core.Training;
using HarnessCli = MnistClaims.Tests.Unit.Harness.Cli.BadInput.Cli;

namespace MnistClaims.Tests.Unit.Harness.Cli;

/// <summary><c>harness worker</c>: many runs in one process, each with exactly the bits of a fresh <c>harness train</c>.</summary>
[Category("Integration"), NonParallelizable]   // trains on the MNIST files
public class WorkerCommandTests
{
    string _root = "";

    [SetUp] public void Make() { _root = Path.Combine(Path.GetTempPath(), $"worker-{Guid.NewGuid():N}"); Directory.CreateDirectory(_root); }
    [TearDown] public void Clean() => AtomicFile.TryDelete(_root);

    // Short runs that still touch every source of state a process could carry from one run to the next: libtorch's
    // default generator (initial weights, dropout masks), the data-order generator, a validation split, the cached
    // normalised tensors (two normalisations), both optimizers, both engines.
    static readonly TrainConfig[] Configs =
    [
        new() { Arch = "784-32-10", Optimizer = "adam", Lr = 0.01, BatchSize = 16, Epochs = 2, MaxSteps = 40, Seed = 3, Dropout = 0.2, ValFraction = 0.1 },
        new() { Arch = "784-24-16-10", Optimizer = "sgd", Lr = 0.05, Momentum = 0.9, BatchSize = 8, Epochs = 1, MaxSteps = 60, Seed = 5, Normalize = "mnist" },
        new() { Arch = "784-32-10", Optimizer = "adam", Lr = 0.01, BatchSize = 16, Epochs = 2, MaxSteps = 40, Seed = 3, Dropout = 0.2, ValFraction = 0.1, Engine = "libtorch" },
    ];

    [Test]
    public void A_workers_later_runs_have_the_bits_of_fresh_processes()
    {
        using var worker = ProcessRunner.Start(HarnessCli.Spec(_root, "worker") with { Interactive = true });
        for (int i = 0; i < Configs.Length; i++)
        {
            var out_ = Path.Combine(_root, $"w{i}");
            Assert.That(worker.WriteLine(new WorkerRequest(out_, "test", Configs[i].ToCanonicalJson()).ToLine()), Is.True);
            var reply = WorkerReply.TryParse(ReadLine(worker) ?? "");
            Assert.That(reply, Is.Not.Null, "a reply line");
            Assert.That(reply!.Error, Is.Null);
            Assert.That(reply.OutDir, Is.EqualTo(out_));
        }
        worker.CloseInput();
        Assert.That(worker.WaitForExit(TimeSpan.FromSeconds(30)), Is.True, "end of input ends the worker");
        Assert.That(worker.Result().ExitCode, Is.EqualTo(0), worker.Result().Tail());

        for (int i = 0; i < Configs.Length; i++)
        {
            var cfgFile = Path.Combine(_root, $"c{i}.json");
            File.WriteAllText(cfgFile, Configs[i].ToCanonicalJson());
            var r = HarnessCli.Run(_root, "train", "--config", cfgFile, "--out", Path.Combine(_root, $"t{i}"));
            Assert.That(r.ExitCode, Is.EqualTo(0), r.Tail());
            AssertSameValues(Path.Combine(_root, $"w{i}"), Path.Combine(_root, $"t{i}"));
        }
    }

    [Test]
    public void A_failed_request_is_answered_with_its_error_and_ends_the_worker()
    {
        using var worker = ProcessRunner.Start(HarnessCli.Spec(_root, "worker") with { Interactive = true });
        var notARun = Path.Combine(_root, "user-files");
        Directory.CreateDirectory(notARun);
        File.WriteAllText(Path.Combine(notARun, "keep.txt"), "mine");
        worker.WriteLine(new WorkerRequest(notARun, "test", Configs[0].ToCanonicalJson()).ToLine());
        var reply = WorkerReply.TryParse(ReadLine(worker) ?? "");
        Assert.That(reply?.Error, Does.Contain(notARun), "the error names the directory it refused");
        Assert.That(worker.WaitForExit(TimeSpan.FromSeconds(30)), Is.True, "a worker stops after a failed run");
        Assert.That(worker.Result().ExitCode, Is.EqualTo(2));
        Assert.That(File.ReadAllText(Path.Combine(notARun, "keep.txt")), Is.EqualTo("mine"), "nothing of the user's replaced");

        using var w2 = ProcessRunner.Start(HarnessCli.Spec(_root, "worker") with { Interactive = true });
        w2.WriteLine("{not json");
        Assert.That(WorkerReply.TryParse(ReadLine(w2) ?? "")?.Error, Does.Contain("worker request"));
        Assert.That(w2.WaitForExit(TimeSpan.FromSeconds(30)), Is.True);
        Assert.That(w2.Result().ExitCode, Is.EqualTo(1));
    }

    /// <summary>Every table of two run directories holds the same values, bit for bit, but for wall-clock columns.</summary>
    static void AssertSameValues(string a, string b)
    {
        Assert.That(RunStore.TryReadAll(a, out var ra, out var why), Is.True, why);
        Assert.That(RunStore.TryReadAll(b, out var rb, out why), Is.True, why);
        Assert.That(ra!.Manifest.ConfigHash, Is.EqualTo(rb!.Manifest.ConfigHash));
        foreach (var name in new[] { RunTables.Steps, RunTables.Epochs, RunTables.Classes, RunTables.Misses })
        {
            var (ta, tb) = (ra.Table(name), rb.Table(name));
            Assert.That(ta.Columns.Select(c => c.Name), Is.EqualTo(tb.Columns.Select(c => c.Name)), name);
            Assert.That(ta.RowCount, Is.EqualTo(tb.RowCount), name);
            foreach (var col in ta.Columns.Where(c => !c.Name.EndsWith("seconds", StringComparison.Ordinal)))
                for (int i = 0; i < ta.RowCount; i++)
                    Assert.That(BitsOf(col.GetValue(i)), Is.EqualTo(BitsOf(tb[col.Name].GetValue(i))), $"{name}.{col.Name}[{i}]");
        }
    }

    static object? BitsOf(object? v) => v switch
    {
        float f => BitConverter.SingleToInt32Bits(f),
        double d => BitConverter.DoubleToInt64Bits(d),
        _ => v,
    };

    static string? ReadLine(RunningProcess p)
    {
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (DateTime.UtcNow < until && !(p.HasExited && p.StdOut.IsCompleted))
        {
            if (p.TryReadLine(out var line)) return line;
            Thread.Sleep(20);
        }
        return p.TryReadLine(out var last) ? last : null;
    }
}
