using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MnistClaims.Core.Engines.Fused;
using MnistClaims.Core.Runs;
using MnistClaims.Core.Training;
using MnistClaims.Torch;

namespace MnistClaims.Harness.Cli;

/// <summary>
/// <c>harness bench</c>: steps/s of 784-128-128-10 + Adam on the fused engine, the libtorch engine and the plain
/// PyTorch script (tools/reference/train_reference.py) in the same run, for each thread budget; their ratios;
/// GFLOP/s against a measured matrix-product peak; and resident memory over a long run of each engine (it must
/// stay flat). Figures are printed (and written with --out), never asserted: speed is checked by reading them.
/// <para>
/// The comparison is like for like. Every side is timed over the same window of a fresh training run (steps
/// 21..20+N after seeding; Adam's state, and with it how many of its values are subnormal and slow, depends on
/// how far a run has trained). With a budget of T threads, each side may use T threads in all: the C# engines
/// run T threads, and the PyTorch script is credited with the faster of torch T x OpenBLAS 1 and torch 1 x
/// OpenBLAS T (torch T x OpenBLAS T oversubscribes the cores and is several times slower).
/// </para>
/// </summary>
public static class BenchCommand
{
    static readonly Flag[] Flags =
    [
        new("batches", "B,B,..", "batch sizes", "1,2,16,64,256"),
        new("threads", "T,T,..", "thread budgets: one table each (every side uses at most T threads)", "1,2"),
        new("steps", "N", "timed steps per measurement (steps 21..20+N of a fresh run)", "2000"),
        new("repeats", "R", "measurements per engine and batch size (after one untimed warm-up run); the median is shown", "3"),
        new("memory-steps", "N", "steps of the resident-memory check at batch 2, per engine (0 = skip)", "100000"),
        new("python", "EXE", "python with torch", "/usr/bin/python3"),
        new("reference", "FILE", "the PyTorch reference script (default: tools/reference/train_reference.py)"),
        new("device", "DEV", "cpu or cuda", "cpu"),
        new("data-dir", "DIR", "MNIST directory"),
        new("out", "FILE", "also write the tables as Markdown"),
    ];

