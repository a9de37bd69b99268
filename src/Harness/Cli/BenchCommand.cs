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
        new("deep-start", "S", "deep-run rows: steps S+1..S+N of the same batch-2 run beside steps 21..20+N, N = --deep-steps (0 = skip)", "20000"),
        new("deep-steps", "N", "timed steps per window of the deep-run rows", "2000"),
        new("ftz", "on|off", "the flush-to-zero diagnosis: the fused deep run again in a separate process whose MXCSR has FTZ|DAZ set (tools/ftz, LD_PRELOAD); it changes results, so no real run ever uses it", "on"),
        new("tiny-path", "auto|plain|vanishing|exact", "how the fused engine's update treats tiny optimizer state: auto = as its start-up probes choose for this CPU; the others force one path (same bits on every path: for timing what each costs or saves)", "auto"),
        new("deep-only", null, "(used by the FTZ diagnosis) print only the fused engine's deep-run figures, as one JSON line"),
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
        int deepStart = a.Int("deep-start", 20000), deepSteps = a.Int("deep-steps", 2000);
        if (deepSteps < 1) throw new UsageException($"--deep-steps: expected a positive integer, got {deepSteps}");
        if (deepStart != 0 && (deepStart < 20 + deepSteps || deepStart + deepSteps > DeepRunStepsPerEpoch))
            throw new UsageException($"--deep-start: expected 0 (skip) or a start from {20 + deepSteps} (after the early window) to {DeepRunStepsPerEpoch - deepSteps} (the windows stay inside the first epoch, {DeepRunStepsPerEpoch:N0} steps at batch 2, so no evaluation is timed), got {deepStart}");
        var ftz = a.String("ftz") switch { "on" => true, "off" => false, var v => throw new UsageException($"--ftz: expected on or off, got '{v}'") };
        var tinyPath = a.String("tiny-path")!;
        Tiny.Path = tinyPath switch
        {
            "auto" => Tiny.Path, "plain" => TinyPath.Plain, "vanishing" => TinyPath.Vanishing, "exact" => TinyPath.Exact,
            _ => throw new UsageException($"--tiny-path: expected auto, plain, vanishing or exact, got '{tinyPath}'"),
        };
        var device = a.String("device")!;
        var dev = Devices.Resolve(device);
        var reference = a.String("reference") ?? Path.Combine(RepoPaths.RequireRoot(), "tools", "reference", "train_reference.py");
        using var data = MnistData.Load(a.String("data-dir"));
        if (a.Switch("deep-only"))
        {
            Console.Out.WriteLine(DeepOnlyJson(data, budgets, deepStart, deepSteps, repeats));
            return 0;
        }
        var hw = HardwareInfo.Detect(device);
        var sb = new StringBuilder();
        void Line(string s) { Console.Out.WriteLine(s); sb.AppendLine(s); }

        var engines = dev.Type == DeviceType.CPU ? new[] { "libtorch", FusedEngine.EngineName } : ["libtorch"];
        Line($"# bench: 784-128-128-10, Adam lr 1e-3; steps 21..{20 + steps} of a fresh run, median of {repeats}; OPENBLAS_NUM_THREADS={Environment.GetEnvironmentVariable("OPENBLAS_NUM_THREADS") ?? "unset"} in this process");
        Line($"{(hw.GpuName is null ? "" : $"{hw.GpuName} (driver {hw.GpuDriver}, CUDA {hw.CudaVersion}); ")}{hw.CpuModel}, {hw.LogicalCores} logical cores, libtorch {torch.version}, {hw.Blas}, fused kernels {Kernels.Isa}");
        var k = KernelChoice.Detect();
        Line($"kernel choice: ATen {k.AtenCapability}, BLAS core type {(k.BlasCore.Length > 0 ? k.BlasCore : "n/a (not OpenBLAS)")} ({string.Join(", ", k.Sources.Select(s => $"{s.Key} {s.Value}"))})");
        var (normalNs, subnormalNs) = SubnormalPenalty.MultiplyPassNs();
        Line($"subnormal penalty of this CPU: a float32 multiply pass over {SubnormalPenalty.Elements:N0} elements takes {normalNs:F3} ns/element with normal operands, {subnormalNs:F3} ns/element with subnormal ones ({subnormalNs / normalNs:F2}x)");
        var (divide, sqrt, decayDivide) = SubnormalPenalty.DivideRatios();
        Line($"subnormal operands in a divide pass (x / 0.7f): {divide:F2}x the normal pass's time; in a square-root pass: {sqrt:F2}x; in a decay-and-divide pass (x * 0.9f / 0.7f): {decayDivide:F2}x (Adam's update decays, divides and takes square roots of its moments)");
        Line($"the fused engine's tiny-state path: {TinyPathText(Tiny.Path)} ({(tinyPath == "auto" ? $"chosen by its start-up probes: exact where a subnormal multiply pass is over {Tiny.SlowMultiplyRatio}x slower, else vanishing where a decay-and-divide pass is over {Tiny.SlowDecayDivideRatio}x" : "forced by --tiny-path")})");
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
        if (deepStart > 0 && dev.Type == DeviceType.CPU) DeepRunRows(Line, data, budgets, deepStart, deepSteps, repeats, ftz, a.String("python")!, reference);
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

    static double TimeSteps(TrainConfig cfg, MnistData data, int n) => TimeWindows(cfg, data, [20], n)[0];

    /// <summary>Steps/s over steps s+1..s+n of one fresh run of <paramref name="cfg"/>, for each start s (ascending, n apart or more).</summary>
    static double[] TimeWindows(TrainConfig cfg, MnistData data, long[] starts, int n)
    {
        var timer = new WindowTimer(starts, n);
        new Trainer(data).Run(cfg with { MaxSteps = starts[^1] + n }, timer);
        return timer.Seconds.Select(s => n / s).ToArray();
    }

    /// <summary>Times windows of a run through the step observer: from the end of step s to the end of step s+n.</summary>
    sealed class WindowTimer(long[] starts, int n) : ITrainObserver
    {
        readonly Stopwatch _sw = new();
        int _next;
        public readonly double[] Seconds = new double[starts.Length];

        public void Step(long globalStep, int epoch, float loss)
        {
            if (_next >= starts.Length) return;
            if (globalStep == starts[_next] + n) Seconds[_next++] = _sw.Elapsed.TotalSeconds;
            if (_next < starts.Length && globalStep == starts[_next]) _sw.Restart();
        }
    }

    // ------------------------------------------------------------------ deep run
    /// <summary>Steps in the first epoch at batch 2 (60,000 training images): the deep-run windows stay inside it.</summary>
    const int DeepRunStepsPerEpoch = 30000;

    static TrainConfig DeepRunConfig(int threads) =>
        new() { Arch = "784-128-128-10", Optimizer = "adam", Lr = 1e-3, BatchSize = 2, Epochs = 1, Threads = threads };

    /// <summary>
    /// Early and deep steps/s of the batch-2 run on <paramref name="engine"/>: medians of <paramref name="repeats"/>
    /// fresh runs, after one untimed run of the early window only (JIT warm-up).
    /// </summary>
    static (double Early, double Deep) EngineDeepRates(string engine, int threads, MnistData data, int deepStart, int n, int repeats)
    {
        var cfg = DeepRunConfig(threads) with { Engine = engine };
        TimeSteps(cfg, data, n);
        var runs = Enumerable.Range(0, repeats).Select(_ => TimeWindows(cfg, data, [20, deepStart], n)).ToArray();
        return (Median(runs.Select(r => r[0])), Median(runs.Select(r => r[1])));
    }

    static string TinyPathText(TinyPath p) => p switch
    {
        TinyPath.Exact => "exact (grid decay, no subnormal hardware operation on the hot path)",
        TinyPath.Vanishing => "vanishing (updates too small to move a parameter zeroed before the multiply and divide, exp_avg decayed by an FMA)",
        _ => "plain (hardware operations throughout)",
    };

    static double Median(IEnumerable<double> xs) { var a = xs.Order().ToArray(); return a[a.Length / 2]; }

    /// <summary>
    /// The deep-run rows: a batch-2 Adam run timed over steps 21..20+N and deepStart+1..deepStart+N, for the PyTorch
    /// script, both engines, and the fused engine under the flush-to-zero diagnosis (a separate process).
    /// </summary>
    static void DeepRunRows(Action<string> line, MnistData data, int[] budgets, int deepStart, int n, int repeats, bool ftz, string python, string reference)
    {
        string early = $"steps 21..{20 + n}", deep = $"steps {deepStart + 1}..{deepStart + n}";
        line("");
        line($"## deep run: batch 2, steps/s over {early} and {deep} of the same run (median of {repeats})");
        line("");
        line($"| threads | side | {early} | {deep} | deep/early |");
        line("|---|---|---|---|---|");
        var fused = new Dictionary<int, (double Early, double Deep)>();
        void Row(int t, string side, (double Early, double Deep) r) => line($"| {t} | {side} | {F(r.Early)} | {F(r.Deep)} | {r.Deep / r.Early:F2} |");
        foreach (int t in budgets)
        {
            torch.set_num_threads(t);
            var py = Enumerable.Range(0, repeats).Select(_ => PythonWindows(python, reference, DeepRunConfig(t), n, [20, deepStart], data.Directory, t, 1)).ToArray();
            Row(t, $"PyTorch script ({t} x 1)", (Median(py.Select(r => r[0])), Median(py.Select(r => r[1]))));
            Row(t, "libtorch", EngineDeepRates("libtorch", t, data, deepStart, n, repeats));
            Row(t, "fused", fused[t] = EngineDeepRates(FusedEngine.EngineName, t, data, deepStart, n, repeats));
        }
        if (!ftz) return;
        var (diagnosis, how) = FtzDiagnosis.Run(budgets, deepStart, n, repeats, data.Directory);
        if (diagnosis is null) { line(""); line($"flush-to-zero diagnosis skipped: {how}"); return; }
        foreach (var (t, r) in diagnosis) Row(t, "fused, FTZ+DAZ diagnosis", r);
        line("");
        line("fused deep window under flush-to-zero / as run: "
             + string.Join(", ", diagnosis.Where(d => fused.ContainsKey(d.Key)).Select(d => $"{d.Value.Deep / fused[d.Key].Deep:F2}x at {d.Key} thread(s)"))
             + $" ({how}; flush-to-zero changes results: a measurement only, no real run ever sets it)");
    }

    /// <summary>What the FTZ diagnosis child prints: the fused engine's early and deep rates per thread budget, and its MXCSR.</summary>
    static string DeepOnlyJson(MnistData data, int[] budgets, int deepStart, int n, int repeats)
    {
        var rates = budgets.Select(t =>
        {
            torch.set_num_threads(t);
            var (early, deep) = EngineDeepRates(FusedEngine.EngineName, t, data, deepStart, n, repeats);
            return new FtzDiagnosis.Rates(t, early, deep);
        }).ToArray();
        return JsonSerializer.Serialize(new FtzDiagnosis.ChildOutput(FtzDiagnosis.Mxcsr(), rates));
    }

    static double PythonStepsPerSecond(string python, string script, TrainConfig cfg, int n, string dataDir, int torchThreads, int blasThreads) =>
        PythonWindows(python, script, cfg, n, [20], dataDir, torchThreads, blasThreads)[0];

    /// <summary>The PyTorch script's steps/s over steps s+1..s+n of one run, for each start s.</summary>
    static double[] PythonWindows(string python, string script, TrainConfig cfg, int n, long[] starts, string dataDir, int torchThreads, int blasThreads)
    {
        var cfgPath = Path.Combine(Path.GetTempPath(), $"bench-{Guid.NewGuid():N}.json");
        File.WriteAllText(cfgPath, (cfg with { Threads = torchThreads }).ToCanonicalJson());
        try
        {
            var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.Environment["OPENBLAS_NUM_THREADS"] = blasThreads.ToString(CultureInfo.InvariantCulture);
            foreach (var x in new[] { script, "--config", cfgPath, "--data-dir", dataDir, "--bench-steps", n.ToString(CultureInfo.InvariantCulture),
                                      "--bench-starts", string.Join(",", starts.Select(s => s.ToString(CultureInfo.InvariantCulture))) })
                psi.ArgumentList.Add(x);
            using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {python}");
            var err = p.StandardError.ReadToEndAsync();
            var output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException($"{python} {script} failed (exit {p.ExitCode}): {err.Result}");
            var json = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;
            return json.GetProperty("windows_steps_per_s").EnumerateArray().Select(e => e.GetDouble()).ToArray();
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
