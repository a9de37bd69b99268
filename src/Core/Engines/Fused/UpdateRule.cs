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
/// <see cref="Apply"/> is the plain IEEE arithmetic, the reference. On CPUs where subnormal multiplies are slow
/// (<see cref="TinyPath.Exact"/>) every vector takes <see cref="ApplyExact"/> instead, which gives the same bits without
/// subnormal hardware operations where the state is tiny (see <see cref="Tiny"/>); where they only stall the divider
/// (<see cref="TinyPath.Vanishing"/>), <see cref="ApplyVanishing"/>. The choice is made once per kernel call, by compiling
/// the kernel for <see cref="Exactly{V, U}"/> or <see cref="SkippingVanishing{V, U}"/>: each kernel holds one path.
/// </para>
/// </summary>
unsafe interface IUpdate<V> where V : struct, IVec<V>
{
    /// <summary>
    /// Whether a +0 gradient leaves the parameter (and there is no state) exactly as it is, so that a block whose gradient
    /// is known to be +0 need not be touched at all: plain SGD without weight decay, with a finite learning rate
    /// (RN(p + RN(+0 * -lr)) = RN(p + -0) = p for every p, -0 and NaN included).
    /// </summary>
    bool ZeroGradientKeeps { get; }
    /// <summary>Whether the kernels should run <see cref="ApplyExact"/> (this CPU's subnormals are slow and the rule's constants allow it).</summary>
    bool Exact { get; }
    /// <summary>Whether the kernels should run <see cref="ApplyVanishing"/> (<see cref="TinyPath.Vanishing"/>, and the rule has a divide to spare).</summary>
    bool Vanishing { get; }
    /// <summary>
    /// Whether <see cref="Apply"/> is too large to inline once per vector of a block (eight times): the JIT then runs out of
    /// inlining budget and calls even the vector operators out of line. Kernels apply such an update in a loop instead.
    /// </summary>
    static abstract bool Large { get; }
    /// <summary>
    /// Updates the vector of parameters at <paramref name="w"/> with gradient <paramref name="g"/>;
    /// <paramref name="m"/> is exp_avg / momentum_buffer, <paramref name="v"/> exp_avg_sq.
    /// </summary>
    void Apply(V g, float* w, float* m, float* v);
    /// <summary>The same update as <see cref="Apply"/>, bit for bit, without subnormal hardware operations where the state is tiny (only where <see cref="Exact"/>).</summary>
    void ApplyExact(V g, float* w, float* m, float* v);
    /// <summary>
    /// The same update as <see cref="Apply"/>, bit for bit, with the updates that cannot move their parameter zeroed before
    /// they are multiplied and divided, and the first moment decayed by an FMA (only where <see cref="Vanishing"/>).
    /// </summary>
    void ApplyVanishing(V g, float* w, float* m, float* v);
    /// <summary>
    /// <see cref="ApplyExact"/> for a vector with no <see cref="TinySecond"/> lane: the second moment (if any) through the
    /// plain operations, which are the same operations there (exact everywhere; only slow if a lane turns tiny after all).
    /// </summary>
    void ApplyExactFirst(V g, float* w, float* m, float* v);
    /// <summary>Lanes whose second moment at <paramref name="v"/> decays on the grid (none for SGD).</summary>
    V TinySecond(float* v);
    /// <summary>Whether vectors whose gradient is +0 and whose first moments are not <see cref="Moving"/> may take <see cref="ApplyStill"/>.</summary>
    bool StillPaths { get; }
    /// <summary>Lanes whose first moment at <paramref name="m"/> is too large for <see cref="ApplyStill"/>.</summary>
    V Moving(float* m);
    /// <summary>
    /// The exact update of a vector whose gradient is +0 in every lane and whose first moments are not <see cref="Moving"/>:
    /// no update can move its parameter, so only the moments decay (no square root, no divide). A vector where some lane's
    /// parameter or second moment breaks a further condition takes <see cref="ApplyExact"/>.
    /// </summary>
    void ApplyStill(float* w, float* m, float* v);
}

