using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MnistClaims.Core.Engines.Fused;

/// <summary>How the fused engine's update kernels compute with tiny optimizer state (see <see cref="Tiny"/>); every path gives the same bits.</summary>
public enum TinyPath
{
    /// <summary>The plain IEEE operations: for CPUs that handle subnormal operands at full speed.</summary>
    Plain,
    /// <summary>
    /// The plain operations, except that Adam's updates too small to move their parameter are zeroed before the step-size
    /// multiply and the divide (so neither sees a subnormal), and exp_avg's decay multiply runs as an FMA with a -0 addend
    /// (the same rounding, zeros' signs included): for CPUs whose multiplies are fast on subnormals alone but stall the
    /// divider when they read or produce one, while FMAs do not (AMD Zen 4, measured).
    /// </summary>
    Vanishing,
    /// <summary>The exact updates with the moments decayed on the grid (<see cref="Tiny"/>): for CPUs with microcoded subnormals (Intel).</summary>
    Exact,
}

/// <summary>
/// Exact IEEE float32 results for the optimizer state's tiniest values without subnormal hardware operations.
/// <para>
/// Why: the moments of weights whose input is rarely nonzero (border pixels, dead ReLU units) decay by beta each step
/// into the subnormal range and stay there (with round-to-nearest, n * 2^-149 * 0.9 rounds back to n * 2^-149 for
/// n &lt;= 4, so exp_avg never reaches zero); at batch 2, a quarter of the first layer's exp_avg is subnormal after 20,000
/// steps. Without flush-to-zero, x86 cores run multiplies, divides, square roots and FMAs that read or produce
/// subnormals through microcode on Intel (60-80x per operation) and some AMD cores. Flush-to-zero would change results
/// (libtorch keeps IEEE semantics), so the update can compute those lanes exactly by other means:
/// </para>
/// <list type="number">
/// <item><b>The grid.</b> Every float below 2^-125 in magnitude is an integer multiple of 2^-149, and its bit pattern
/// (sign aside) is that integer n, for subnormals (bits = n &lt; 2^23) and for the first normal binade alike
/// (bits = 2^23 + (n - 2^23)). So a float's magnitude bits below 2^24 mean |x| = n * 2^-149 exactly, and a result
/// below 2^-125 rounds, in IEEE round-to-nearest-even, to the nearest multiple of 2^-149, ties to the even one.</item>
/// <item><b>Decay on the grid</b> (<see cref="IVec{TSelf}.GridMultiply"/>): for such x and a factor 0 &lt; c &lt;= 1 with
/// n * c &lt; 2^23, RN(x * c) = RN_int(n * c) * 2^-149 with x's sign (the product is below 2^-126, where IEEE rounding is to
/// the nearest multiple of 2^-149, ties to the even one, up to 2^-126 itself, which is on the grid too). n is exact as a
/// float (n &lt; 2^24), and the float FMA n * c + 2^23 rounds the exact sum once; the sum lies in [2^23, 2^24], where the
/// floats are exactly the integers, so that rounding is to the nearest integer with ties to even (2^23 is even), and
/// the sum's bits minus those of 2^23 are the rounded integer k (2^24 gives k = 2^23, the smallest normal's bits). No
/// double rounding: the only rounding is to the integer, which is the float rounding. A lane takes this path when n is
/// below the <see cref="Tiny.GridThreshold">threshold</see> T(c), the least n with n * c &gt;= 2^23; a lane at or above
/// it holds a normal x (T &gt;= 2^23 as c &lt;= 1) whose product is normal (n * c &gt;= 2^23), so the hardware multiply
/// sees no subnormal either, provided T &lt;= 2^24 (c &gt;= 1/2).</item>
/// <item><b>Square root on the grid</b>: for 0 &lt; x = n * 2^-149 with n &lt; 2^24, sqrt(x) = sqrt(2n) * 2^-75. 2n is exact
/// as a float, sqrt(2n) &gt;= 1.41 is a normal operand and result, and multiplying by 2^-75 is exact (an exponent
/// change, the result stays above 2^-75 &gt; 2^-126), so RN(sqrt(x)) = RN(sqrt(2n)) * 2^-75 bit for bit.</item>
/// <item><b>Vanishing updates</b>: an update too small to move its parameter is replaced by zero before it meets the
/// multiply and divide that would see it as a subnormal. If every real value the original chain can produce for the
/// update u is at most B in magnitude and 2^e &lt;= |p| with e &gt;= floor(log2 B) + 26, then |u| &lt; 2^(e-25), half the
/// smallest spacing of floats next to p (2^(e-24), below a power of two), so RN(p + u) = p with no tie; and with u
/// zeroed, RN(p + (+-0)) = p too. So each rule has a parameter limit P = 2^(floor(log2 B) + 26), and only lanes with
/// |p| &gt;= P (not NaN) are zeroed. For Adam, |exp_avg| &lt;= a with |step_size| * a &lt;= 2^-126 gives
/// |step_size * exp_avg| &lt;= 2^-126 and, as denom &gt;= eps, B = RN(2^-126 / eps); for SGD with momentum, a buffer below
/// 2^-125 gives B = lr * 2^-125.</item>
/// </list>
/// <para>
/// The exact update (<see cref="IUpdate{V}.ApplyExact"/>) performs the plain operations with both moments decayed on the
/// grid where they are tiny, the square root of grid values through sqrt(2n), and vanishing updates zeroed, lane by lane
/// with masks and no branch: in long runs most vectors hold some tiny lane (a PyTorch replica of a batch-2 Adam run at
/// step 20,000: 77% of the first layer's 16-lane vectors, 96% of the second's), so the kernels run it for every vector
/// instead of choosing per vector. Where the gradient is +-0 and the decayed moment is tiny, the moment's update is the
/// decayed value itself (+-0 * c + t = t exactly for t != 0), so those lanes skip the FMA and add that would see it as a
/// subnormal operand. Per block of eight vectors the kernels pick one of three forms with one branch: the still update
/// where the gradient is +0 and every first moment is too small to move a parameter (dead units, long-unlit inputs: 26%
/// of the replica's first-layer vectors; only the moments decay, no square root or divide), the exact update without the
/// second moment's grid operations where no exp_avg_sq is tiny (those operations are then the plain ones), else the
/// whole exact update. Lanes the masks do not cover (a nonzero gradient meeting a tiny moment, a tiny update of a
/// parameter below the limit, a squared gradient that underflows) keep the hardware operation: exact, only slow, and
/// rare. All this runs only on CPUs where subnormal multiplies are slow (<see cref="TinyPath.Exact"/>). Where the hardware
/// multiplies and FMAs subnormals at full speed but a multiply that reads or produces one stalls the divider (AMD Zen 4,
/// measured), the plain update only zeroes its vanishing updates before the step-size multiply and the divide, and decays
/// exp_avg with an FMA, RN(x * b + -0) = RN(x * b) (<see cref="TinyPath.Vanishing"/>); elsewhere it stays plain. Every form
/// equals the plain IEEE code lane for lane (unit tests: FusedSubnormalTests), so results never depend on which one ran.
/// </para>
/// </summary>
public static class Tiny
{
    /// <summary>
    /// How the update kernels treat tiny optimizer state on this CPU (<see cref="Detect"/>, once per process). The choice
    /// never changes results; tests and <c>harness bench --tiny-path</c> switch it to check or time each path.
    /// </summary>
    public static TinyPath Path { get; set; } = Detect();

