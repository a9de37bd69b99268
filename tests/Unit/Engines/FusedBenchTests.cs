using System.Diagnostics;
using MnistClaims.Harness.Engines.Fused;
using MnistClaims.Harness.Training;
using MnistClaims.Torch;

namespace MnistClaims.Tests.Unit.Engines;

/// <summary>Prints fused vs libtorch steps/s (784-128-128-10 + Adam). Not an assertion of speed.</summary>
[TestFixture]
[Category("Bench")]
[Explicit]
public class FusedBenchTests
{
    [Test]
    public void StepsPerSecond_FusedVsLibtorch()
    {
        using var data = MnistData.Load(null);
        foreach (int threads in new[] { 1, 2 })
            foreach (int b in new[] { 1, 2, 16, 64, 256 })
            {
                var cfg = new TrainConfig { Arch = "784-128-128-10", BatchSize = b, Threads = threads, Epochs = 1 };
                int steps = b <= 16 ? 4000 : b == 64 ? 1500 : 400;
                double fused = FusedBench.StepsPerSecond(cfg, data, steps);
                int libSteps = Math.Max(100, steps / 8);
                var sw = Stopwatch.StartNew();
                var r = new Trainer(data).Run(cfg with { Engine = "libtorch", MaxSteps = libSteps });
                double lib = libSteps / r.Epochs[0].TrainSeconds;
                double gf = fused * FusedBench.FlopsPerStep(cfg) / 1e9;
                TestContext.Out.WriteLine($"threads {threads} batch {b,3}: fused {fused,8:F0} steps/s ({gf:F1} GFLOP/s)  libtorch engine {lib,7:F0} steps/s  x{fused / lib:F1}");
            }
        // Large sgemm through libtorch for reference.
        foreach (int threads in new[] { 1, 2 })
        {
            torch.set_num_threads(threads);
            using var a = torch.ones([2048, 2048]); using var bm = torch.ones([2048, 2048]);
            using (var w = a.matmul(bm)) { }
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < 3; i++) using (var c = a.matmul(bm)) { }
            double s = sw.Elapsed.TotalSeconds / 3;
            TestContext.Out.WriteLine($"libtorch sgemm 2048^3, threads {threads}: {2.0 * 2048 * 2048 * 2048 / s / 1e9:F1} GFLOP/s");
        }
        torch.set_num_threads(1);
    }
}
