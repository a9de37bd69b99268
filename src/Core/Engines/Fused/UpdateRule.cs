using System.Runtime.CompilerServices;

namespace MnistClaims.Core.Engines.Fused;

/// <summary>Optimizer constants for one step, as float32 scalars the way ATen casts them for float tensors.</summary>
public struct UpdateRule
{
    public int Kind;            // 0 = SGD, 1 = SGD+momentum, 2 = SGD+nesterov, 3 = Adam
    public bool FirstStep;      // SGD momentum: buf = clone(d_p) on the first step
    public float Lr, WeightDecay, Momentum, OneMinusDampening;
    public float Beta1, OneMinusBeta1, Beta2, OneMinusBeta2, Eps, Bc2Sqrt, NegStepSize;
}

/// <summary>
/// One optimizer's update, applied to one vector of parameters at a time with its constants broadcast once per kernel
/// call; each optimizer is its own struct, so the kernels are compiled once per optimizer (no per-vector dispatch).
/// Op order mirrors torch/optim 1.13 _single_tensor_sgd / _single_tensor_adam, and is the same at every vector width.
/// <para>
/// <see cref="Apply"/> is the plain IEEE arithmetic, whose results are the reference; the other two paths give the
/// same bits (see <see cref="Tiny"/>). <see cref="ApplyStill"/> serves vectors whose gradient is +0 and whose state is
/// too small to move any parameter (inputs unlit for hundreds of steps): only the moments decay, without the square
/// root and divides. <see cref="ApplyExact"/> serves vectors whose state lies on the subnormal grid, on CPUs where
/// subnormal multiplies are slow (<see cref="Tiny.GridDecay"/>), without subnormal hardware operations.
/// </para>
/// </summary>
unsafe interface IUpdate<V> where V : struct, IVec<V>
{
    /// <summary>Whether vectors with a zero gradient and small first moments may take <see cref="ApplyStill"/>.</summary>
    bool StillPaths { get; }
    /// <summary>
    /// Whether a +0 gradient leaves the parameter (and there is no state) exactly as it is, so that a block whose gradient
    /// is known to be +0 need not be touched at all: plain SGD without weight decay, with a finite learning rate
    /// (RN(p + RN(+0 * -lr)) = RN(p + -0) = p for every p, -0 and NaN included).
    /// </summary>
    bool ZeroGradientKeeps { get; }
    /// <summary>Lanes whose first moment at <paramref name="m"/> is too large for <see cref="ApplyStill"/>.</summary>
    V Moving(float* m);
    /// <summary>Whether vectors with grid state take <see cref="ApplyExact"/>.</summary>
    bool GridPaths { get; }
    /// <summary>Lanes whose state at <paramref name="m"/>, <paramref name="v"/> makes the plain path compute with (or toward) subnormals.</summary>
    V TinyMask(float* m, float* v);
    /// <summary>
    /// Updates the vector of parameters at <paramref name="w"/> with gradient <paramref name="g"/>;
    /// <paramref name="m"/> is exp_avg / momentum_buffer, <paramref name="v"/> exp_avg_sq.
    /// </summary>
    void Apply(V g, float* w, float* m, float* v);
    /// <summary>The update of a vector whose gradient is +0 and whose first moments are not <see cref="Moving"/>.</summary>
    void ApplyStill(float* w, float* m, float* v);
    /// <summary>The same update as <see cref="Apply"/>, bit for bit, without subnormal hardware operations where the state is on the grid.</summary>
    void ApplyExact(V g, float* w, float* m, float* v);
}

