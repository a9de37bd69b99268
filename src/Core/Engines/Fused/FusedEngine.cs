using MnistClaims.Core.Training;
using MnistClaims.Data;
using MnistClaims.Models;
using MnistClaims.Torch;

namespace MnistClaims.Core.Engines.Fused;

/// <summary>
/// The procedure's steps on <see cref="FusedMlp"/>: no autograd, gradients fused into the optimizer update, no
/// allocation per step. Same initial weights (the model is built through libtorch and its parameters copied out),
/// same dropout noise (drawn through libtorch, same order and shape); only the float rounding differs from libtorch.
/// CPU only, AVX2+FMA.
/// </summary>
public sealed class FusedEngine : IEngine
{
    public const string EngineName = "fused";

    public sealed class Factory : IEngineFactory
    {
        public string Name => EngineName;
        public string? Unsupported(TrainConfig cfg) => FusedEngine.Unsupported(cfg);
        public IEngine Create(TrainConfig cfg, MnistData data) => new FusedEngine(cfg, data);
    }

    /// <summary>Null when the fused engine can run <paramref name="cfg"/>, else why not.</summary>
    public static string? Unsupported(TrainConfig cfg)
    {
        if (!cfg.Device.Equals("cpu", StringComparison.Ordinal)) return $"device {cfg.Device} (the fused engine is CPU only)";
        if (!Kernels.Supported) return "this CPU lacks AVX2/FMA";
        if (cfg.Dropout > 0 && !FusedNative.HasDropoutMask) return "the native shim lacks mc_fused_dropout_mask (rebuild: make native)";
        return null;
    }

    public static FusedLoss LossOf(TrainConfig cfg) => cfg.Loss switch
    {
        "cross-entropy" => cfg.Targets == "onehot" ? FusedLoss.CrossEntropyProbs : FusedLoss.CrossEntropyIndex,
        "nll" => FusedLoss.Nll,
        "mse" => FusedLoss.Mse,
        "l1" => FusedLoss.L1,
        _ => throw new ConfigException("loss", $"unknown loss '{cfg.Loss}'"),
    };

    public static FusedTrainerOptions OptionsOf(TrainConfig cfg) => new(
        cfg.Optimizer == "adam" ? 3 : cfg.Momentum == 0 ? 0 : cfg.Nesterov ? 2 : 1,
        cfg.Lr, cfg.Momentum, cfg.Dampening, cfg.WeightDecay, cfg.Beta1, cfg.Beta2, cfg.Eps);

    /// <summary>Threads the fused engine uses for a config: cfg.Threads, 0 meaning all cores; at most 2.</summary>
    public static int ThreadsOf(TrainConfig cfg) => Math.Clamp(cfg.Threads > 0 ? cfg.Threads : Environment.ProcessorCount, 1, 2);

    /// <summary>
    /// The network from libtorch's initial weights: builds the model through libtorch (the caller has just called
    /// <c>manual_seed</c>, as the procedure does) and copies its parameters into a fused network sized for batches of
    /// up to <paramref name="maxRows"/>.
    /// </summary>
    public static FusedMlp CreateNetwork(TrainConfig cfg, int maxRows)
    {
        var spec = cfg.ModelSpec();
        var net = new FusedMlp(spec, LossOf(cfg), OptionsOf(cfg), maxRows, ThreadsOf(cfg));
        try
        {
            using var model = MlpBuilder.Build(spec);
            var ps = model.parameters();
            if (ps.Count != 2 * net.Layers) throw new InvalidOperationException($"expected {2 * net.Layers} parameters, found {ps.Count}");
            for (int l = 0; l < net.Layers; l++) net.SetParameters(l, ps[2 * l].data<float>(), ps[2 * l + 1].data<float>());
            return net;
        }
        catch { net.Dispose(); throw; }
    }

    readonly FusedMlp _net;
    readonly FusedData _x;
    readonly MnistData _data;
    readonly byte[] _labels;

    FusedEngine(TrainConfig cfg, MnistData data)
    {
        if (Unsupported(cfg) is { } why) throw new NotSupportedException($"fused engine: {why}");
        int rows = Math.Max(cfg.BatchSize, cfg.EvalBatchSize);
        _net = CreateNetwork(cfg, rows);
        _x = FusedData.For(data, cfg.NormalizationKind);
        _data = data;
        _labels = new byte[rows];
    }

    public string Name => EngineName;

    /// <summary>Copies the images <paramref name="rows"/> of a set into the network's input rows and their labels into the label buffer.</summary>
    void Load(ImageSet set, ReadOnlySpan<long> rows)
    {
        var (x, y) = set == ImageSet.Train ? (_x.TrainX, _data.Train.Labels) : (_x.TestX, _data.Test.Labels);
        for (int i = 0; i < rows.Length; i++)
        {
            int idx = (int)rows[i];
            x.AsSpan(idx * MnistData.Pixels, MnistData.Pixels).CopyTo(_net.InputRow(i));
            _labels[i] = y[idx];
        }
    }

    public (float Loss, int Correct) Step(ReadOnlySpan<long> rows)
    {
        int n = rows.Length;
        Load(ImageSet.Train, rows);
        float loss = _net.TrainStep(n, _labels.AsSpan(0, n));
        int correct = 0;
        for (int i = 0; i < n; i++) if (_net.ArgMax(i, out _) == _labels[i]) correct++;
        return (loss, correct);
    }

    public float Evaluate(ImageSet set, ReadOnlySpan<long> rows, Span<int> predicted, Span<float> confidence)
    {
        int n = rows.Length;
        Load(set, rows);
        _net.Forward(n, training: false);
        float l = _net.Loss(n, _labels.AsSpan(0, n), backward: false);
        for (int i = 0; i < n; i++) predicted[i] = _net.ArgMax(i, out confidence[i]);
        return l;
    }

    public void Dispose() => _net.Dispose();
}

/// <summary>Normalized MNIST pixels as float arrays (the values MnistData puts in its tensors), cached per dataset.</summary>
public sealed record FusedData(float[] TrainX, float[] TestX)
{
    static readonly System.Runtime.CompilerServices.ConditionalWeakTable<MnistData, Dictionary<Normalization, FusedData>> Cache = new();

    public static FusedData For(MnistData data, Normalization n)
    {
        var perData = Cache.GetValue(data, _ => []);
        lock (perData)
        {
            if (!perData.TryGetValue(n, out var d))
                perData[n] = d = new FusedData(Normalizer.Normalize(data.Train.Images, n), Normalizer.Normalize(data.Test.Images, n));
            return d;
        }
    }
}