    /// <summary>
    /// <see cref="TinyPath.Exact"/> where a multiply pass over subnormal operands is more than 1.5x slower than over normal
    /// ones (microcoded subnormals: Intel, measured 46-56x); else <see cref="TinyPath.Vanishing"/> where a decay-and-divide
    /// pass (x * 0.9f / 0.7f, Adam's first moment on its way to the update) is more than 1.3x slower (AMD Zen 4, measured
    /// 2x: multiplies there are fast alone, but those that read or produce a subnormal stall the divider); else
    /// <see cref="TinyPath.Plain"/>. Best of five passes over 16,384 floats each: well under a millisecond.
    /// </summary>
    public static TinyPath Detect() =>
        SubnormalMultiplyIsSlow() ? TinyPath.Exact
        : Ratio(DecayDividePassSeconds(16384, 5)) > SlowDecayDivideRatio ? TinyPath.Vanishing : TinyPath.Plain;

    /// <summary>The subnormal-to-normal time ratio of the multiply pass above which <see cref="Detect"/> picks <see cref="TinyPath.Exact"/>.</summary>
    public const double SlowMultiplyRatio = 1.5;
    /// <summary>The ratio of the decay-and-divide pass above which <see cref="Detect"/> picks <see cref="TinyPath.Vanishing"/>.</summary>
    public const double SlowDecayDivideRatio = 1.3;