/// <summary>torch.optim.Adam (no amsgrad), with L2 weight decay.</summary>
readonly unsafe struct AdamUpdate<V> : IUpdate<V> where V : struct, IVec<V>
{
    readonly bool _decay, _divideByBc2, _still, _grid;
    readonly V _wd, _b1, _oneMinusB1, _b2, _oneMinusB2, _eps, _bc2Sqrt, _negStep;
    readonly double _b1Exact, _b2Exact;
    // a: the largest |exp_avg| whose update provably vanishes (bits); which exp_avg magnitudes count as grid-prone state
    // (bits); the least parameter magnitude for which a vanishing update provably leaves it unchanged (bits).
    readonly int _stillLimit, _stateTestLimit, _vanishingLimit, _paramLimit;

    public AdamUpdate(in UpdateRule r)
    {
        _decay = r.WeightDecay != 0; _wd = V.Broadcast(r.WeightDecay);
        _b1 = V.Broadcast(r.Beta1); _oneMinusB1 = V.Broadcast(r.OneMinusBeta1);
        _b2 = V.Broadcast(r.Beta2); _oneMinusB2 = V.Broadcast(r.OneMinusBeta2);
        _eps = V.Broadcast(r.Eps); _bc2Sqrt = V.Broadcast(r.Bc2Sqrt); _negStep = V.Broadcast(r.NegStepSize);
        // x / 1 == x for every float: once bc2_sqrt rounds to 1 (Adam step >= ~16,600 at beta2 0.999), skip the division
        // (measured here, steps 18k-28k of 784-128-128-10: 8-18% more steps/s).
        _divideByBc2 = r.Bc2Sqrt != 1f;
        _b1Exact = r.Beta1; _b2Exact = r.Beta2;
        // |exp_avg| <= a makes |step_size * exp_avg| <= 2^-126, and then the update |u| <= RN(2^-126 / eps), since
        // denom >= eps: an upper bound on that is the float above the rounding of the double quotient (RN is monotone,
        // and the double quotient lies within a float ulp of the real one).
        float a = Tiny.LargestFactorBelowSmallestNormal(r.NegStepSize);
        _paramLimit = r.Eps > 0 ? Tiny.ParameterLimit(MathF.BitIncrement((float)(Math.ScaleB(1.0, -126) / r.Eps))) : 0;
        _stillLimit = BitConverter.SingleToInt32Bits(a);
        _vanishingLimit = _paramLimit != 0 ? _stillLimit + 1 : 1;   // 1: no lane vanishes
        // exp_avg up to about a / beta1 decays to at most a; grid values need the grid operations anyway.
        _stateTestLimit = Math.Max(Tiny.GridLimit, BitConverter.SingleToInt32Bits(MathF.Min(2 * a, float.MaxValue)) + 1);
        // The grid decay needs 1/2 < beta <= 1; then also |RN(exp_avg * b1)| <= |exp_avg| and exp_avg_sq * b2 stays in [0, inf],
        // as the still path needs (with no weight decay, which would make the gradient nonzero).
        _grid = Tiny.GridDecay && Tiny.IsGridFactor(r.Beta1) && Tiny.IsGridFactor(r.Beta2) && _paramLimit != 0 && a > 0;
        _still = _grid && !_decay;
    }

    public bool StillPaths => _still;
    public bool GridPaths => _grid;
    public bool ZeroGradientKeeps => false;   // a +0 gradient still decays exp_avg and exp_avg_sq, and moves the parameter

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public V Moving(float* m) => V.MagnitudeAbove(V.Load(m), _stillLimit);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public V TinyMask(float* m, float* v) =>
        V.NonzeroMagnitudeBelow(V.Load(m), _stateTestLimit) | V.PositiveBelow(V.Load(v), Tiny.GridLimit);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply(V g, float* w, float* m, float* v)
    {
        var p = V.Load(w);
        if (_decay) g = V.Fma(p, _wd, g);                                   // grad.add(param, alpha=wd)
        Plain(g, p, V.Load(m), V.Load(v), w, m, v);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    void Plain(V g, V p, V m0, V v0, float* w, float* m, float* v)
    {
        // exp_avg.mul_(b1).add_(grad, alpha=1-b1); exp_avg_sq.mul_(b2).addcmul_(grad, grad, value=1-b2)
        var ma = V.Fma(g, _oneMinusB1, m0 * _b1);
        var va = v0 * _b2 + _oneMinusB2 * g * g;
        V.Store(ma, m); V.Store(va, v);
        // denom = (exp_avg_sq.sqrt() / bc2_sqrt).add_(eps); param.addcdiv_(exp_avg, denom, value=-step_size)
        var root = V.Sqrt(va);
        if (_divideByBc2) root = root / _bc2Sqrt;
        var denom = root + _eps;
        V.Store(p + _negStep * ma / denom, w);
    }

    /// <summary>
    /// Gradient +0 (no weight decay) and every |exp_avg| at most a: exp_avg becomes RN(exp_avg * b1) (+0 from +-0), and every
    /// update is +-0 (from exp_avg +-0, as denom &gt;= eps &gt; 0 while exp_avg_sq is in [0, inf]) or vanishing, which leaves a
    /// parameter of magnitude at least the limit unchanged (NaN excluded): the parameters stay as they are, so only the
    /// moments are written. A vector where some lane breaks a condition takes the plain path.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ApplyStill(float* w, float* m, float* v)
    {
        var p = V.Load(w); var m0 = V.Load(m); var v0 = V.Load(v);
        var moves = V.AndNot(V.MagnitudeBelow(p, _paramLimit), V.IsZero(m0)) | V.MagnitudeAbove(p, 0x7F800000) | V.OutsideNonnegative(v0, 0x7F800000);
        if (V.Any(moves)) { Plain(V.Zero, p, m0, v0, w, m, v); return; }
        var none = V.IsZero(V.Zero);   // the gradient is +0 in every lane
        V.Store(Tiny<V>.Decay(V.Zero, _oneMinusB1, m0, _b1, _b1Exact, V.NonzeroMagnitudeBelow(m0, Tiny.GridLimit), none), m);
        V.Store(Tiny<V>.DecaySquare(V.Zero, _oneMinusB2, v0, _b2, _b2Exact, V.PositiveBelow(v0, Tiny.GridLimit), none), v);
    }

    /// <summary>
    /// The plain operations with both moments decayed on the grid, the square root of grid values through sqrt(2n), and the
    /// updates of exp_avg values up to a zeroed before they meet the multiply and divide where the parameter's magnitude
    /// reaches the limit (they cannot move it: see <see cref="Tiny"/>); other lanes keep their update.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ApplyExact(V g, float* w, float* m, float* v)
    {
        var p = V.Load(w);
        if (_decay) g = V.Fma(p, _wd, g);
        var m0 = V.Load(m); var v0 = V.Load(v);
        var gZero = V.IsZero(g);
        var ma = Tiny<V>.Decay(g, _oneMinusB1, m0, _b1, _b1Exact, V.NonzeroMagnitudeBelow(m0, Tiny.GridLimit), gZero);
        var va = Tiny<V>.DecaySquare(g, _oneMinusB2, v0, _b2, _b2Exact, V.PositiveBelow(v0, Tiny.GridLimit), gZero);
        V.Store(ma, m); V.Store(va, v);
        var root = Tiny<V>.Sqrt(va);
        if (_divideByBc2) root = root / _bc2Sqrt;
        var denom = root + _eps;
        var vanishing = V.AndNot(V.NonzeroMagnitudeBelow(ma, _vanishingLimit), V.MagnitudeBelow(p, _paramLimit));
        V.Store(p + _negStep * V.AndNot(ma, vanishing) / denom, w);
    }
}

/// <summary>torch.optim.SGD: plain, with momentum (and dampening), or Nesterov; with L2 weight decay.</summary>
readonly unsafe struct SgdUpdate<V> : IUpdate<V> where V : struct, IVec<V>
{
    readonly int _kind;   // 0 plain, 1 momentum, 2 nesterov
    readonly bool _first, _decay, _still, _grid, _keeps;
    readonly V _negLr, _wd, _momentum, _oneMinusDampening;
    readonly double _momentumExact;
    readonly int _paramLimit;

    public SgdUpdate(in UpdateRule r)
    {
        _kind = r.Kind; _first = r.FirstStep; _decay = r.WeightDecay != 0;
        _negLr = V.Broadcast(-r.Lr); _wd = V.Broadcast(r.WeightDecay);
        _momentum = V.Broadcast(r.Momentum); _oneMinusDampening = V.Broadcast(r.OneMinusDampening);
        _momentumExact = r.Momentum;
        // A momentum buffer below 2^-125 (with Nesterov and a zero gradient, its direction too) gives |lr * d| < lr * 2^-125.
        _paramLimit = Tiny.ParameterLimit((double)r.Lr * Math.ScaleB(1.0, -125));
        _grid = Tiny.GridDecay && r.Kind is 1 or 2 && !r.FirstStep && Tiny.IsGridFactor(r.Momentum) && _paramLimit != 0;
        _still = _grid && !_decay;
        _keeps = r.Kind == 0 && !_decay && float.IsFinite(r.Lr);
    }

    public bool StillPaths => _still;
    public bool GridPaths => _grid;
    public bool ZeroGradientKeeps => _keeps;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public V Moving(float* m) => V.MagnitudeAbove(V.Load(m), Tiny.GridLimit - 1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public V TinyMask(float* m, float* v) => V.NonzeroMagnitudeBelow(V.Load(m), Tiny.GridLimit);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply(V g, float* w, float* m, float* v)
    {
        var p = V.Load(w);
        if (_decay) g = V.Fma(p, _wd, g);                                   // grad.add(param, alpha=wd)
        Plain(g, p, w, m);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    void Plain(V g, V p, float* w, float* m)
    {
        if (_kind != 0)
        {
            V buf = _first ? g : V.Fma(g, _oneMinusDampening, V.Load(m) * _momentum);
            V.Store(buf, m);
            g = _kind == 2 ? V.Fma(buf, _momentum, g) : buf;
        }
        V.Store(V.Fma(g, _negLr, p), w);                                       // param.add_(d_p, alpha=-lr)
    }

    /// <summary>
    /// Momentum after the first step with gradient +0 (no weight decay) and every buffer below 2^-125: the buffer becomes
    /// RN(buf * momentum) (+0 from +-0), still below 2^-125, and the direction (with Nesterov RN(buf * momentum), no larger,
    /// as momentum &lt;= 1) cannot move a parameter of magnitude at least the limit, while a zero direction leaves any
    /// non-NaN parameter as it is: only the buffers are written. A vector where some lane breaks a condition takes the plain path.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ApplyStill(float* w, float* m, float* v)
    {
        var p = V.Load(w); var m0 = V.Load(m);
        var moves = V.AndNot(V.MagnitudeBelow(p, _paramLimit), V.IsZero(m0)) | V.MagnitudeAbove(p, 0x7F800000);
        if (V.Any(moves)) { Plain(V.Zero, p, w, m); return; }
        V.Store(Tiny<V>.Decay(V.Zero, _oneMinusDampening, m0, _momentum, _momentumExact, V.NonzeroMagnitudeBelow(m0, Tiny.GridLimit), V.IsZero(V.Zero)), m);
    }

    /// <summary>
    /// Momentum after the first step, with the buffer decayed on the grid: where the gradient is +-0 a grid buffer decays to
    /// a grid buffer, whose direction (with Nesterov RN(buf * momentum), no larger) cannot move a parameter of magnitude at
    /// least the limit, so it is zeroed there; other lanes keep theirs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ApplyExact(V g, float* w, float* m, float* v)
    {
        var p = V.Load(w);
        if (_decay) g = V.Fma(p, _wd, g);
        var m0 = V.Load(m);
        var gZero = V.IsZero(g);
        var grid = V.NonzeroMagnitudeBelow(m0, Tiny.GridLimit);
        var buf = Tiny<V>.Decay(g, _oneMinusDampening, m0, _momentum, _momentumExact, grid, gZero);
        V.Store(buf, m);
        var d = V.AndNot(buf, V.AndNot(grid & gZero, V.MagnitudeBelow(p, _paramLimit)));
        if (_kind == 2) d = V.Fma(d, _momentum, g);                          // nesterov: grad.add(buf, alpha=momentum)
        V.Store(V.Fma(d, _negLr, p), w);
    }
}
