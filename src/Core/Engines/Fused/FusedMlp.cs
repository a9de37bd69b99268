using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MnistClaims.Models;

namespace MnistClaims.Core.Engines.Fused;

/// <summary>The loss on the network's output (after the head), with its targets.</summary>
public enum FusedLoss { CrossEntropyIndex, CrossEntropyProbs, Nll, Mse, L1 }

/// <summary>
/// An MLP (Linear, activation, optional dropout, ..., Linear, optional log_softmax) trained without autograd:
/// forward, backward and the optimizer update run over preallocated, 32-byte aligned, zero-padded float32
/// buffers (every width rounded up to a multiple of 16). A training step allocates nothing.
/// Parameters are laid out as in PyTorch (W[out, in] row-major, padded), so they can be copied in and out.
/// </summary>
public sealed unsafe class FusedMlp : IDisposable
{
    public readonly int[] Sizes, Pad;
    readonly int _layers, _maxRows, _threads;
    readonly Activation _act;
    readonly bool _logSoftmaxHead;
    readonly double _dropout;
    readonly FusedLoss _loss;
    readonly float*[] _w, _b, _wm, _wv, _bm, _bv;   // parameters and optimizer state per layer
    readonly float*[] _z, _h, _a, _mask;            // per layer l (1..L): pre-activation, activation, after dropout, noise
    readonly float* _x, _y, _dz0, _dz1;             // input rows; head output; gradient ping-pong buffers
    readonly float* _maskTmp;
    readonly List<IntPtr> _allocations = [];
    UpdateRule _rule;
    readonly FusedTrainerOptions _opt;
    float _adamStep;
    bool _disposed;
    readonly Pair? _pair;

    /// <summary>
    /// With two threads, a layer's phase runs on both when its weights x max(rows, 8) reach this: below it, the
    /// hand-over between the cores costs more than the half it saves.
    /// </summary>
    public long ParallelMinWork { get; set; } = 1 << 18;

    public FusedMlp(MlpSpec spec, FusedLoss loss, FusedTrainerOptions opt, int maxRows, int threads)
    {
        Sizes = spec.Sizes; _layers = Sizes.Length - 1; _maxRows = Math.Max(4, maxRows);
        Pad = Sizes.Select(s => (s + 15) / 16 * 16).ToArray();
        _act = spec.Activation; _logSoftmaxHead = spec.Head == OutputHead.LogSoftmax; _dropout = spec.Dropout;
        _loss = loss; _opt = opt; _threads = threads;
        _w = new float*[_layers]; _b = new float*[_layers]; _wm = new float*[_layers]; _wv = new float*[_layers];
        _bm = new float*[_layers]; _bv = new float*[_layers];
        _z = new float*[_layers + 1]; _h = new float*[_layers + 1]; _a = new float*[_layers + 1]; _mask = new float*[_layers + 1];
        bool adam = opt.Kind == 3, momentum = opt.Kind is 1 or 2;
        for (int l = 0; l < _layers; l++)
        {
            long wn = (long)Pad[l + 1] * Pad[l];
            _w[l] = Alloc(wn); _b[l] = Alloc(Pad[l + 1]);
            if (adam || momentum) { _wm[l] = Alloc(wn); _bm[l] = Alloc(Pad[l + 1]); }
            if (adam) { _wv[l] = Alloc(wn); _bv[l] = Alloc(Pad[l + 1]); }
        }
        int maxPad = Pad.Max();
        _x = Alloc((long)_maxRows * Pad[0]);
        _a[0] = _x;
        for (int l = 1; l <= _layers; l++)
        {
            _z[l] = Alloc((long)_maxRows * Pad[l]);
            bool hidden = l < _layers;
            _h[l] = hidden ? Alloc((long)_maxRows * Pad[l]) : null;
            _a[l] = hidden ? (_dropout > 0 ? Alloc((long)_maxRows * Pad[l]) : _h[l]) : null;
            _mask[l] = hidden && _dropout > 0 ? Alloc((long)_maxRows * Pad[l]) : null;
        }
        _y = Alloc((long)_maxRows * Pad[_layers]);
        _dz0 = Alloc((long)_maxRows * maxPad); _dz1 = Alloc((long)_maxRows * maxPad);
        _maskTmp = _dropout > 0 ? Alloc((long)_maxRows * maxPad) : null;
        if (threads >= 2) _pair = new Pair(ParallelBody);
        _adamStep = 0; _rule.FirstStep = true;
    }