    /// <summary>Whether a multiply pass over 16,384 subnormal floats takes more than 1.5x one over normal floats (best of five each).</summary>
    public static bool SubnormalMultiplyIsSlow() => Ratio(MultiplyPassSeconds(16384, 5)) > SlowMultiplyRatio;

    static double Ratio((double Normal, double Subnormal) t) => t.Subnormal / t.Normal;

    /// <summary>Best time of <paramref name="passes"/> multiply passes (x * 0.9f, stored) over n normal, then n subnormal floats.</summary>
    public static unsafe (double Normal, double Subnormal) MultiplyPassSeconds(int n, int passes) => PassSeconds(n, passes, &MultiplyPass);

    /// <summary>The same for decay-and-divide passes (x * 0.9f / 0.7f, stored).</summary>
    public static unsafe (double Normal, double Subnormal) DecayDividePassSeconds(int n, int passes) => PassSeconds(n, passes, &DecayDividePass);

    /// <summary>
    /// Best time of <paramref name="passes"/> runs of <paramref name="pass"/> (reading x, writing y; after one untimed
    /// warm-up run) over n normal floats (0.5 to 0.94), then over n subnormal ones (1e-40 to 1.9e-40).
    /// </summary>
    public static unsafe (double Normal, double Subnormal) PassSeconds(int n, int passes, delegate*<float*, float*, int, void> pass)
    {
        n = (n + 7) / 8 * 8;
        var x = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)n * sizeof(float), 64);
        var y = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)n * sizeof(float), 64);
        try
        {
            double Best(float value)
            {
                for (int i = 0; i < n; i++) x[i] = value * (1 + (i & 7) / 8f);
                pass(x, y, n);
                long best = long.MaxValue;
                for (int r = 0; r < passes; r++)
                {
                    long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
                    pass(x, y, n);
                    best = Math.Min(best, System.Diagnostics.Stopwatch.GetTimestamp() - t0);
                }
                return (double)best / System.Diagnostics.Stopwatch.Frequency;
            }
            return (Best(0.5f), Best(1e-40f));
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.AlignedFree(x);
            System.Runtime.InteropServices.NativeMemory.AlignedFree(y);
        }
    }

    /// <summary>y = x * 0.9f, the decay of a moment, over n floats (n a multiple of 8).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    static unsafe void MultiplyPass(float* x, float* y, int n)
    {
        var c = Vector256.Create(0.9f);
        for (int i = 0; i < n; i += 8) (Vector256.Load(x + i) * c).Store(y + i);
    }

    /// <summary>y = x * 0.9f / 0.7f over n floats (n a multiple of 8): a decayed moment divided, as in Adam's update.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    static unsafe void DecayDividePass(float* x, float* y, int n)
    {
        Vector256<float> c = Vector256.Create(0.9f), d = Vector256.Create(0.7f);
        for (int i = 0; i < n; i += 8) (Vector256.Load(x + i) * c / d).Store(y + i);
    }

    /// <summary>Bits of 2^-125: magnitudes below it lie on the 2^-149 grid (their bit pattern is the multiple).</summary>
    public const int GridLimit = 1 << 24;

    /// <summary>Whether the grid decay by <paramref name="c"/> leaves no subnormal to the hardware multiply: 1/2 &lt; c &lt;= 1.</summary>
    public static bool IsGridFactor(float c) => c > 0.5f && c <= 1f;

    /// <summary>
    /// T(c), for 1/2 &lt; c &lt;= 1: the least integer n with n * c &gt;= 2^23 (exactly: n * c is exact in double). Magnitudes
    /// whose bit pattern lies in [1, T) decay on the grid; from T up the hardware product is normal.
    /// </summary>
    public static int GridThreshold(float c)
    {
        if (!IsGridFactor(c)) throw new ArgumentOutOfRangeException(nameof(c), c, "expected 1/2 < c <= 1");
        const double target = 8388608.0;   // 2^23
        long n = (long)Math.Ceiling(target / c);
        while (n > 1 && (n - 1) * (double)c >= target) n--;
        while (n * (double)c < target) n++;
        return (int)n;
    }

    /// <summary>
    /// Bits of the least power of two P such that RN(p + u) = p for every |p| &gt;= P and every real |u| &lt;= bound
    /// (P = 2^(floor(log2 bound) + 26)); 0 when there is none (bound not finite or P would overflow).
    /// </summary>
    public static int ParameterLimit(double bound)
    {
        if (!(bound > 0) || double.IsInfinity(bound)) return 0;
        int e = Math.ILogB(bound) + 26;
        if (e > 127) return 0;
        return (Math.Max(e, -126) + 127) << 23;   // below 2^-126, requiring the smallest normal is stricter and still correct
    }

    /// <summary>The largest float a &gt;= 0 with |s| * a &lt;= 2^-126 (exactly: float times float is exact in double).</summary>
    public static float LargestFactorBelowSmallestNormal(float s)
    {
        double abs = Math.Abs((double)s), limit = Math.ScaleB(1.0, -126);
        if (!(abs > 0) || double.IsInfinity(abs)) return 0;
        float a = (float)Math.Min(limit / abs, float.MaxValue);
        while (a > 0 && (double)a * abs > limit) a = MathF.BitDecrement(a);
        return a;
    }
}

