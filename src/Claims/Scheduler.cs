using System.Diagnostics;
using System.Globalization;
using MnistClaims.Core.Runs;
using MnistClaims.Core.Training;
using MnistClaims.Common;

namespace MnistClaims.Claims;

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
    /// <summary>
    /// Trains every job. Cancelling <paramref name="cancel"/> (reproduce does on SIGINT/SIGTERM) kills every running
    /// worker with its children, deletes their temp config files and throws <see cref="OperationCanceledException"/>;
    /// so does any other exit from here: no worker outlives the scheduler, no temp file is left.
    /// </summary>
    public void Run(IReadOnlyList<RunJob> work, CancellationToken cancel = default)
    {
        if (work.Count == 0) return;
        var queue = new Queue<RunJob>(work.OrderByDescending(j => j.Cost));
        double total = work.Sum(j => j.Cost), done = 0;
        var clock = Stopwatch.StartNew();
        var running = new List<(RunJob Job, RunningProcess Proc, string ConfigFile)>();
        var failures = new List<string>();
        int finished = 0;
        log.WriteLine($"training {work.Count} run(s) in {Math.Min(jobs, work.Count)} worker process(es)");
        RemoveStaleConfigs();
        try
        {
            while (queue.Count > 0 || running.Count > 0)
            {
                cancel.ThrowIfCancellationRequested();
                while (running.Count < jobs && queue.Count > 0)
                {
                    var job = queue.Dequeue();
                    var cfgPath = Path.Combine(Path.GetTempPath(), $"mnist-claims-{Environment.ProcessId}-{Guid.NewGuid():N}.json");
                    running.Add((job, Start(job, cfgPath), cfgPath));
                }
                cancel.WaitHandle.WaitOne(200);
                foreach (var r in running.Where(r => r.Proc.HasExited).ToList())
                {
                    running.Remove(r);
                    var result = r.Proc.Result();
                    r.Proc.Dispose();
                    Common.AtomicFile.TryDelete(r.ConfigFile);
                    finished++; done += r.Job.Cost;
                    if (result.ExitCode != 0 && result.StdErr.Contains(RunLock.Refusal, StringComparison.Ordinal))
                        result = AwaitOtherWriter(r.Job, result, cancel);
                    if (result.ExitCode != 0)
                        failures.Add($"{r.Job.Experiment.Id} seed {r.Job.Config.Seed}: exit {result.ExitCode}: {result.Tail()}");
                    var elapsed = clock.Elapsed;
                    var eta = done > 0 ? TimeSpan.FromSeconds(elapsed.TotalSeconds * (total - done) / done) : TimeSpan.Zero;
                    log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  [{finished}/{work.Count}] {r.Job.Experiment.Id} seed {r.Job.Config.Seed} {(result.ExitCode == 0 ? "done" : "FAILED")}  elapsed {elapsed:hh\\:mm\\:ss}  ETA {eta:hh\\:mm\\:ss}"));
                }
            }
        }
        finally
        {
            foreach (var r in running)
            {
                r.Proc.Dispose();   // kills the worker and its children
                Common.AtomicFile.TryDelete(r.ConfigFile);
            }
        }
        if (failures.Count > 0) throw new Common.ProcessFailedException($"training failed for {failures.Count} run(s): " + string.Join("; ", failures));
    }

    /// <summary>
    /// The worker was refused because another process (say a second <c>reproduce</c> sharing the cache) is writing this
    /// very run: wait for that writer, then the run it wrote is this job's result (a success when it is complete).
    /// </summary>
    ProcessResult AwaitOtherWriter(RunJob job, ProcessResult refused, CancellationToken cancel)
    {
        log.WriteLine($"  {job.Experiment.Id} seed {job.Config.Seed}: another process is training it; waiting for that run");
        while (RunLock.IsHeld(job.OutDir)) { cancel.ThrowIfCancellationRequested(); cancel.WaitHandle.WaitOne(500); }
        return RunStore.TryReadAll(job.OutDir, out var run, out var why) && run!.Manifest.ConfigHash == job.Config.Hash && run.Manifest.Seed == job.Config.Seed
            ? refused with { ExitCode = 0 }
            : refused with { StdErr = $"{refused.StdErr.Trim()}; after that writer finished: {why ?? "a run of another configuration"}" };
    }

    RunningProcess Start(RunJob job, string cfgPath)
    {
        try { Common.AtomicFile.WriteAllText(cfgPath, job.Config.ToCanonicalJson()); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{Path.GetTempPath()}: cannot write a worker's configuration file in the temp directory (TMPDIR), expected a writable directory ({e.Message})", e);
        }
        var (exe, prefix) = SelfCommand();
        var args = prefix.Concat(["train", "--config", cfgPath, "--out", job.OutDir, "--overwrite", "--experiment", job.Experiment.Id]).ToList();
        if (dataDir is not null) { args.Add("--data-dir"); args.Add(dataDir); }
        // The worker watches this process: killed with -9 (no chance to stop it), it stops itself and removes its config.
        var env = new Dictionary<string, string?> { [ParentPidVar] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture) };
        try { return ProcessRunner.Start(new ProcessSpec(exe, args) { Environment = env }); }
        catch { Common.AtomicFile.TryDelete(cfgPath); throw; }
    }

    /// <summary>Set in a worker's environment: the scheduler's pid, which the worker watches (see <c>harness train</c>).</summary>
    public const string ParentPidVar = "MNIST_CLAIMS_PARENT_PID";

    /// <summary>A temp config file of a scheduler (<c>mnist-claims-&lt;pid&gt;-&lt;guid&gt;.json</c>) and the pid that wrote it, else null.</summary>
    public static int? ConfigOwner(string path)
    {
        var name = Path.GetFileName(path);
        if (!name.StartsWith("mnist-claims-", StringComparison.Ordinal) || !name.EndsWith(".json", StringComparison.Ordinal)) return null;
        var rest = name["mnist-claims-".Length..];
        int dash = rest.IndexOf('-');
        return dash > 0 && int.TryParse(rest[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
    }

    /// <summary>Temp config files of schedulers that no longer run (killed with -9).</summary>
    static void RemoveStaleConfigs()
    {
        try
        {
            foreach (var f in Directory.EnumerateFiles(Path.GetTempPath(), "mnist-claims-*.json"))
                if (ConfigOwner(f) is { } pid && !ProcessRunner.IsAlive(pid)) AtomicFile.TryDelete(f);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>How to start the harness again (see <see cref="HarnessProcess"/>).</summary>
    public static (string Exe, string[] Prefix) SelfCommand() => HarnessProcess.Command();
}