/// <summary>An update whose <see cref="Apply"/> is <typeparamref name="U"/>'s exact one.</summary>
readonly unsafe struct Exactly<V, U>(U u) : IUpdate<V> where V : struct, IVec<V> where U : struct, IUpdate<V>
{
    readonly U _u = u;
    public bool ZeroGradientKeeps => _u.ZeroGradientKeeps;
    public bool Exact => true;
    public bool Vanishing => false;
    public static bool Large => true;
    public bool StillPaths => _u.StillPaths;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Apply(V g, float* w, float* m, float* v) => _u.ApplyExact(g, w, m, v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void ApplyExact(V g, float* w, float* m, float* v) => _u.ApplyExact(g, w, m, v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void ApplyVanishing(V g, float* w, float* m, float* v) => _u.ApplyExact(g, w, m, v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void ApplyExactFirst(V g, float* w, float* m, float* v) => _u.ApplyExactFirst(g, w, m, v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public V TinySecond(float* v) => _u.TinySecond(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public V Moving(float* m) => _u.Moving(m);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void ApplyStill(float* w, float* m, float* v) => _u.ApplyStill(w, m, v);
}

/// <summary>An update whose <see cref="Apply"/> is <typeparamref name="U"/>'s <see cref="IUpdate{V}.ApplyVanishing"/>, no larger than the plain one.</summary>
readonly unsafe struct SkippingVanishing<V, U>(U u) : IUpdate<V> where V : struct, IVec<V> where U : struct, IUpdate<V>
{
    readonly U _u = u;
    public bool ZeroGradientKeeps => _u.ZeroGradientKeeps;
    public bool Exact => false;
    public bool Vanishing => true;
    public static bool Large => U.Large;
    public bool StillPaths => false;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Apply(V g, float* w, float* m, float* v) => _u.ApplyVanishing(g, w, m, v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void ApplyExact(V g, float* w, float* m, float* v) => _u.ApplyVanishing(g, w, m, v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void ApplyVanishing(V g, float* w, float* m, float* v) => _u.ApplyVanishing(g, w, m, v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void ApplyExactFirst(V g, float* w, float* m, float* v) => _u.ApplyVanishing(g, w, m, v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public V TinySecond(float* v) => V.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public V Moving(float* m) => V.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void ApplyStill(float* w, float* m, float* v) => _u.ApplyVanishing(V.Zero, w, m, v);
}

/// <summary>torch.optim.Adam (no amsgrad), with L2 weight decay.</summary>
readonly unsafe struct AdamUpdate<V> : IUpdate<V> where V : struct, IVec<V>
{
    readonly bool _decay, _divideByBc2, _exact, _vanishing;
    readonly V _wd, _b1, _oneMinusB1, _b2, _oneMinusB2, _eps, _bc2Sqrt, _negStep, _negZero;
    // The largest |exp_avg| whose update provably vanishes (bits), and that plus one; the least parameter magnitude for
    // which a vanishing update provably leaves it unchanged (bits).
    readonly int _stillLimit, _vanishingLimit, _paramLimit;
    // As vectors, made once per kernel call: the grid thresholds T(beta1), T(beta2) (V.Limit form), the vanishing limit, P - 1.
    readonly V _t1Limit, _t2Limit, _vanishingBits, _paramAbove;

    public AdamUpdate(in UpdateRule r)
    {
        _decay = r.WeightDecay != 0; _wd = V.Broadcast(r.WeightDecay);
        _b1 = V.Broadcast(r.Beta1); _oneMinusB1 = V.Broadcast(r.OneMinusBeta1);
        _b2 = V.Broadcast(r.Beta2); _oneMinusB2 = V.Broadcast(r.OneMinusBeta2);
        _eps = V.Broadcast(r.Eps); _bc2Sqrt = V.Broadcast(r.Bc2Sqrt); _negStep = V.Broadcast(r.NegStepSize);
        // x / 1 == x for every float: once bc2_sqrt rounds to 1 (Adam step >= ~16,600 at beta2 0.999), skip the division
        // (measured here, steps 18k-28k of 784-128-128-10: 8-18% more steps/s).
        _divideByBc2 = r.Bc2Sqrt != 1f;
        // |exp_avg| <= a makes |step_size * exp_avg| <= 2^-126, and then the update |u| <= RN(2^-126 / eps), since
        // denom >= eps: an upper bound on that is the float above the rounding of the double quotient (RN is monotone,
        // and the double quotient lies within a float ulp of the real one).
        float a = Tiny.LargestFactorBelowSmallestNormal(r.NegStepSize);
        _paramLimit = r.Eps > 0 ? Tiny.ParameterLimit(MathF.BitIncrement((float)(Math.ScaleB(1.0, -126) / r.Eps))) : 0;
        _stillLimit = BitConverter.SingleToInt32Bits(a);
        _vanishingLimit = _stillLimit + 1;
        _exact = Tiny.Path == TinyPath.Exact && Tiny.IsGridFactor(r.Beta1) && Tiny.IsGridFactor(r.Beta2) && _paramLimit != 0 && a > 0;
        _vanishing = Tiny.Path == TinyPath.Vanishing && _paramLimit != 0 && a > 0;
        _negZero = V.Broadcast(-0f);
        _t1Limit = V.Limit(_exact ? Tiny.GridThreshold(r.Beta1) : 0);
        _t2Limit = V.Limit(_exact ? Tiny.GridThreshold(r.Beta2) : 0);
        _vanishingBits = V.Bits(_vanishingLimit); _paramAbove = V.Bits(_paramLimit - 1);
    }

    public bool ZeroGradientKeeps => false;   // a +0 gradient still decays exp_avg and exp_avg_sq, and moves the parameter
    public bool Exact => _exact;
    public bool Vanishing => _vanishing;
    public static bool Large => false;
    // With weight decay the gradient of a still vector is p * wd, not +0.
    public bool StillPaths => _exact && !_decay;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public V Moving(float* m) => V.MagnitudeAbove(V.Load(m), _stillLimit);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public V TinySecond(float* v) => V.PositiveBelow(V.Load(v), _t2Limit);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply(V g, float* w, float* m, float* v) => PlainUpdate(g, w, m, v, skipVanishing: false);

    /// <summary>
    /// The plain operations, with exp_avg.mul_(b1) as RN(exp_avg * b1 + -0) (one rounding of the exact product, -0 added
    /// exactly: +0 + -0 = +0 and -0 + -0 = -0 keep the product's zero sign, and a NaN or infinity passes as in the multiply),
    /// and the updates of exp_avg values up to a zeroed where the parameter's magnitude reaches the limit (they cannot move
    /// it: see <see cref="Tiny"/>), so the step-size multiply and the divide never see a subnormal from exp_avg.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ApplyVanishing(V g, float* w, float* m, float* v) => PlainUpdate(g, w, m, v, skipVanishing: true);

    /// <summary>
    /// exp_avg with the lanes zeroed whose update cannot move the parameter: |exp_avg| &lt;= a (zero included: with |p| &gt;= P,
    /// p + (+-0) = p either way) where the parameter reaches the limit (see <see cref="Tiny"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    V WithoutVanishing(V ma, V p) => V.AndNot(ma, V.MagnitudeBelowWhereAbove(ma, _vanishingBits, p, _paramAbove));

    /// <summary>The plain update; <paramref name="skipVanishing"/> (a constant at each call) selects <see cref="ApplyVanishing"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    void PlainUpdate(V g, float* w, float* m, float* v, bool skipVanishing)
    {
        var p = V.Load(w);
        if (_decay) g = V.Fma(p, _wd, g);                                   // grad.add(param, alpha=wd)
        // exp_avg.mul_(b1).add_(grad, alpha=1-b1); exp_avg_sq.mul_(b2).addcmul_(grad, grad, value=1-b2)
        var m0 = V.Load(m);
        var ma = V.Fma(g, _oneMinusB1, skipVanishing ? V.Fma(m0, _b1, _negZero) : m0 * _b1);
        var va = V.Load(v) * _b2 + _oneMinusB2 * g * g;
        V.Store(ma, m); V.Store(va, v);
        // denom = (exp_avg_sq.sqrt() / bc2_sqrt).add_(eps); param.addcdiv_(exp_avg, denom, value=-step_size)
        var root = V.Sqrt(va);
        if (_divideByBc2) root = root / _bc2Sqrt;
        var denom = root + _eps;
        if (skipVanishing) ma = WithoutVanishing(ma, p);
        V.Store(p + _negStep * ma / denom, w);
    }

    /// <summary>
    /// The plain operations with the moments decayed on the grid where tiny, their FMA and add skipped where the gradient is
    /// +-0 and the decayed moment tiny (the result is the decayed moment itself), the square root of grid values through
    /// sqrt(2n), and the updates of exp_avg values up to a zeroed where the parameter's magnitude reaches the limit (they
    /// cannot move it: see <see cref="Tiny"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ApplyExact(V g, float* w, float* m, float* v) => ExactUpdate(g, w, m, v, second: true);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ApplyExactFirst(V g, float* w, float* m, float* v) => ExactUpdate(g, w, m, v, second: false);

    /// <summary>The exact update; <paramref name="second"/> (a constant at each call) whether exp_avg_sq may be tiny.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    void ExactUpdate(V g, float* w, float* m, float* v, bool second)
    {
        var p = V.Load(w);
        if (_decay) g = V.Fma(p, _wd, g);
        var m0 = V.Load(m); var v0 = V.Load(v);
        var gZero = V.IsZero(g);
        var ma = Tiny<V>.DecayThenFma(g, _oneMinusB1, m0, _b1, _t1Limit, gZero);
        V va, root;
        if (second)
        {
            var tinyV = V.PositiveBelow(v0, _t2Limit);
            var tv = Tiny<V>.Decay(v0, _b2, tinyV);
            var keepV = tinyV & gZero;
            va = V.Select(keepV, tv, V.AndNot(tv, keepV) + _oneMinusB2 * g * g);
            root = Tiny<V>.Sqrt(va);
        }
        else
        {
            va = v0 * _b2 + _oneMinusB2 * g * g;
            root = V.Sqrt(va);
        }
        V.Store(ma, m); V.Store(va, v);
        if (_divideByBc2) root = root / _bc2Sqrt;
        var denom = root + _eps;
        V.Store(p + _negStep * WithoutVanishing(ma, p) / denom, w);
    }

    /// <summary>
    /// Gradient +0 (no weight decay) and every |exp_avg| at most a: exp_avg becomes RN(exp_avg * b1) (+0 from +-0, as
    /// +0 * (1 - b1) + -0 = +0), exp_avg_sq RN(exp_avg_sq * b2) (+ +0), and every update is vanishing (|exp_avg| &lt;= a, and
    /// denom &gt;= eps while exp_avg_sq is in [0, inf]), which leaves a parameter of magnitude at least the limit unchanged
    /// (NaN excluded): the parameters stay as they are, so only the moments are written.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ApplyStill(float* w, float* m, float* v)
    {
        var p = V.Load(w); var v0 = V.Load(v);
        if (V.Any(V.MagnitudeBelow(p, _paramLimit) | V.MagnitudeAbove(p, 0x7F800000) | V.OutsideNonnegative(v0, 0x7F800000)))
        {
            ApplyExact(V.Zero, w, m, v);
            return;
        }
        V.Store(Tiny<V>.StillDecay(V.Load(m), _b1, _t1Limit), m);
        V.Store(Tiny<V>.Decay(v0, _b2, V.PositiveBelow(v0, _t2Limit)), v);
    }
}

/// <summary>torch.optim.SGD: plain, with momentum (and dampening), or Nesterov; with L2 weight decay.</summary>
readonly unsafe struct SgdUpdate<V> : IUpdate<V> where V : struct, IVec<V>
{
    readonly int _kind;   // 0 plain, 1 momentum, 2 nesterov
    readonly bool _first, _decay, _exact, _keeps;
    readonly V _negLr, _wd, _momentum, _oneMinusDampening;
    readonly int _paramLimit;
    readonly V _tLimit, _gridBits, _paramAbove;   // T(momentum) (V.Limit form), 2^-125's bits, P - 1: made once per kernel call

    public SgdUpdate(in UpdateRule r)
    {
        _kind = r.Kind; _first = r.FirstStep; _decay = r.WeightDecay != 0;
        _negLr = V.Broadcast(-r.Lr); _wd = V.Broadcast(r.WeightDecay);
        _momentum = V.Broadcast(r.Momentum); _oneMinusDampening = V.Broadcast(r.OneMinusDampening);
        // A direction below 2^-125 gives |lr * d| < lr * 2^-125.
        _paramLimit = Tiny.ParameterLimit((double)r.Lr * Math.ScaleB(1.0, -125));
        _exact = Tiny.Path == TinyPath.Exact && r.Kind is 1 or 2 && !r.FirstStep && Tiny.IsGridFactor(r.Momentum) && _paramLimit != 0;
        _tLimit = V.Limit(_exact ? Tiny.GridThreshold(r.Momentum) : 0); _gridBits = V.Bits(Tiny.GridLimit); _paramAbove = V.Bits(_paramLimit - 1);
        _keeps = r.Kind == 0 && !_decay && float.IsFinite(r.Lr);
    }

    public bool ZeroGradientKeeps => _keeps;
    public bool Exact => _exact;
    public bool Vanishing => false;   // SGD has no divide for tiny multiplies to stall
    public static bool Large => false;
    public bool StillPaths => _exact && !_decay;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public V Moving(float* m) => V.MagnitudeAbove(V.Load(m), Tiny.GridLimit - 1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public V TinySecond(float* v) => V.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ApplyExactFirst(V g, float* w, float* m, float* v) => ApplyExact(g, w, m, v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ApplyVanishing(V g, float* w, float* m, float* v) => Apply(g, w, m, v);

    /// <summary>
    /// Momentum after the first step with gradient +0 (no weight decay) and every buffer below 2^-125: the buffer becomes
    /// RN(buf * momentum) (+0 from +-0), still below 2^-125, and the direction (with Nesterov RN(buf * momentum), no larger,
    /// as momentum &lt;= 1) cannot move a parameter of magnitude at least the limit (NaN excluded): only the buffers are written.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ApplyStill(float* w, float* m, float* v)
    {
        var p = V.Load(w);
        if (V.Any(V.MagnitudeBelow(p, _paramLimit) | V.MagnitudeAbove(p, 0x7F800000)))
        {
            ApplyExact(V.Zero, w, m, v);
            return;
        }
        V.Store(Tiny<V>.StillDecay(V.Load(m), _momentum, _tLimit), m);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply(V g, float* w, float* m, float* v)
    {
        var p = V.Load(w);
        if (_decay) g = V.Fma(p, _wd, g);                                   // grad.add(param, alpha=wd)
        if (_kind != 0)
        {
            V buf = _first ? g : V.Fma(g, _oneMinusDampening, V.Load(m) * _momentum);
            V.Store(buf, m);
            g = _kind == 2 ? V.Fma(buf, _momentum, g) : buf;
        }
        V.Store(V.Fma(g, _negLr, p), w);                                       // param.add_(d_p, alpha=-lr)
    }

    /// <summary>
    /// Momentum after the first step, with the buffer decayed on the grid where tiny and its FMA skipped where the gradient
    /// is +-0 (the buffer is then the decayed value itself). A direction below 2^-125 (with momentum, the buffer; with
    /// Nesterov and a +-0 gradient, RN(buf * momentum), no larger, as momentum &lt;= 1) cannot move a parameter of
    /// magnitude at least the limit, so it is zeroed there; other lanes keep theirs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ApplyExact(V g, float* w, float* m, float* v)
    {
        var p = V.Load(w);
        if (_decay) g = V.Fma(p, _wd, g);
        var m0 = V.Load(m);
        var gZero = V.IsZero(g);
        var buf = Tiny<V>.DecayThenFma(g, _oneMinusDampening, m0, _momentum, _tLimit, gZero);
        V.Store(buf, m);
        // A buffer below 2^-125 (zero included: with |p| >= P, p + (+-0) = p either way) where the parameter reaches the limit.
        var vanishing = V.MagnitudeBelowWhereAbove(buf, _gridBits, p, _paramAbove);
        V d;
        // nesterov: grad.add(buf, alpha=momentum); the direction vanishes with the buffer only where the gradient is +-0
        if (_kind == 2) d = V.Fma(V.AndNot(buf, vanishing & gZero), _momentum, g);
        else d = V.AndNot(buf, vanishing);
        V.Store(V.Fma(d, _negLr, p), w);
    }
}
