using MnistClaims.Common;

namespace MnistClaims.Tests.Unit.Common;

public class ProcessRunnerTests
{
    [Test]
    public void An_interactive_child_answers_line_by_line_and_ends_at_end_of_input()
    {
        // A shell loop that answers each line it reads: the conversation a training worker has with its scheduler.
        using var p = ProcessRunner.Start(new ProcessSpec("sh", ["-c", "while read l; do echo \"got $l\"; echo noise >&2; done; echo bye"]) { Interactive = true });
        Assert.That(p.WriteLine("one"), Is.True);
        Assert.That(ReadLine(p), Is.EqualTo("got one"));
        Assert.That(p.WriteLine("two"), Is.True);
        Assert.That(ReadLine(p), Is.EqualTo("got two"), "the second answer arrives while the child still runs");
        Assert.That(p.HasExited, Is.False);
        p.CloseInput();
        Assert.That(p.WaitForExit(TimeSpan.FromSeconds(10)), Is.True, "end of input ends it");
        var r = p.Result();
        Assert.That(r.ExitCode, Is.EqualTo(0));
        Assert.That(ReadLine(p), Is.EqualTo("bye"));
        Assert.That(r.StdErr, Is.EqualTo("noise\nnoise\n"));
    }

    [Test]
    public void An_interactive_child_keeps_only_the_tail_of_a_long_stderr()
    {
        // 200,000 lines of 11 bytes (2.2 MB) on stderr: the parent keeps the last 16 KB, so a worker's log cannot grow it.
        using var p = ProcessRunner.Start(new ProcessSpec("sh", ["-c", "i=0; while [ $i -lt 200000 ]; do echo line-$i; i=$((i+1)); done | sed 's/^/x/' >&2"]) { Interactive = true });
        p.CloseInput();
        Assert.That(p.WaitForExit(TimeSpan.FromSeconds(120)), Is.True);
        var err = p.Result().StdErr;
        Assert.That(err.Length, Is.LessThanOrEqualTo(16 * 1024));
        Assert.That(err, Does.EndWith("xline-199999\n"));
    }

    [Test]
    public void Writing_to_an_interactive_child_that_exited_is_false_not_an_exception()
    {
        using var p = ProcessRunner.Start(new ProcessSpec("sh", ["-c", "exit 3"]) { Interactive = true });
        Assert.That(p.WaitForExit(TimeSpan.FromSeconds(10)), Is.True);
        bool ok = true;
        for (int i = 0; i < 100 && ok; i++) ok = p.WriteLine(new string('x', 4096));   // the pipe's buffer fills, then breaks
        Assert.That(ok, Is.False);
        Assert.That(p.Result().ExitCode, Is.EqualTo(3));
    }

    [Test]
    public void A_batch_child_has_no_conversation()
    {
        using var p = ProcessRunner.Start(new ProcessSpec("true", []));
        Assert.Throws<InvalidOperationException>(() => p.WriteLine("x"));
        Assert.Throws<InvalidOperationException>(() => p.TryReadLine(out _));
    }

    static string? ReadLine(RunningProcess p)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < until)
        {
            if (p.TryReadLine(out var line)) return line;
            Thread.Sleep(10);
        }
        return null;
    }
}