    float* Alloc(long n)
    {
        nuint bytes = (nuint)(Math.Max(n, 8) * sizeof(float));
        var p = (float*)NativeMemory.AlignedAlloc(bytes, 64);
        NativeMemory.Clear(p, bytes);
        _allocations.Add((IntPtr)p);
        return p;
    }

    public int Layers => _layers;

    /// <summary>Copies a PyTorch-layout weight [out, in] and bias [out] into layer l.</summary>
    public void SetParameters(int l, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias)
    {
        int o = Sizes[l + 1], i = Sizes[l];
        if (weight.Length != o * i || bias.Length != o) throw new ArgumentException($"layer {l}: expected {o}x{i} weight and {o} bias");
        for (int r = 0; r < o; r++) weight.Slice(r * i, i).CopyTo(new Span<float>(_w[l] + (long)r * Pad[l], i));
        bias.CopyTo(new Span<float>(_b[l], o));
    }

    /// <summary>Layer l's weight [out, in] and bias [out], unpadded, in PyTorch layout.</summary>
    public (float[] Weight, float[] Bias) GetParameters(int l)
    {
        int o = Sizes[l + 1], i = Sizes[l];
        var w = new float[o * i];
        for (int r = 0; r < o; r++) new ReadOnlySpan<float>(_w[l] + (long)r * Pad[l], i).CopyTo(w.AsSpan(r * i, i));
        return (w, new ReadOnlySpan<float>(_b[l], o).ToArray());
    }

    /// <summary>Row r of the input buffer (Sizes[0] floats, padding stays zero).</summary>
    public Span<float> InputRow(int r) => new(_x + (long)r * Pad[0], Sizes[0]);

    /// <summary>Row r of the network's output after the head (Sizes[^1] floats), valid after a forward pass.</summary>
    public ReadOnlySpan<float> OutputRow(int r) => new(_y + (long)r * Pad[_layers], Sizes[^1]);

