using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MnistClaims.Harness.Runs;
using MnistClaims.Harness.Training;
using MnistClaims.Torch;
using Engines_ = MnistClaims.Harness.Engines;

namespace MnistClaims.Harness.Cli;

/// <summary>
/// <c>harness bench</c>: steps/s of 784-128-128-10 + Adam through the C# harness and through the plain
/// PyTorch script (tools/reference/train_reference.py) in the same run, their ratio, GFLOP/s against a
/// measured matrix-product peak, and resident memory after 1k and 100k steps (must stay flat).
/// Figures are printed (and written with --out), never asserted: speed is checked by reading them.
/// </summary>
public static class BenchCommand
{
    static readonly Flag[] Flags =
    [
        new("batches", "B,B,..", "batch sizes", "1,2,16,64,256"),
        new("steps", "N", "timed steps per measurement (after 20 warm-up steps)", "1000"),
        new("threads", "N", "libtorch intra-op threads for both", "1"),
        new("memory-steps", "N", "steps of the resident-memory check at batch 2 (0 = skip)", "100000"),
        new("python", "EXE", "python with torch", "/usr/bin/python3"),
        new("reference", "FILE", "the PyTorch reference script (default: tools/reference/train_reference.py)"),
        new("device", "DEV", "cpu or cuda", "cpu"),
        new("data-dir", "DIR", "MNIST directory"),
        new("out", "FILE", "also write the table as Markdown"),
    ];

    /// <summary>Engines besides the libtorch one: name -> steps/s.</summary>
    public static readonly List<(string Name, Func<TrainConfig, MnistData, int, double> StepsPerSecond)> Engines =
    [
        ("fused", (cfg, data, n) => Engines_.Fused.FusedBench.StepsPerSecond(cfg with { Engine = "fused" }, data, n)),
    ];

    public static int Run(string[] argv)
    {
        var a = new Args("bench", Flags, argv);
        if (a.HelpRequested) { Console.Out.Write(Args.Help("harness bench [options]", "Prints training throughput of the C# harness vs plain PyTorch, and memory flatness.", Flags)); return 0; }
        var batches = a.String("batches")!.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        int steps = a.Int("steps", 1000), threads = a.Int("threads", 1);
        var device = a.String("device")!;
        var dev = Devices.Resolve(device);
        var reference = a.String("reference") ?? Path.Combine(RepoPaths.RequireRoot(), "tools", "reference", "train_reference.py");
        using var data = MnistData.Load(a.String("data-dir"));
        var hw = HardwareInfo.Detect(device);
        var sb = new StringBuilder();
        void Line(string s) { Console.Out.WriteLine(s); sb.AppendLine(s); }

        torch.set_num_threads(threads);
        double peak = MatmulPeakGflops(dev);
        Line($"# bench: 784-128-128-10, Adam lr 1e-3, {steps} timed steps, {threads} thread(s), OPENBLAS_NUM_THREADS={Environment.GetEnvironmentVariable("OPENBLAS_NUM_THREADS") ?? "unset"}");
        Line($"{(hw.GpuName is null ? "" : $"{hw.GpuName} (driver {hw.GpuDriver}, CUDA {hw.CudaVersion}); ")}{hw.CpuModel}, {hw.LogicalCores} logical cores, libtorch {torch.version}, {hw.Blas}; float32 2048x2048 matmul peak on {device}: {peak:F1} GFLOP/s");
        Line("");
        var header = new List<string> { "batch", "PyTorch script steps/s", "C# libtorch steps/s", "C#/PyTorch" };
        header.AddRange(Engines.SelectMany(e => new[] { $"{e.Name} steps/s", $"{e.Name}/PyTorch", $"{e.Name} GFLOP/s" }));
        Line("| " + string.Join(" | ", header) + " |");
        Line("|" + string.Concat(Enumerable.Repeat("---|", header.Count)));
        foreach (var b in batches)
        {
            var cfg = new TrainConfig { Arch = "784-128-128-10", Optimizer = "adam", Lr = 1e-3, BatchSize = b, Epochs = 1000, Threads = threads, Device = device };
            // Stay inside the first epoch so neither side's number includes an evaluation pass.
            int n = (int)Math.Min(steps, (60000 + b - 1) / b - 25);
            double py = PythonStepsPerSecond(a.String("python")!, reference, cfg, n, data.Directory);
            double cs = LibtorchStepsPerSecond(cfg, data, n);
            var cells = new List<string> { b.ToString(CultureInfo.InvariantCulture), F(py), F(cs), $"{cs / py:F2}x" };
            foreach (var (_, sps) in dev.Type == DeviceType.CPU ? Engines : [])
            {
                double v = sps(cfg, data, n);
                cells.AddRange([F(v), $"{v / py:F2}x", $"{v * FlopsPerStep(cfg) / 1e9:F1}"]);
            }
            Line("| " + string.Join(" | ", cells) + " |");
        }
        int memSteps = a.Int("memory-steps", 100000);
        if (memSteps > 0)
        {
            var (rss1k, rssEnd) = ResidentMemory(data, memSteps, threads);
            Line("");
            Line($"resident memory, batch 2, libtorch engine: {rss1k / 1048576.0:F1} MiB after 1,000 steps, {rssEnd / 1048576.0:F1} MiB after {memSteps:N0} steps ({(rssEnd - rss1k) / 1048576.0:+0.0;-0.0} MiB)");
        }
        if (a.String("out") is { } path) Reporting.AtomicFile.WriteAllText(path, sb.ToString());
        return 0;
    }

    static string F(double x) => x.ToString("F0", CultureInfo.InvariantCulture);

    /// <summary>Training FLOPs per step: forward 2·params·B, backward twice that.</summary>
    public static double FlopsPerStep(TrainConfig cfg) => 6.0 * cfg.ModelSpec().ParameterCount * cfg.BatchSize;

    /// <summary>Times steps 21..20+n of a real training run through the observer's step callbacks.</summary>
    public static double LibtorchStepsPerSecond(TrainConfig cfg, MnistData data, int n)
    {
        var timer = new StepTimer(20, 20 + n);
        new Trainer(data).Run(cfg with { MaxSteps = 20 + n, Engine = "libtorch" }, timer);
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

    static double PythonStepsPerSecond(string python, string script, TrainConfig cfg, int n, string dataDir)
    {
        var cfgPath = Path.Combine(Path.GetTempPath(), $"bench-{Guid.NewGuid():N}.json");
        File.WriteAllText(cfgPath, cfg.ToCanonicalJson());
        try
        {
            var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
            // OpenBLAS keeps its own thread pool; pin it to the same count as libtorch's, as for the harness (Makefile).
            psi.Environment["OPENBLAS_NUM_THREADS"] = cfg.Threads.ToString(CultureInfo.InvariantCulture);
            foreach (var x in new[] { script, "--config", cfgPath, "--data-dir", dataDir, "--bench-steps", n.ToString(CultureInfo.InvariantCulture) })
                psi.ArgumentList.Add(x);
            using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {python}");
            var err = p.StandardError.ReadToEndAsync();
            var output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException($"{python} train_reference.py failed: {err.Result}");
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

    /// <summary>RSS (VmRSS) after 1k steps and after <paramref name="steps"/> steps of one long run at batch 2.</summary>
    static (long At1k, long AtEnd) ResidentMemory(MnistData data, int steps, int threads)
    {
        var probe = new RssProbe(1000, steps);
        new Trainer(data).Run(new TrainConfig { Arch = "784-128-128-10", BatchSize = 2, Epochs = 1000, MaxSteps = steps, Threads = threads, Engine = "libtorch" }, probe);
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
