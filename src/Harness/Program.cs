using MnistClaims.Harness.Cli;
using MnistClaims.Torch;

namespace MnistClaims.Harness;

public static class Program
{
    static readonly (string Name, string Summary, Func<string[], int> Run)[] Commands =
    [
        ("train", "train one configuration and write its run record", TrainCommand.Run),
        ("reproduce", "the main job: judge every claim with N seeds and write the verdict table", ReproduceCommand.Run),
        ("plan", "list a selection's run units and the shard each is trained in (reproduce --shard K/N)", PlanCommand.Run),
        ("merge", "merge run caches of shards or machines into one, verified; names missing shards", MergeCommand.Run),
        ("calibrate", "measure the verdict rule's error rates on known-right and known-wrong cases -> reports/calibration.{md,json}", CalibrateCommand.Run),
        ("report", "build reports/index.html and index.md: verdicts, curves, confusion matrices, misclassified digits", ReportCommand.Run),
        ("judge", "judge one claim, against its experiments or a variant (--set key=value), with the main job's rule", JudgeCommand.Run),
        ("claims", "list the claims registry (--json, --experiments)", ClaimsCommand.Run),
        ("accept", "accept reviewed received snapshots as verified baselines", AcceptCommand.Run),
        ("snapshot", "verify cached full-length runs against the baselines (writes received files)", SnapshotCommand.Run),
        ("diff", "compare two baseline profiles or run directories", DiffCommand.Run),
        ("bench", "training throughput vs the plain PyTorch script, and memory flatness", BenchCommand.Run),
        ("worker", "(started by reproduce) train the runs a scheduler sends on stdin, one after another", WorkerCommand.Run),
        ("info", "show libtorch version, build config, threads, CUDA and the hardware profile", InfoCommand.Run),
    ];

    public static int Main(string[] argv)
    {
        // `harness help <command>` is `harness <command> --help`.
        if (argv is ["help", var named] && Commands.Any(c => c.Name == named)) argv = [named, "--help"];
        if (argv.Length == 0 || argv[0] is "-h" or "--help" or "help")
        {
            // Without a command it is a usage error: the text goes to stderr, as every usage error's does.
            var w = argv.Length == 0 ? Console.Error : Console.Out;
            w.WriteLine("usage: harness <command> [options]\n\nmnist-claims: published MNIST-MLP claims as seeded, reproducible regression tests.\n\ncommands:");
            foreach (var c in Commands) w.WriteLine($"  {c.Name,-10} {c.Summary}");
            w.WriteLine("\nRun `harness <command> --help` for its options.");
            if (argv.Length == 0) Console.Error.WriteLine("harness: no command given; expected one of " + string.Join(", ", Commands.Select(c => c.Name)));
            return argv.Length == 0 ? 2 : 0;
        }
        var cmd = Commands.FirstOrDefault(c => c.Name == argv[0]);
        if (cmd.Run is null)
        {
            Console.Error.WriteLine($"harness: unknown command '{argv[0]}'; expected one of {string.Join(", ", Commands.Select(c => c.Name))}");
            return 2;
        }
        try
        {
            return cmd.Run(argv[1..]);
        }
        catch (Exception e) when (Classify(e) is { } code)
        {
            Console.Error.WriteLine($"harness {cmd.Name}: {OneLine(e)}");
            return code;
        }
        catch (Exception e)
        {
            // Not an expected failure: a bug. The one case that prints a stack trace.
            Console.Error.WriteLine($"harness {cmd.Name}: internal error (a bug, please report it): {e}");
            return ExitBug;
        }
    }

    /// <summary>Exit codes (README, "Exit codes"): 0 success, 1 a failure or a mismatch, 2 a usage error, 70 a bug, 130 interrupted.</summary>
    public const int ExitOk = 0, ExitFailure = 1, ExitUsage = 2, ExitBug = 70, ExitInterrupted = 130;

    /// <summary>
    /// The one error boundary: every expected failure (bad flags and configuration files, bad or damaged data, run
    /// records, baselines and received files, I/O and process failures) becomes one line and a documented exit code;
    /// null for anything else, which is a bug.
    /// </summary>
    internal static int? Classify(Exception e) => e switch
    {
        AggregateException { InnerExceptions.Count: 1 } ag => Classify(ag.InnerException!),
        OperationCanceledException => ExitInterrupted,
        UsageException or Core.Training.ConfigException => ExitUsage,
        TorchException or Storage.Parquet.ParquetFormatException or Snapshots.SnapshotMismatchException => ExitFailure,
        IOException or InvalidDataException or DllNotFoundException or UnauthorizedAccessException or KeyNotFoundException
            or ArgumentException or System.Text.Json.JsonException => ExitFailure,
        _ => null,
    };

    internal static string OneLine(Exception e)
    {
        if (e is AggregateException { InnerExceptions.Count: 1 } ag) return OneLine(ag.InnerException!);
        var msg = e is TorchException ? $"libtorch error: {e.Message}" : e is OperationCanceledException ? "interrupted" : e.Message;
        return string.Join(" ", msg.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
