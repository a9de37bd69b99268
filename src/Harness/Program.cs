using MnistClaims.Harness.Cli;
using MnistClaims.Torch;

namespace MnistClaims.Harness;

public static class Program
{
    static readonly (string Name, string Summary, Func<string[], int> Run)[] Commands =
    [
        ("train", "train one configuration and write its run record", TrainCommand.Run),
        ("reproduce", "the main job: judge every claim with N seeds and write the verdict table", ReproduceCommand.Run),
        ("calibrate", "measure the verdict rule's error rates on known-right and known-wrong cases -> reports/calibration.{md,json}", CalibrateCommand.Run),
        ("report", "build reports/index.html and index.md: verdicts, curves, confusion matrices, misclassified digits", ReportCommand.Run),
        ("judge", "judge one claim, against its experiments or a variant (--set key=value), with the main job's rule", JudgeCommand.Run),
        ("claims", "list the claims registry (--json, --experiments)", ClaimsCommand.Run),
        ("accept", "accept reviewed received snapshots as verified baselines", AcceptCommand.Run),
        ("snapshot", "verify cached full-length runs against the baselines (writes received files)", SnapshotCommand.Run),
        ("diff", "compare two baseline profiles or run directories", DiffCommand.Run),
        ("bench", "training throughput vs the plain PyTorch script, and memory flatness", BenchCommand.Run),
        ("info", "show libtorch version, build config, threads, CUDA and the hardware profile", InfoCommand.Run),
    ];

    public static int Main(string[] argv)
    {
        if (argv.Length == 0 || argv[0] is "-h" or "--help" or "help")
        {
            Console.Out.WriteLine("usage: harness <command> [options]\n\nmnist-claims: published MNIST-MLP claims as seeded, reproducible regression tests.\n\ncommands:");
            foreach (var c in Commands) Console.Out.WriteLine($"  {c.Name,-10} {c.Summary}");
            Console.Out.WriteLine("\nRun `harness <command> --help` for its options.");
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
        catch (UsageException e) { Console.Error.WriteLine($"harness {cmd.Name}: {e.Message}"); return 2; }
        catch (Core.Training.ConfigException e) { Console.Error.WriteLine($"harness {cmd.Name}: {e.Message}"); return 2; }
        catch (TorchException e) { Console.Error.WriteLine($"harness {cmd.Name}: libtorch error: {e.Message}"); return 1; }
        catch (Exception e) when (e is IOException or InvalidDataException or DllNotFoundException or UnauthorizedAccessException or KeyNotFoundException or ArgumentException)
        {
            Console.Error.WriteLine($"harness {cmd.Name}: {e.Message}");
            return 1;
        }
    }
}
