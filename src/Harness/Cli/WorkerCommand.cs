using MnistClaims.Claims;
using MnistClaims.Common;
using MnistClaims.Core.Training;

namespace MnistClaims.Harness.Cli;

/// <summary>
/// <c>harness worker</c>: what <c>reproduce</c>'s scheduler starts, a few at a time. Reads one run request per line on
/// stdin (<see cref="WorkerRequest"/>), trains it exactly as <c>harness train --overwrite</c> would, answers one line on
/// stdout (<see cref="WorkerReply"/>), and waits for the next; end of input ends it (exit 0). libtorch, MNIST and the
/// JIT's work are paid once per worker, not per run. After a failed run it answers with the error and exits 1, so the
/// next run starts in a fresh process that nothing of the failure can touch.
/// </summary>
public static class WorkerCommand
{
    static readonly Flag[] Flags =
    [
        new("scheduler", "PID", "the scheduler's process id: the worker stops when that process is gone"),
        new("data-dir", "DIR", "MNIST directory"),
    ];

    public static int Run(string[] argv)
    {
        var a = new Args("worker", Flags, argv);
        if (a.HelpRequested)
        {
            Console.Out.Write(Args.Help("harness worker [options]",
                "Trains the runs its scheduler (harness reproduce) sends on stdin, one JSON request per line; not meant to be run by hand.", Flags));
            return 0;
        }
        a.NoPositionals();
        if (a.Has("scheduler")) WatchScheduler(a.Int("scheduler", 0));
        using var data = MnistData.Load(a.String("data-dir"), msg => Console.Error.WriteLine(msg));
        while (Console.In.ReadLine() is { } line)
        {
            if (line.Length == 0) continue;
            string outDir = "";
            try
            {
                var request = WorkerRequest.Parse(line);
                outDir = request.OutDir;
                var cfg = request.Config();
                Devices.Resolve(cfg.Device);
                TrainCommand.TrainInto(Path.GetFullPath(outDir), cfg, overwrite: true, request.Experiment, data, progress: null);
            }
            catch (Exception e)
            {
                int code = Program.Classify(e) ?? Program.ExitBug;
                Console.Out.WriteLine(new WorkerReply(outDir, code == Program.ExitBug ? $"internal error: {e.GetType().Name}: {Program.OneLine(e)}" : Program.OneLine(e)).ToLine());
                return code;
            }
            Console.Out.WriteLine(new WorkerReply(outDir, null).ToLine());
        }
        return 0;
    }

    /// <summary>A worker whose scheduler died (even of kill -9, with no chance to stop it) stops too.</summary>
    static void WatchScheduler(int pid)
    {
        if (pid <= 0) throw new UsageException("--scheduler: expected a positive process id");
        var watcher = new Thread(() =>
        {
            while (ProcessRunner.IsAlive(pid)) Thread.Sleep(500);
            Console.Error.WriteLine($"harness worker: the scheduler (pid {pid}) is gone; stopping");
            Environment.Exit(Program.ExitInterrupted);
        }) { IsBackground = true, Name = "scheduler-watch" };
        watcher.Start();
    }
}
