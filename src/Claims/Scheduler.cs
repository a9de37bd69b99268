using System.Diagnostics;
using System.Globalization;
using MnistClaims.Core.Engines.Libtorch;
using MnistClaims.Core.Runs;
using MnistClaims.Core.Training;
using MnistClaims.Common;

namespace MnistClaims.Claims;

/// <summary>One (experiment, seed) run still to train.</summary>
public sealed record RunJob(Experiment Experiment, TrainConfig Config, string OutDir)
{
    /// <summary>
    /// Expected seconds of the run on the reference machine (a 2-core AMD EPYC Zen 3, two runs at a time, one thread each),
    /// for the ETA, the longest-first order and the shard balance. A function of the configuration alone, never of the
    /// machine, so that every node of a sharded job computes the same plan.
    /// <para>
    /// The fused engine (every CPU configuration unless the libtorch engine is asked for): a fixed cost per run (start,
    /// split, evaluation, writing the record), the training FLOPs (forward + backward, 3x the forward's), and the
    /// optimizer's pass over every parameter each step, which dominates small-batch Adam (exp_avg, exp_avg_sq, a square
    /// root and a divide per weight; plain SGD skips the unlit inputs' blocks). Non-negative least-squares fit (relative
    /// error) to 65 runs of all 44 experiments measured on the idle reference machine (a 1-seed main job): 0.66 s per run,
    /// 48.8 GFLOP/s, 1.39 ns per parameter per Adam step, 0.44 ns per parameter per SGD step (a per-step term fitted to
    /// zero); median error 7%, largest 29%. The previous model (libtorch's constants for every run) had a median error of
    /// 86% and weighted document 003's per-sample runs 5-10x too heavily against 004's wide nets, so its ETA and its
    /// shard balance were wrong.
    /// </para>
    /// <para>
    /// The libtorch engine keeps its earlier measurement on a 2-core EPYC: about 0.35 ms per step and 55 GFLOP/s for
    /// training and evaluation (the evaluation passes are negligible for the fused engine's fit).
    /// </para>
    /// </summary>
    public double Cost
    {
        get
        {
            long steps = Config.MaxSteps > 0 ? Config.MaxSteps : Experiment.TotalSteps;
            var spec = Config.ModelSpec();
            double forward = spec.ForwardFlopsPerSample(), train = steps * 3.0 * forward * Config.BatchSize;
            bool libtorch = Config.Engine == LibtorchEngine.EngineName || !Config.Device.Equals("cpu", StringComparison.Ordinal);
            if (libtorch) return steps * 0.35e-3 + (train + Config.Epochs * 70000 * forward) / 55e9;
            double weights = forward / 2, perWeight = Config.Optimizer == "adam" ? 1.39e-9 : 0.44e-9;   // the fit counted weights, not biases
            return 0.66 + train / 48.8e9 + steps * weights * perWeight;
        }
    }
}

/// <summary>
/// Trains jobs in separate worker processes (<c>harness worker</c>, see <see cref="WorkerRequest"/>), a few at a time,
/// each worker training one run after another as the scheduler hands them out (longest first). Separate processes
/// because libtorch's default generator is process-global: two models trained on two threads of one process would
/// interleave their random draws and lose determinism. One run after another in one process is safe: every run starts
/// from <c>manual_seed</c> and its own generators (a test checks a worker's second run equals a fresh process's).
/// </summary>
public sealed class Scheduler(int jobs, string? dataDir, TextWriter log)
{
    sealed class Worker(RunningProcess proc)
    {
        public RunningProcess Proc { get; } = proc;
        public RunJob? Job { get; set; }
    }

