using System.Diagnostics;
using System.Globalization;
using MnistClaims.Harness.Training;

namespace MnistClaims.Harness.Claims;

/// <summary>One (experiment, seed) run still to train.</summary>
public sealed record RunJob(Experiment Experiment, TrainConfig Config, string OutDir)
{
    /// <summary>
    /// Relative cost for ETA and ordering: steps x (per-step overhead + FLOPs per step) + evaluation FLOPs.
    /// Measured on a 2-core EPYC with libtorch 1.13: ~0.35 ms fixed per step and ~55 GFLOP/s, so the
    /// overhead is worth about 2e7 FLOPs.
    /// </summary>
    public double Cost
    {
        get
        {
            long steps = Config.MaxSteps > 0 ? Config.MaxSteps : Experiment.TotalSteps;
            double flops = Config.ModelSpec().ForwardFlopsPerSample() * 3.0 * Config.BatchSize;
            return steps * (2e7 + flops) + Config.Epochs * 70000 * Config.ModelSpec().ForwardFlopsPerSample();
        }
    }
}

/// <summary>
/// Trains jobs in separate worker processes (<c>harness train --config ... --out ...</c>), a few at a
/// time. Separate processes because libtorch's default generator is process-global: two models trained
/// on two threads of one process would interleave their random draws and lose determinism.
/// </summary>
public sealed class Scheduler(int jobs, string? dataDir, TextWriter log)
{
    public void Run(IReadOnlyList<RunJob> work, CancellationToken cancel = default)
    {
        if (work.Count == 0) return;
        var queue = new Queue<RunJob>(work.OrderByDescending(j => j.Cost));
        double total = work.Sum(j => j.Cost), done = 0;
        var clock = Stopwatch.StartNew();
        var running = new List<(RunJob Job, Process Proc, Task<string> Err)>();
        var failures = new List<string>();
        int finished = 0;
        log.WriteLine($"training {work.Count} run(s) in {Math.Min(jobs, work.Count)} worker process(es)");
        while (queue.Count > 0 || running.Count > 0)
        {
            cancel.ThrowIfCancellationRequested();
            while (running.Count < jobs && queue.Count > 0)
            {
                var job = queue.Dequeue();
                running.Add((job, Start(job, out var err), err));
            }
            Thread.Sleep(200);
            foreach (var r in running.Where(r => r.Proc.HasExited).ToList())
            {
                running.Remove(r);
                finished++; done += r.Job.Cost;
                if (r.Proc.ExitCode != 0)
                    failures.Add($"{r.Job.Experiment.Id} seed {r.Job.Config.Seed}: exit {r.Proc.ExitCode}: {r.Err.Result.Trim()}");
                var elapsed = clock.Elapsed;
                var eta = done > 0 ? TimeSpan.FromSeconds(elapsed.TotalSeconds * (total - done) / done) : TimeSpan.Zero;
                log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  [{finished}/{work.Count}] {r.Job.Experiment.Id} seed {r.Job.Config.Seed} {(r.Proc.ExitCode == 0 ? "done" : "FAILED")}  elapsed {elapsed:hh\\:mm\\:ss}  ETA {eta:hh\\:mm\\:ss}"));
                r.Proc.Dispose();
            }
        }
        if (failures.Count > 0) throw new InvalidOperationException("training failed:\n  " + string.Join("\n  ", failures));
    }

    Process Start(RunJob job, out Task<string> stderr)
    {
        var cfgPath = Path.Combine(Path.GetTempPath(), $"mnist-claims-{Guid.NewGuid():N}.json");
        File.WriteAllText(cfgPath, job.Config.ToCanonicalJson());
        var (exe, prefix) = SelfCommand();
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in prefix) psi.ArgumentList.Add(a);
        foreach (var a in new[] { "train", "--config", cfgPath, "--out", job.OutDir, "--overwrite", "--experiment", job.Experiment.Id })
            psi.ArgumentList.Add(a);
        if (dataDir is not null) { psi.ArgumentList.Add("--data-dir"); psi.ArgumentList.Add(dataDir); }
        var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {exe}");
        _ = p.StandardOutput.ReadToEndAsync();
        stderr = p.StandardError.ReadToEndAsync();
        p.EnableRaisingEvents = true;
        p.Exited += (_, _) => { try { File.Delete(cfgPath); } catch (IOException) { } };
        return p;
    }

    /// <summary>
    /// How to start the harness again: its own apphost when it is the running program, otherwise
    /// (under dotnet, or a test host) <c>dotnet harness.dll</c>.
    /// </summary>
    internal static (string Exe, string[] Prefix) SelfCommand()
    {
        var exe = Environment.ProcessPath ?? "dotnet";
        bool harnessIsEntry = System.Reflection.Assembly.GetEntryAssembly() == typeof(Scheduler).Assembly;
        if (harnessIsEntry && Path.GetFileNameWithoutExtension(exe) != "dotnet") return (exe, []);
        var dotnet = Path.GetFileNameWithoutExtension(exe) == "dotnet" ? exe : "dotnet";
        return (dotnet, [typeof(Scheduler).Assembly.Location]);
    }
}