/// <summary>The exact tiny-value operations, written once over the vector width.</summary>
static class Tiny<V> where V : struct, IVec<V>
{
    /// <summary>
    /// RN(x * b) in every lane for 1/2 &lt; b &lt;= 1, with no subnormal operand or result: the lanes of <paramref name="grid"/>
    /// (magnitude bits in [1, T(b)), see <see cref="Tiny.GridThreshold"/>) on the grid, the rest (zeros among them) in hardware.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Decay(V x, V b, V grid) => V.Select(grid, V.GridMultiply(x, b), V.AndNot(x, grid) * b);

    /// <summary>
    /// RN(g * c + RN(x * b)), the first moment's update (exp_avg.mul_(b).add_(grad, alpha=c), and SGD's buffer), with x
    /// decayed on the grid where its magnitude bits lie in [1, T(b)) (<paramref name="limit"/> from V.Limit(T(b))). Where
    /// the gradient is also +-0 (<paramref name="gZero"/>) the result is the decayed value itself (+-0 * c + t = t exactly,
    /// as t != 0), so those lanes skip the FMA and it never sees them as a subnormal addend.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V DecayThenFma(V g, V c, V x, V b, V limit, V gZero)
    {
        var tiny = V.NonzeroMagnitudeBelow(x, limit);
        var t = Decay(x, b, tiny);
        var keep = tiny & gZero;
        return V.Select(keep, t, V.Fma(g, c, V.AndNot(t, keep)));
    }

    /// <summary>The same with a +0 gradient in every lane: RN(x * b), and +0 from +-0 (+0 * c + -0 = +0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V StillDecay(V x, V b, V limit) => V.AndNot(Decay(x, b, V.NonzeroMagnitudeBelow(x, limit)), V.IsZero(x));

    /// <summary>RN(sqrt(x)) in every lane, with positive grid lanes (x &lt; 2^-125) through sqrt(2n) * 2^-75.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Sqrt(V x)
    {
        var grid = V.PositiveBelow(x, Tiny.GridLimit);
        var r = V.Sqrt(V.Select(grid, V.TwiceBitsAsFloat(x), x));
        return V.Select(grid, V.ScaleDownByPowerOfTwo(r, 75), r);
    }
}