    /// <summary>
    /// Trains every job. Cancelling <paramref name="cancel"/> (reproduce does on SIGINT/SIGTERM) kills every running
    /// worker with its children and throws <see cref="OperationCanceledException"/>; so does any other exit from here: no
    /// worker outlives the scheduler (and a worker whose scheduler died of kill -9 stops itself).
    /// </summary>
    public void Run(IReadOnlyList<RunJob> work, CancellationToken cancel = default)
    {
        if (work.Count == 0) return;
        var queue = new Queue<RunJob>(work.OrderByDescending(j => j.Cost));
        double total = work.Sum(j => j.Cost), done = 0;
        var clock = Stopwatch.StartNew();
        var workers = new List<Worker>();
        var failures = new List<string>();
        int finished = 0;
        int slots = Math.Min(jobs, work.Count);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"training {work.Count} run(s) in {slots} worker process(es); expected about {total / slots / 60:F0} min on the reference machine (RunJob.Cost)"));

        void Finish(RunJob job, string? error)
        {
            if (error is not null && error.Contains(RunLock.Refusal, StringComparison.Ordinal)) error = AwaitOtherWriter(job, error, cancel);
            finished++; done += job.Cost;
            if (error is not null) failures.Add($"{job.Experiment.Id} seed {job.Config.Seed}: {error}");
            var elapsed = clock.Elapsed;
            var eta = done > 0 ? TimeSpan.FromSeconds(elapsed.TotalSeconds * (total - done) / done) : TimeSpan.Zero;
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  [{finished}/{work.Count}] {job.Experiment.Id} seed {job.Config.Seed} {(error is null ? "done" : "FAILED")}  elapsed {elapsed:hh\\:mm\\:ss}  ETA {eta:hh\\:mm\\:ss}"));
        }

        void Send(Worker w, RunJob job)
        {
            w.Job = job;
            if (!w.Proc.WriteLine(new WorkerRequest(job.OutDir, job.Experiment.Id, job.Config.ToCanonicalJson()).ToLine()))
                w.Proc.WaitForExit(TimeSpan.FromSeconds(5));   // it died before reading: reported as its job's failure below
        }

        try
        {
            while (queue.Count > 0 || workers.Any(w => w.Job is not null))
            {
                cancel.ThrowIfCancellationRequested();
                foreach (var w in workers.Where(w => w.Job is null && !w.Proc.HasExited))
                    if (queue.Count > 0) Send(w, queue.Dequeue());
                while (workers.Count < jobs && queue.Count > 0)
                {
                    var w = new Worker(Start());
                    workers.Add(w);
                    Send(w, queue.Dequeue());
                }
                cancel.WaitHandle.WaitOne(100);
                foreach (var w in workers.ToList())
                {
                    bool exited = w.Proc.HasExited;
                    if (exited) w.Proc.StdOut.Wait(TimeSpan.FromSeconds(5));   // its last lines are read before it is judged
                    while (w.Job is { } job && w.Proc.TryReadLine(out var line))
                        if (WorkerReply.TryParse(line) is { } reply && reply.OutDir == job.OutDir) { w.Job = null; Finish(job, reply.Error); }
                    if (!exited) continue;
                    workers.Remove(w);
                    var result = w.Proc.Result();
                    w.Proc.Dispose();
                    if (w.Job is { } lost) Finish(lost, $"worker exited with code {result.ExitCode} before finishing: {result.Tail()}");
                }
            }
        }
        finally
        {
            foreach (var w in workers)
            {
                if (w.Job is null) { w.Proc.CloseInput(); w.Proc.WaitForExit(TimeSpan.FromSeconds(10)); }   // idle: ends at end of input
                w.Proc.Dispose();   // kills a worker still training (cancelled, or an error here) and its children
            }
        }
        if (failures.Count > 0) throw new Common.ProcessFailedException($"training failed for {failures.Count} run(s): " + string.Join("; ", failures));
    }

    /// <summary>
    /// The worker was refused because another process (say a second <c>reproduce</c> sharing the cache) is writing this
    /// very run: wait for that writer, then the run it wrote is this job's result (null, a success, when it is complete).
    /// </summary>
    string? AwaitOtherWriter(RunJob job, string refused, CancellationToken cancel)
    {
        log.WriteLine($"  {job.Experiment.Id} seed {job.Config.Seed}: another process is training it; waiting for that run");
        while (RunLock.IsHeld(job.OutDir)) { cancel.ThrowIfCancellationRequested(); cancel.WaitHandle.WaitOne(500); }
        return RunStore.TryReadAll(job.OutDir, out var run, out var why) && run!.Manifest.ConfigHash == job.Config.Hash && run.Manifest.Seed == job.Config.Seed
            ? null
            : $"{refused}; after that writer finished: {why ?? "a run of another configuration"}";
    }

    RunningProcess Start()
    {
        var (exe, prefix) = SelfCommand();
        // --scheduler: the worker watches this process, so a kill -9 here (no chance to stop it) stops the worker too.
        var args = prefix.Concat(["worker", "--scheduler", Environment.ProcessId.ToString(CultureInfo.InvariantCulture)]).ToList();
        if (dataDir is not null) { args.Add("--data-dir"); args.Add(dataDir); }
        return ProcessRunner.Start(new ProcessSpec(exe, args) { Interactive = true });
    }

    /// <summary>How to start the harness again (see <see cref="HarnessProcess"/>).</summary>
    public static (string Exe, string[] Prefix) SelfCommand() => HarnessProcess.Command();
}