    // ------------------------------------------------------------------ forward
    /// <summary>Forward pass over the first n input rows. Training draws dropout noise through libtorch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Forward(int n, bool training)
    {
        for (int l = 1; l <= _layers; l++)
        {
            RunLinear(l, n);
            if (l == _layers) break;
            int s = Sizes[l], p = Pad[l];
            for (int r = 0; r < n; r++)
            {
                var z = new ReadOnlySpan<float>(_z[l] + (long)r * p, s);
                var h = new Span<float>(_h[l] + (long)r * p, s);
                ActivationForward(z, h);
            }
            if (_dropout > 0)
            {
                if (training)
                {
                    // Same call, shape and order as the libtorch engine's torch::dropout: one [n, width] draw per layer.
                    FusedNative.DropoutMask(_maskTmp, n, s, _dropout);
                    for (int r = 0; r < n; r++)
                    {
                        var src = new ReadOnlySpan<float>(_maskTmp + (long)r * s, s);
                        src.CopyTo(new Span<float>(_mask[l] + (long)r * p, s));
                        Vec.Multiply(new ReadOnlySpan<float>(_h[l] + (long)r * p, s), src, new Span<float>(_a[l] + (long)r * p, s));
                    }
                }
                else
                    Buffer.MemoryCopy(_h[l], _a[l], (long)n * p * sizeof(float), (long)n * p * sizeof(float));
            }
        }
        int po = Pad[_layers], c = Sizes[_layers];
        for (int r = 0; r < n; r++)
        {
            var z = new ReadOnlySpan<float>(_z[_layers] + (long)r * po, c);
            var y = new Span<float>(_y + (long)r * po, c);
            if (_logSoftmaxHead) LogSoftmax(z, y); else z.CopyTo(y);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void ActivationForward(ReadOnlySpan<float> z, Span<float> h)
    {
        switch (_act)
        {
            case Activation.ReLU: Vec.Relu(z, h); break;
            case Activation.Sigmoid: for (int i = 0; i < z.Length; i++) h[i] = 1f / (1f + MathF.Exp(-z[i])); break;
            case Activation.Tanh: for (int i = 0; i < z.Length; i++) h[i] = MathF.Tanh(z[i]); break;
            case Activation.LeakyReLU: for (int i = 0; i < z.Length; i++) h[i] = z[i] > 0 ? z[i] : z[i] * 0.01f; break;
            case Activation.ELU: for (int i = 0; i < z.Length; i++) h[i] = z[i] > 0 ? z[i] : MathF.Exp(z[i]) - 1f; break;
        }
    }

    static void LogSoftmax(ReadOnlySpan<float> z, Span<float> y)
    {
        float max = float.NegativeInfinity;
        foreach (var v in z) max = MathF.Max(max, v);
        float sum = 0;
        foreach (var v in z) sum += MathF.Exp(v - max);
        float lse = MathF.Log(sum);
        for (int i = 0; i < z.Length; i++) y[i] = z[i] - max - lse;
    }

    // ------------------------------------------------------------------ loss
    /// <summary>
    /// Mean loss of the first n output rows against labels / one-hot targets (computed in double, rounded to
    /// float like the scalar libtorch returns); with <paramref name="backward"/>, also writes dL/dZ of the
    /// last Linear layer into the gradient buffer. Returns the loss.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public float Loss(int n, ReadOnlySpan<byte> labels, bool backward)
    {
        int c = Sizes[_layers], p = Pad[_layers];
        double total = 0;
        float invB = 1f / n, invN = 1f / (n * c);
        float* dz = _dz0;
        for (int r = 0; r < n; r++)
        {
            float* y = _y + (long)r * p;
            float* g = dz + (long)r * p;
            int t = labels[r];
            // The gradient buffers are shared across layers of different widths: clear this row's padding.
            if (backward) for (int j = c; j < p; j++) g[j] = 0;
            switch (_loss)
            {
                case FusedLoss.CrossEntropyIndex:
                case FusedLoss.CrossEntropyProbs:
                {
                    float max = float.NegativeInfinity;
                    for (int j = 0; j < c; j++) max = MathF.Max(max, y[j]);
                    float sum = 0;
                    for (int j = 0; j < c; j++) sum += MathF.Exp(y[j] - max);
                    float lse = MathF.Log(sum);
                    if (_loss == FusedLoss.CrossEntropyIndex) total -= y[t] - max - lse;
                    else
                    {
                        // probability targets: -sum_c t_c lsm_c, over all classes (0 * -inf = NaN as in PyTorch)
                        float acc = 0;
                        for (int j = 0; j < c; j++) acc += (y[j] - max - lse) * (j == t ? 1f : 0f);
                        total -= acc;
                    }
                    if (backward)
                        for (int j = 0; j < c; j++) g[j] = (MathF.Exp(y[j] - max - lse) - (j == t ? 1f : 0f)) * invB;
                    break;
                }
                case FusedLoss.Nll:
                    total -= y[t];
                    if (backward) { for (int j = 0; j < c; j++) g[j] = 0; g[t] = -invB; }
                    break;
                case FusedLoss.Mse:
                    for (int j = 0; j < c; j++)
                    {
                        float d = y[j] - (j == t ? 1f : 0f);
                        total += d * d;
                        if (backward) g[j] = 2f * d * invN;
                    }
                    break;
                case FusedLoss.L1:
                    for (int j = 0; j < c; j++)
                    {
                        float d = y[j] - (j == t ? 1f : 0f);
                        total += MathF.Abs(d);
                        if (backward) g[j] = (d > 0 ? 1f : d < 0 ? -1f : 0f) * invN;
                    }
                    break;
            }
            if (backward && _logSoftmaxHead)
            {
                // log_softmax backward: dZ = dY - exp(Y) * sum(dY)
                float s = 0;
                for (int j = 0; j < c; j++) s += g[j];
                for (int j = 0; j < c; j++) g[j] -= MathF.Exp(y[j]) * s;
            }
        }
        // libtorch reduces the per-row losses in float: a sum beyond float's range is inf there (the run has diverged at
        // this step), however finite the mean would be in double. Same overflow semantics here; a sum within float's range
        // (every finite libtorch loss) takes the unchanged path below, bit for bit.
        if (Math.Abs(total) > float.MaxValue) return total > 0 ? float.PositiveInfinity : float.NegativeInfinity;
        return _loss is FusedLoss.Mse or FusedLoss.L1 ? (float)(total / ((double)n * c)) : (float)(total / n);
    }

    /// <summary>Index of the largest output of row r (first on ties, like torch.argmax on CPU).</summary>
    public int ArgMax(int r, out float softmaxMax)
    {
        var y = OutputRow(r);
        int best = 0; float max = y[0];
        for (int j = 1; j < y.Length; j++) if (y[j] > max || float.IsNaN(y[j]) && !float.IsNaN(max)) { max = y[j]; best = j; }
        float sum = 0;
        for (int j = 0; j < y.Length; j++) sum += MathF.Exp(y[j] - max);
        softmaxMax = 1f / sum;
        return best;
    }

    // ------------------------------------------------------------------ backward + update
    /// <summary>One optimizer step on the first n rows: loss (returned), backward, fused update. Allocates nothing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public float TrainStep(int n, ReadOnlySpan<byte> labels)
    {
        Forward(n, training: true);
        float loss = Loss(n, labels, backward: true);
        PrepareRule();
        float* dz = _dz0, other = _dz1;
        for (int l = _layers; l >= 1; l--)
        {
            if (l > 1)
            {
                RunBackwardInput(l, n, dz, other);   // dA_{l-1} = dZ_l W_l (old weights)
            }
            RunUpdate(l, n, dz);                      // W_l, b_l updated with dZ_l^T A_{l-1}
            if (l > 1)
            {
                HiddenBackward(l - 1, n, other);      // dZ_{l-1} in place
                float* swap = dz; dz = other; other = swap;
            }
        }
        _rule.FirstStep = false;
        return loss;
    }

    void PrepareRule()
    {
        var o = _opt;
        _rule.Kind = o.Kind; _rule.Lr = (float)o.Lr; _rule.WeightDecay = (float)o.WeightDecay;
        _rule.Momentum = (float)o.Momentum; _rule.OneMinusDampening = (float)(1 - o.Dampening);
        if (o.Kind == 3)
        {
            _adamStep += 1f;
            double step = _adamStep;
            double bc1 = 1 - Math.Pow(o.Beta1, step), bc2 = 1 - Math.Pow(o.Beta2, step);
            _rule.Beta1 = (float)o.Beta1; _rule.OneMinusBeta1 = (float)(1 - o.Beta1);
            _rule.Beta2 = (float)o.Beta2; _rule.OneMinusBeta2 = (float)(1 - o.Beta2);
            _rule.Eps = (float)o.Eps; _rule.Bc2Sqrt = (float)Math.Sqrt(bc2); _rule.NegStepSize = (float)(-(o.Lr / bc1));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void HiddenBackward(int l, int n, float* d)
    {
        int s = Sizes[l], p = Pad[l];
        for (int r = 0; r < n; r++)
        {
            float* g = d + (long)r * p;
            var gs = new Span<float>(g, s);
            if (_dropout > 0) Vec.Multiply(gs, new ReadOnlySpan<float>(_mask[l] + (long)r * p, s), gs);
            float* z = _z[l] + (long)r * p; float* h = _h[l] + (long)r * p;
            switch (_act)
            {
                case Activation.ReLU:
                {
                    int j = 0;
                    for (; j + 8 <= s; j += 8)
                    {
                        var m = Vector256.GreaterThan(Vector256.Load(h + j), Vector256<float>.Zero);
                        Vector256.BitwiseAnd(Vector256.Load(g + j), m).Store(g + j);
                    }
                    for (; j < s; j++) if (!(h[j] > 0)) g[j] = 0;
                    break;
                }
                case Activation.Sigmoid:
                {
                    int j = 0;
                    for (; j + 8 <= s; j += 8)
                    {
                        var y = Vector256.Load(h + j);
                        (Vector256.Load(g + j) * (Vector256<float>.One - y) * y).Store(g + j);
                    }
                    for (; j < s; j++) g[j] = g[j] * (1f - h[j]) * h[j];
                    break;
                }
                case Activation.Tanh:
                    for (int j = 0; j < s; j++) g[j] = g[j] * (1f - h[j] * h[j]);
                    break;
                case Activation.LeakyReLU:
                    for (int j = 0; j < s; j++) g[j] = z[j] > 0 ? g[j] : g[j] * 0.01f;
                    break;
                case Activation.ELU:
                    for (int j = 0; j < s; j++) g[j] = z[j] > 0 ? g[j] : g[j] * MathF.Exp(z[j]);
                    break;
            }
        }
    }

    // ------------------------------------------------------------------ (optionally) two-way parallel phases
    // With two threads, a layer's phases split by output element: the forward and the update by W row (the same
    // rows on the same thread, so each core keeps its half of W and the optimizer state in its own L2 cache from
    // step to step), the input gradient by input column. No reduction is split, so the bits do not depend on it.
    int _phase, _pl, _pn; float* _pdz, _pda;

    bool Split(int l, int n) => _pair is not null && (long)Pad[l - 1] * Pad[l] * Math.Max(n, 8) >= ParallelMinWork;

    /// <summary>Part <paramref name="part"/> of [0, width), cut at a multiple of <paramref name="align"/>.</summary>
    static (int Start, int End) Half(int width, int align, int part)
    {
        int h = Math.Min(width, (width / 2 + align - 1) / align * align);
        return part == 0 ? (0, h) : (h, width);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void RunLinear(int l, int n)
    {
        if (Split(l, n)) { _phase = 0; _pl = l; _pn = n; _pair!.Run(); }
        else Kernels.Forward(_a[l - 1], Pad[l - 1], 0, n, _w[l - 1], Pad[l - 1], 0, Pad[l], _b[l - 1], _z[l], Pad[l]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void RunBackwardInput(int l, int n, float* dz, float* da)
    {
        if (Split(l, n)) { _phase = 1; _pl = l; _pn = n; _pdz = dz; _pda = da; _pair!.Run(); }
        else Kernels.BackwardInput(dz, Pad[l], Pad[l], 0, n, _w[l - 1], Pad[l - 1], 0, Pad[l - 1], da, Pad[l - 1]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void RunUpdate(int l, int n, float* dz)
    {
        if (Split(l, n)) { _phase = 2; _pl = l; _pn = n; _pdz = dz; _pair!.Run(); }
        else UpdatePart(l, n, dz, 0, Pad[l], bias: true);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void UpdatePart(int l, int n, float* dz, int o0, int o1, bool bias)
    {
        int k = l - 1;
        Kernels.UpdateWeights(dz, Pad[l], _a[k], Pad[k], n, o0, o1, Pad[k], _w[k], _wm[k], _wv[k], Pad[k], in _rule);
        if (bias) Kernels.UpdateBias(dz, Pad[l], n, Pad[l], _b[k], _bm[k], _bv[k], in _rule);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void ParallelBody(int part)
    {
        int l = _pl, n = _pn;
        switch (_phase)
        {
            case 0:
            {
                var (o0, o1) = Half(Pad[l], 4, part);
                Kernels.Forward(_a[l - 1], Pad[l - 1], 0, n, _w[l - 1], Pad[l - 1], o0, o1, _b[l - 1], _z[l], Pad[l]);
                break;
            }
            case 1:
            {
                var (k0, k1) = Half(Pad[l - 1], 16, part);
                Kernels.BackwardInput(_pdz, Pad[l], Pad[l], 0, n, _w[l - 1], Pad[l - 1], k0, k1, _pda, Pad[l - 1]);
                break;
            }
            case 2:
            {
                var (o0, o1) = Half(Pad[l], 4, part);
                UpdatePart(l, n, _pdz, o0, o1, bias: part == 1);
                break;
            }
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _pair?.Dispose();
        foreach (var p in _allocations) NativeMemory.AlignedFree((void*)p);
        _allocations.Clear();
    }
}

/// <summary>Optimizer hyper-parameters of the fused engine.</summary>
public sealed record FusedTrainerOptions(int Kind, double Lr, double Momentum, double Dampening, double WeightDecay,
    double Beta1, double Beta2, double Eps);

/// <summary>Small vector helpers (System.Numerics.Tensors is a package, not part of the BCL). Element-wise, so their bits do not depend on the width.</summary>
static unsafe class Vec
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> dst)
    {
        int i = 0, n = dst.Length;
        fixed (float* pa = a, pb = b, pd = dst)
        {
            for (; i + 8 <= n; i += 8) (Vector256.Load(pa + i) * Vector256.Load(pb + i)).Store(pd + i);
            for (; i < n; i++) pd[i] = pa[i] * pb[i];
        }
    }

    /// <summary>max(x, 0) with NaN propagated (clamp_min semantics): x where x &gt; 0 or x is NaN, else +0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Relu(ReadOnlySpan<float> x, Span<float> dst)
    {
        int i = 0, n = x.Length;
        fixed (float* px = x, pd = dst)
        {
            for (; i + 8 <= n; i += 8)
            {
                var v = Vector256.Load(px + i);
                var keep = Vector256.GreaterThan(v, Vector256<float>.Zero) | ~Vector256.Equals(v, v);
                Vector256.BitwiseAnd(v, keep).Store(pd + i);
            }
            for (; i < n; i++) { float v = px[i]; pd[i] = v > 0 || float.IsNaN(v) ? v : 0f; }
        }
    }
}
