using System.Diagnostics;
using MnistClaims.Harness.Training;

namespace MnistClaims.Harness.Engines.Fused;

/// <summary>Timing of the fused engine's training step, for <c>harness bench</c>.</summary>
public static class FusedBench
{
    /// <summary>
    /// Optimizer steps per second of the fused engine on <paramref name="cfg"/> (batch, model, optimizer, threads),
    /// on consecutive training images, including the batch gather and the accuracy count as in a run;
    /// after a warm-up (20 steps and 0.5 s), over <paramref name="steps"/> timed steps.
    /// </summary>
    public static double StepsPerSecond(TrainConfig cfg, MnistData data, int steps)
    {
        cfg.Validate();
        if (FusedTrainer.Unsupported(cfg) is { } why) throw new NotSupportedException($"fused engine: {why}");
        int b = cfg.BatchSize;
        using var net = FusedTrainer.CreateNetwork(cfg, b);
        var x = FusedData.For(data, cfg.NormalizationKind).TrainX;
        var labels = new byte[b];
        int cursor = 0;
        void Step()
        {
            for (int i = 0; i < b; i++)
            {
                int idx = (cursor + i) % MnistData.TrainCount;
                x.AsSpan(idx * MnistData.Pixels, MnistData.Pixels).CopyTo(net.InputRow(i));
                labels[i] = data.Train.Labels[idx];
            }
            cursor = (cursor + b) % MnistData.TrainCount;
            net.TrainStep(b, labels);
            int correct = 0;
            for (int i = 0; i < b; i++) if (net.ArgMax(i, out _) == labels[i]) correct++;
        }
        // Warm-up: 20 steps and at least 0.5 s, so the JIT has tiered the kernels up.
        var warm = Stopwatch.StartNew();
        for (int i = 0; i < 20 || warm.Elapsed.TotalSeconds < 0.5; i++) Step();
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) Step();
        return steps / sw.Elapsed.TotalSeconds;
    }

    /// <summary>FLOPs of one training step (forward + backward + weight gradients ~ 6 x weights x batch).</summary>
    public static double FlopsPerStep(TrainConfig cfg) => 6.0 * cfg.ModelSpec().ParameterCount * cfg.BatchSize;
}