    public static int Run(string[] argv)
    {
        var a = new Args("bench", Flags, argv);
        if (a.HelpRequested) { Console.Out.Write(Args.Help("harness bench [options]", "Prints training throughput of the fused and libtorch engines vs plain PyTorch, and memory flatness.", Flags)); return 0; }
        a.NoPositionals();
        var batches = a.PositiveInts("batches");
        var budgets = a.PositiveInts("threads");
        int steps = a.Int("steps", 2000), repeats = a.Int("repeats", 3);
        if (steps < 1) throw new UsageException($"--steps: expected a positive integer, got {steps}");
        if (repeats < 1) throw new UsageException($"--repeats: expected a positive integer, got {repeats}");
        int memSteps = a.Int("memory-steps", 100000);
        if (memSteps is < 0 or (> 0 and <= 1000)) throw new UsageException($"--memory-steps: expected 0 (skip) or more than 1000 (the first reading is at step 1,000), got {memSteps}");
        var device = a.String("device")!;
        var dev = Devices.Resolve(device);
        var reference = a.String("reference") ?? Path.Combine(RepoPaths.RequireRoot(), "tools", "reference", "train_reference.py");
        using var data = MnistData.Load(a.String("data-dir"));
        var hw = HardwareInfo.Detect(device);
        var sb = new StringBuilder();
        void Line(string s) { Console.Out.WriteLine(s); sb.AppendLine(s); }

        var engines = dev.Type == DeviceType.CPU ? new[] { "libtorch", FusedEngine.EngineName } : ["libtorch"];
        Line($"# bench: 784-128-128-10, Adam lr 1e-3; steps 21..{20 + steps} of a fresh run, median of {repeats}; OPENBLAS_NUM_THREADS={Environment.GetEnvironmentVariable("OPENBLAS_NUM_THREADS") ?? "unset"} in this process");
        Line($"{(hw.GpuName is null ? "" : $"{hw.GpuName} (driver {hw.GpuDriver}, CUDA {hw.CudaVersion}); ")}{hw.CpuModel}, {hw.LogicalCores} logical cores, libtorch {torch.version}, {hw.Blas}, fused kernels {Kernels.Isa}");
        var k = KernelChoice.Detect();
        Line($"kernel choice: ATen {k.AtenCapability}, BLAS core type {(k.BlasCore.Length > 0 ? k.BlasCore : "n/a (not OpenBLAS)")} ({string.Join(", ", k.Sources.Select(s => $"{s.Key} {s.Value}"))})");
        foreach (int threads in budgets)
        {
            torch.set_num_threads(threads);
            Line("");
            Line($"## {threads} thread(s); float32 2048x2048 matmul through libtorch on {device}: {MatmulPeakGflops(dev):F1} GFLOP/s");
            Line("");
            var header = new List<string> { "batch", "PyTorch script steps/s", "its threads (torch x BLAS)" };
            foreach (var e in engines) header.AddRange([$"{e} steps/s", $"{e}/PyTorch", $"{e} GFLOP/s"]);
            Line("| " + string.Join(" | ", header) + " |");
            Line("|" + string.Concat(Enumerable.Repeat("---|", header.Count)));
            foreach (var b in batches)
            {
                var cfg = new TrainConfig { Arch = "784-128-128-10", Optimizer = "adam", Lr = 1e-3, BatchSize = b, Epochs = 1000, Threads = threads, Device = device };
                // Stay inside the first epoch so no side's number includes an evaluation pass.
                int n = (int)Math.Max(1, Math.Min(steps, (60000 + b - 1) / b - 25));
                var (py, split) = PythonSplits(threads)
                    .Select(s => (Rate: PythonStepsPerSecond(a.String("python")!, reference, cfg, n, data.Directory, s.Torch, s.Blas), Split: $"{s.Torch} x {s.Blas}"))
                    .MaxBy(r => r.Rate);
                var cells = new List<string> { b.ToString(CultureInfo.InvariantCulture), F(py), split };
                foreach (var e in engines)
                {
                    double v = EngineStepsPerSecond(cfg with { Engine = e }, data, n, repeats);
                    cells.AddRange([F(v), $"{v / py:F2}x", $"{v * FlopsPerStep(cfg) / 1e9:F1}"]);
                }
                Line("| " + string.Join(" | ", cells) + " |");
            }
        }
        if (memSteps > 0)
        {
            Line("");
            foreach (var e in engines)
            {
                var (rss1k, rssEnd) = ResidentMemory(data, e, memSteps, budgets[0]);
                Line($"resident memory, batch 2, {e} engine, {budgets[0]} thread(s): {rss1k / 1048576.0:F1} MiB after 1,000 steps, {rssEnd / 1048576.0:F1} MiB after {memSteps:N0} steps ({(rssEnd - rss1k) / 1048576.0:+0.0;-0.0} MiB)");
            }
        }
        if (a.String("out") is { } path) MnistClaims.Common.AtomicFile.WriteAllText(path, sb.ToString());
        return 0;
    }

    static string F(double x) => x.ToString("F0", CultureInfo.InvariantCulture);

    /// <summary>Training FLOPs per step: forward 2·params·B, backward twice that.</summary>
    public static double FlopsPerStep(TrainConfig cfg) => 6.0 * cfg.ModelSpec().ParameterCount * cfg.BatchSize;

    /// <summary>The ways the PyTorch script may spend a budget of T threads: torch's intra-op threads x OpenBLAS's.</summary>
    static IEnumerable<(int Torch, int Blas)> PythonSplits(int threads) => threads == 1 ? [(1, 1)] : [(threads, 1), (1, threads)];

