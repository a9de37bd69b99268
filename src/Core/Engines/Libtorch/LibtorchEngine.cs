using MnistClaims.Core.Training;
using MnistClaims.Models;
using MnistClaims.Torch;
using static MnistClaims.Torch.nn.functional;

namespace MnistClaims.Core.Engines.Libtorch;

/// <summary>
/// The procedure's steps through libtorch's own modules, autograd and optimizers, op for op as the plain PyTorch
/// script (tools/reference/train_reference.py) does them: bitwise equal to it on the same libtorch and kernel choice.
/// Runs on CPU or CUDA.
/// </summary>
public sealed class LibtorchEngine : IEngine
{
    public const string EngineName = "libtorch";

    public sealed class Factory : IEngineFactory
    {
        public string Name => EngineName;
        public string? Unsupported(TrainConfig cfg) => null;
        public IEngine Create(TrainConfig cfg, MnistData data) => new LibtorchEngine(cfg, data);
    }

    readonly Device _device;
    readonly nn.Module _model;
    readonly optim.Optimizer _optimizer;
    readonly Func<Tensor, Tensor, Tensor> _loss;
    readonly DataTensors _t;
    readonly bool _onehot;

    LibtorchEngine(TrainConfig cfg, MnistData data)
    {
        _device = Devices.Resolve(cfg.Device);
        _model = MlpBuilder.Build(cfg.ModelSpec(), _device);   // draws the initial weights: right after manual_seed
        try
        {
            _t = data.Tensors(cfg.NormalizationKind, _device);   // cached and owned by MnistData
            _onehot = cfg.Targets == "onehot";
            _optimizer = MakeOptimizer(cfg, _model.parameters());
            _loss = LossFunction(cfg);
        }
        catch { _model.Dispose(); throw; }
    }

    public string Name => EngineName;

    public (float Loss, int Correct) Step(ReadOnlySpan<long> rows)
    {
        using var scope = torch.NewDisposeScope();   // every temporary dies with the step
        var idx = torch.tensor(rows, [rows.Length]).to(_device);
        var x = _t.TrainX.index_select(0, idx);
        var y = _t.TrainY.index_select(0, idx);
        var target = _onehot ? _t.TrainOneHot.index_select(0, idx) : y;
        _optimizer.zero_grad();
        var output = _model.forward(x);
        var l = _loss(output, target);
        l.backward();
        _optimizer.step();
        return (l.ToSingle(), (int)output.argmax(1).eq(y).sum().ToInt64());
    }

    public float Evaluate(ImageSet set, ReadOnlySpan<long> rows, Span<int> predicted, Span<float> confidence)
    {
        var (x, y, onehot) = set == ImageSet.Train ? (_t.TrainX, _t.TrainY, _t.TrainOneHot) : (_t.TestX, _t.TestY, _t.TestOneHot);
        int n = rows.Length;
        _model.eval();
        try
        {
            using var _ = torch.no_grad();
            using var scope = torch.NewDisposeScope();
            Tensor xb, tb;
            if (IsContiguous(rows)) { xb = x.narrow(0, rows[0], n); tb = (_onehot ? onehot : y).narrow(0, rows[0], n); }
            else
            {
                var idx = torch.tensor(rows, [n]).to(_device);
                xb = x.index_select(0, idx); tb = (_onehot ? onehot : y).index_select(0, idx);
            }
            var output = _model.forward(xb);
            float l = _loss(output, tb).ToSingle();
            var conf = softmax(output, 1).max(1, out var pred);
            var p = pred.to(ScalarType.Int64).data<long>();
            var c = conf.data<float>();
            for (int i = 0; i < n; i++) { predicted[i] = (int)p[i]; confidence[i] = c[i]; }
            return l;
        }
        finally { _model.train(); }
    }

    static bool IsContiguous(ReadOnlySpan<long> rows)
    {
        for (int i = 1; i < rows.Length; i++) if (rows[i] != rows[0] + i) return false;
        return true;
    }

    static optim.Optimizer MakeOptimizer(TrainConfig cfg, IReadOnlyList<Tensor> parameters) => cfg.Optimizer switch
    {
        "adam" => optim.Adam(parameters, cfg.Lr, cfg.Beta1, cfg.Beta2, cfg.Eps, cfg.WeightDecay),
        "sgd" => optim.SGD(parameters, cfg.Lr, cfg.Momentum, cfg.Dampening, cfg.WeightDecay, cfg.Nesterov),
        _ => throw new ConfigException("optimizer", $"unknown optimizer '{cfg.Optimizer}'"),
    };

    /// <summary>Loss on the model's output. CE takes class indices or, with one-hot targets, probabilities.</summary>
    public static Func<Tensor, Tensor, Tensor> LossFunction(TrainConfig cfg) => cfg.Loss switch
    {
        "cross-entropy" => (x, t) => cross_entropy(x, t),
        "nll" => (x, t) => nll_loss(x, t),
        "mse" => (x, t) => mse_loss(x, t),
        "l1" => (x, t) => l1_loss(x, t),
        _ => throw new ConfigException("loss", $"unknown loss '{cfg.Loss}'"),
    };

    public void Dispose()
    {
        _optimizer.Dispose();
        _model.Dispose();
    }
}
