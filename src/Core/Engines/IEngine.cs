using MnistClaims.Core.Training;

namespace MnistClaims.Core.Engines;

/// <summary>Which MNIST images a batch's row indices refer to.</summary>
public enum ImageSet { Train, Test }

/// <summary>
/// What differs between engines, and nothing else: the canonical procedure (<see cref="Trainer"/>) owns the seeds,
/// the split, the epoch order, the batches, divergence, the bookkeeping and the evaluation loop. An engine is created
/// from the configuration right after <c>manual_seed(seed)</c> (so its initial weights are libtorch's), then asked for
/// optimizer steps and evaluation batches.
/// </summary>
public interface IEngine : IDisposable
{
    /// <summary>"libtorch" or "fused": recorded in the run's manifest and its profile.</summary>
    string Name { get; }

    /// <summary>Step 5: one optimizer step in train mode on the training images <paramref name="rows"/> (zero_grad,
    /// forward, loss, backward, step). Returns the batch's loss and how many of its rows the model got right.</summary>
    (float Loss, int Correct) Step(ReadOnlySpan<long> rows);

    /// <summary>Step 6, one batch: eval mode, no grad. Returns the batch's mean loss (as libtorch returns it, float32) and
    /// fills each row's predicted class and its softmax probability.</summary>
    float Evaluate(ImageSet set, ReadOnlySpan<long> rows, Span<int> predicted, Span<float> confidence);
}

/// <summary>Builds an engine for a configuration it supports.</summary>
public interface IEngineFactory
{
    string Name { get; }

    /// <summary>Null when this engine can run <paramref name="cfg"/>, else why not.</summary>
    string? Unsupported(TrainConfig cfg);

    /// <summary>Step 1 after <c>manual_seed(cfg.Seed)</c>: the model from libtorch's initial weights, its optimizer, the data it reads.</summary>
    IEngine Create(TrainConfig cfg, MnistData data);
}