    /// <summary>
    /// Steps/s of <paramref name="cfg"/>'s engine over steps 21..20+n of a real training run (timed through the step
    /// observer, so batch gathering, the accuracy count and the step log are included, as in the script's loop): the
    /// median of <paramref name="repeats"/> fresh runs, after one untimed run of the same length that warms up the JIT
    /// (measured here: the first two-thread run of a process ran 1.5x slower than later ones for over 1,500 steps).
    /// </summary>
    public static double EngineStepsPerSecond(TrainConfig cfg, MnistData data, int n, int repeats)
    {
        TimeSteps(cfg, data, n);
        var rates = Enumerable.Range(0, repeats).Select(_ => TimeSteps(cfg, data, n)).Order().ToArray();
        return rates[rates.Length / 2];
    }

    static double TimeSteps(TrainConfig cfg, MnistData data, int n)
    {
        var timer = new StepTimer(20, 20 + n);
        new Trainer(data).Run(cfg with { MaxSteps = 20 + n }, timer);
        return n / timer.Elapsed.TotalSeconds;
    }

    sealed class StepTimer(long start, long end) : ITrainObserver
    {
        readonly Stopwatch _sw = new();
        public TimeSpan Elapsed => _sw.Elapsed;
        public void Step(long globalStep, int epoch, float loss)
        {
            if (globalStep == start) _sw.Restart();
            if (globalStep == end) _sw.Stop();
        }
    }

    static double PythonStepsPerSecond(string python, string script, TrainConfig cfg, int n, string dataDir, int torchThreads, int blasThreads)
    {
        var cfgPath = Path.Combine(Path.GetTempPath(), $"bench-{Guid.NewGuid():N}.json");
        File.WriteAllText(cfgPath, (cfg with { Threads = torchThreads }).ToCanonicalJson());
        try
        {
            var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.Environment["OPENBLAS_NUM_THREADS"] = blasThreads.ToString(CultureInfo.InvariantCulture);
            foreach (var x in new[] { script, "--config", cfgPath, "--data-dir", dataDir, "--bench-steps", n.ToString(CultureInfo.InvariantCulture) })
                psi.ArgumentList.Add(x);
            using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {python}");
            var err = p.StandardError.ReadToEndAsync();
            var output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException($"{python} {script} failed (exit {p.ExitCode}): {err.Result}");
            return JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement.GetProperty("steps_per_s").GetDouble();
        }
        finally { File.Delete(cfgPath); }
    }

    static double MatmulPeakGflops(Device device)
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.empty([2048, 2048]).uniform_(-1, 1).to(device);
        var y = torch.empty([2048, 2048]).uniform_(-1, 1).to(device);
        x.matmul(y).sum().ToSingle();
        int reps = device.Type == DeviceType.CUDA ? 50 : 5;
        var sw = Stopwatch.StartNew();
        Tensor? last = null;
        for (int i = 0; i < reps; i++) last = x.matmul(y);
        last!.sum().ToSingle();   // waits for the device
        return reps * 2.0 * 2048 * 2048 * 2048 / sw.Elapsed.TotalSeconds / 1e9;
    }

    /// <summary>RSS (VmRSS) after 1k steps and after <paramref name="steps"/> steps of one long run at batch 2 on <paramref name="engine"/>.</summary>
    static (long At1k, long AtEnd) ResidentMemory(MnistData data, string engine, int steps, int threads)
    {
        var probe = new RssProbe(1000, steps);
        new Trainer(data).Run(new TrainConfig { Arch = "784-128-128-10", BatchSize = 2, Epochs = 1000, MaxSteps = steps, Threads = threads, Engine = engine }, probe);
        return (probe.At1k, probe.AtEnd);
    }

    sealed class RssProbe(long first, long last) : ITrainObserver
    {
        public long At1k, AtEnd;
        public void Step(long globalStep, int epoch, float loss)
        {
            if (globalStep == first) At1k = Rss();
            if (globalStep == last) AtEnd = Rss();
        }
    }

    public static long Rss()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        return Environment.WorkingSet;
    }
}
