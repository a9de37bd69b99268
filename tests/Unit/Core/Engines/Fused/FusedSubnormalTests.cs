using MnistClaims.Core.Engines.Fused;

namespace MnistClaims.Tests.Unit.Core.Engines.Fused;

/// <summary>
/// The fused engine's optimizer updates against the plain float32 computation, lane by lane and bit for bit, over
/// operands that exercise the exact tiny-value paths (<see cref="Tiny"/>): the whole subnormal range and the first
/// normal binade (the 2^-149 grid), both signs, zeros, the largest subnormal and smallest normal, exact half-way cases
/// of the grid decay, magnitudes across every binade (around the vanishing-update thresholds), infinities and NaN.
/// Every rule (Adam with and without bias correction and weight decay, SGD plain, with momentum, dampening and
/// Nesterov) runs through the weight kernel (two-vector and one-vector column blocks) and the bias kernel at both
/// vector widths (16 lanes run emulated on CPUs without AVX-512), on each tiny-state path: plain, vanishing updates
/// skipped (the AMD path), exact with its still forms (the Intel path).
/// </summary>
[TestFixture]
[NonParallelizable]   // switches Kernels.UseAvx512 and Tiny.Path
public unsafe class FusedSubnormalTests
{
    const int Rows = 16, Cols = 48;   // 48 columns: one two-vector block and a one-vector tail at 16 lanes, three blocks at 8

    public sealed record Rule(string Name, UpdateRule Value)
    {
        public override string ToString() => Name;
    }

    static UpdateRule Adam(double lr, double b1, double b2, double eps, int step, double wd = 0) => new()
    {
        Kind = 3, Lr = (float)lr, WeightDecay = (float)wd,
        Beta1 = (float)b1, OneMinusBeta1 = (float)(1 - b1), Beta2 = (float)b2, OneMinusBeta2 = (float)(1 - b2), Eps = (float)eps,
        Bc2Sqrt = (float)Math.Sqrt(1 - Math.Pow(b2, step)), NegStepSize = (float)(-(lr / (1 - Math.Pow(b1, step)))),
    };

    static UpdateRule Sgd(int kind, double lr, double momentum = 0, double dampening = 0, double wd = 0, bool first = false) => new()
    {
        Kind = kind, Lr = (float)lr, WeightDecay = (float)wd, Momentum = (float)momentum, OneMinusDampening = (float)(1 - dampening), FirstStep = first,
    };

    public static IEnumerable<Rule> Rules() =>
    [
        new("adam, step 20000 (no bias-correction divide)", Adam(1e-3, 0.9, 0.999, 1e-8, 20000)),
        new("adam, step 7", Adam(1e-3, 0.9, 0.999, 1e-8, 7)),
        new("adam, betas 0.75/0.625 (many grid ties), lr 3e-3", Adam(3e-3, 0.75, 0.625, 1e-8, 40)),
        new("adam, weight decay 1e-2", Adam(1e-3, 0.9, 0.999, 1e-8, 300, wd: 1e-2)),
        new("adam, eps 1e-30 (high parameter limit)", Adam(1e-3, 0.9, 0.999, 1e-30, 20000)),
        new("adam, beta1 0.5 (no grid path)", Adam(1e-3, 0.5, 0.999, 1e-8, 20000)),
        new("sgd", Sgd(0, 0.05)),
        new("sgd momentum 0.9", Sgd(1, 0.05, 0.9)),
        new("sgd momentum 0.9, first step", Sgd(1, 0.05, 0.9, first: true)),
        new("sgd momentum 0.75 (many grid ties), dampening 0.3", Sgd(1, 0.1, 0.75, dampening: 0.3)),
        new("sgd nesterov 0.9", Sgd(2, 0.05, 0.9)),
        new("sgd nesterov 0.9, weight decay 1e-3", Sgd(2, 0.05, 0.9, wd: 1e-3)),
    ];

    // ------------------------------------------------------------------ the plain float32 computation (the reference)
    /// <summary>One lane of the update in scalar float32 arithmetic, op for op as torch.optim 1.13 (and the plain kernel path).</summary>
    static (float P, float M, float V) Plain(in UpdateRule r, float g, float p, float m, float v)
    {
        if (r.WeightDecay != 0) g = MathF.FusedMultiplyAdd(p, r.WeightDecay, g);
        if (r.Kind == 3)
        {
            float ma = MathF.FusedMultiplyAdd(g, r.OneMinusBeta1, m * r.Beta1);
            float va = v * r.Beta2 + r.OneMinusBeta2 * g * g;
            float root = MathF.Sqrt(va);
            if (r.Bc2Sqrt != 1f) root /= r.Bc2Sqrt;
            float denom = root + r.Eps;
            return (p + r.NegStepSize * ma / denom, ma, va);
        }
        if (r.Kind != 0)
        {
            float buf = r.FirstStep ? g : MathF.FusedMultiplyAdd(g, r.OneMinusDampening, m * r.Momentum);
            m = buf;
            g = r.Kind == 2 ? MathF.FusedMultiplyAdd(buf, r.Momentum, g) : buf;
        }
        return (MathF.FusedMultiplyAdd(g, -r.Lr, p), m, v);
    }

    // ------------------------------------------------------------------ operands
    static float Bits(int b) => BitConverter.Int32BitsToSingle(b);
    static int Bits(float x) => BitConverter.SingleToInt32Bits(x);

    /// <summary>Magnitudes of interest on and around the grid (bit patterns), both signs are added by the caller.</summary>
    static readonly int[] SpecialBits =
    [
        0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 500, 501, 0x3FFFFF, 0x400000, 0x400001, 0x7FFFFE, 0x7FFFFF,   // subnormals: smallest .. largest, 2^22 (a tie at 0.9)
        0x800000, 0x800001, 0xC00000, 0xFFFFFE, 0xFFFFFF,                                            // smallest normal .. top of the grid, 3 * 2^22 (a tie)
        0x1000000, 0x1000001,                                                                        // 2^-125: just off the grid
    ];

    /// <summary>A random operand: the kind of value is drawn first, then the value; <paramref name="hot"/> draws what long runs produce.</summary>
    static float Draw(Random rng, char what, bool hot)
    {
        double u = rng.NextDouble();
        float x;
        if (what == 'g' && u < (hot ? 0.9 : 0.4)) x = 0f;                                   // unlit inputs: an exact zero gradient
        else if (what == 'p' && u < (hot ? 0.97 : 0.5)) x = (float)(Math.Exp(rng.NextDouble() * 14 - 14) * 0.5);   // weights
        else if (u < 0.985 && rng.Next(3) == 0) x = Bits(rng.Next(1, Tiny.GridLimit));      // anywhere on the grid
        else if (u < 0.985 && rng.Next(2) == 0) x = Bits(SpecialBits[rng.Next(SpecialBits.Length)]);
        else if (u < 0.985) x = Bits((rng.Next(1, 255 + 23) << 23 >> 0) + rng.Next(1 << 23) - (23 << 23) is var b && b > 0 ? b : 1);   // any binade
        else x = rng.Next(4) switch { 0 => float.PositiveInfinity, 1 => float.NaN, 2 => float.MaxValue, _ => float.Epsilon };
        if (what == 'v') return rng.Next(50) == 0 ? -x : MathF.Abs(x);                       // exp_avg_sq is never negative in a run; test both anyway
        return rng.Next(2) == 0 ? -x : x;
    }

    /// <summary>
    /// Where a zeroed update would first be wrong: a zero gradient and exp_avg_sq (so denom = eps and the update is as large
    /// as a moment of its size can make it), moments across the magnitudes whose updates vanish or nearly do, and
    /// parameters that are exact powers of two (whose lower neighbour is closest) or next to one, across the binades where
    /// the least parameter an update cannot move lies.
    /// </summary>
    static void Sweep(Random rng, out float p, out float m, out float v)
    {
        v = rng.Next(4) == 0 ? Bits(rng.Next(1, 64)) : 0f;
        m = MathF.ScaleB(1f + rng.Next(64) / 64f, rng.Next(-149, -90)) * (rng.Next(2) == 0 ? 1 : -1);
        p = MathF.ScaleB(1f, rng.Next(-110, -30)) * (rng.Next(2) == 0 ? 1 : -1);
        p = rng.Next(3) switch { 0 => p, 1 => MathF.BitDecrement(p), _ => MathF.BitIncrement(p) };
    }

    /// <summary>
    /// What the still path sees (with a zero gradient): moments on the grid, zero or just above it up to the largest
    /// exp_avg whose update provably vanishes (<paramref name="stillLimit"/>, inclusive), parameters of ordinary size; in a
    /// <paramref name="rogue"/> block one lane in eight breaks a condition (a moment just above the limit or large, a tiny,
    /// zero or NaN parameter, a NaN, infinite or negative exp_avg_sq).
    /// </summary>
    static void Still(Random rng, bool rogue, float stillLimit, out float p, out float m, out float v)
    {
        p = (float)(Math.Exp(rng.NextDouble() * 14 - 14) * 0.5) * (rng.Next(2) == 0 ? 1 : -1);
        m = rng.Next(5) switch
        {
            0 => 0f, 1 => Bits(SpecialBits[rng.Next(SpecialBits.Length)]), 2 => MathF.ScaleB(1f + rng.Next(64) / 64f, rng.Next(-130, Math.ILogB(stillLimit))),
            3 => rng.Next(4) == 0 ? stillLimit : MathF.BitDecrement(stillLimit), _ => Bits(rng.Next(1, Tiny.GridLimit)),
        };
        if (rng.Next(2) == 0) m = -m;
        v = rng.Next(3) == 0 ? Bits(rng.Next(1, Tiny.GridLimit)) : (float)Math.Exp(rng.NextDouble() * -60);
        if (!rogue || rng.Next(8) != 0) return;
        switch (rng.Next(8))
        {
            case 0: m = 1e-3f; break;
            case 1: p = 1e-35f; break;
            case 2: p = 0f; break;
            case 3: p = float.NaN; break;
            case 4: v = float.NaN; break;
            case 5: v = float.PositiveInfinity; break;
            case 6: m = MathF.BitIncrement(stillLimit) * (rng.Next(2) == 0 ? 1 : -1); break;
            default: v = -1e-20f; break;
        }
    }

    // ------------------------------------------------------------------ the test
    [Test]
    public void Every_update_rule_matches_the_plain_float_computation_bit_for_bit(
        [ValueSource(nameof(Rules))] Rule rule, [Values(8, 16)] int lanes, [Values] TinyPath path)
    {
        var r = rule.Value;
        bool old = Kernels.UseAvx512; var oldPath = Tiny.Path;
        Kernels.UseAvx512 = lanes == 16;
        Tiny.Path = path;
        var dz = Alloc(Rows); var a = Alloc(Cols); var w = Alloc(Rows * Cols); var m = Alloc(Rows * Cols); var v = Alloc(Rows * Cols);
        var bias = Alloc(Rows); var bm = Alloc(Rows); var bv = Alloc(Rows);
        try
        {
            var rng = new Random(Bits(r.Lr) ^ r.Kind * 7919 ^ (r.FirstStep ? 1 : 0) ^ Bits(r.Beta1) ^ Bits(r.Momentum));
            float stillLimit = r.Kind == 3 ? Tiny.LargestFactorBelowSmallestNormal(r.NegStepSize) : MathF.BitDecrement(MathF.ScaleB(1f, -125));
            var expected = new (float P, float M, float V)[Rows * Cols];
            int mismatches = 0; string? first = null;
            for (int call = 0; call < 600; call++)
            {
                // Batch of one row: gW[o, k] = fma(dz[o], a[k], +0) = a[k] for dz = 1 (and -0 becomes +0, as the kernel sums from +0).
                for (int o = 0; o < Rows; o++) dz[o] = 1f;
                // Every tenth call a sweep, and one with a +0 gradient (the still update, where whole blocks qualify); every fifth
                // call keeps exp_avg_sq off the grid (the exact update's first-moment-only variant, where whole blocks qualify).
                bool hot = call % 3 != 0, sweep = call % 10 == 9, still = call % 10 == 4, normalV = call % 5 == 2;
                for (int k = 0; k < Cols; k++) a[k] = sweep || still ? 0f : Draw(rng, 'g', hot);
                for (int i = 0; i < Rows * Cols; i++)
                {
                    if (sweep) Sweep(rng, out w[i], out m[i], out v[i]);
                    else if (still) Still(rng, (i / 64 + call) % 5 == 0, stillLimit, out w[i], out m[i], out v[i]);
                    else
                    {
                        // Whole 16-lane blocks share one mode, so that some vectors meet every precondition of the exact paths.
                        bool laneHot = hot && (i / 16 + call) % 4 != 0;
                        w[i] = Draw(rng, 'p', laneHot); m[i] = Draw(rng, 'm', laneHot); v[i] = Draw(rng, 'v', laneHot);
                        if (normalV && v[i] > 0 && v[i] < MathF.ScaleB(1f, -125)) v[i] = 0f;   // no exp_avg_sq on the grid (below 2^-125)
                    }
                    expected[i] = Plain(r, MathF.FusedMultiplyAdd(1f, a[i % Cols], 0f), w[i], m[i], v[i]);
                }
                Kernels.UpdateWeights(dz, Rows, a, Cols, 1, 0, Rows, Cols, w, m, v, Cols, in r);
                for (int i = 0; i < Rows * Cols; i++)
                    Compare(expected[i], (w[i], m[i], v[i]), $"call {call}, lane {i}, g={a[i % Cols]:R}");

                // The bias kernel: gb[o] = +0 + dz[o].
                for (int o = 0; o < Rows; o++) { dz[o] = Draw(rng, 'g', hot); bias[o] = Draw(rng, 'p', hot); bm[o] = Draw(rng, 'm', hot); bv[o] = Draw(rng, 'v', hot); }
                var eb = Enumerable.Range(0, Rows).Select(o => Plain(r, 0f + dz[o], bias[o], bm[o], bv[o])).ToArray();
                Kernels.UpdateBias(dz, Rows, 1, Rows, bias, bm, bv, in r);
                for (int o = 0; o < Rows; o++) Compare(eb[o], (bias[o], bm[o], bv[o]), $"call {call}, bias {o}, g={dz[o]:R}");
            }
            Assert.That(mismatches, Is.Zero, first);

            void Compare((float P, float M, float V) e, (float P, float M, float V) got, string where)
            {
                foreach (var (name, x, y) in new[] { ("param", e.P, got.P), ("exp_avg/buf", e.M, got.M), ("exp_avg_sq", e.V, got.V) })
                {
                    if (Bits(x) == Bits(y) || float.IsNaN(x) && float.IsNaN(y)) continue;   // NaN payloads follow operand order, as between widths
                    if (mismatches++ == 0) first = $"{rule}, {lanes} lanes, {path} path, {where}: {name} expected {x:R} (0x{Bits(x):x8}), got {y:R} (0x{Bits(y):x8})";
                }
            }
        }
        finally
        {
            Kernels.UseAvx512 = old; Tiny.Path = oldPath;
            foreach (var p in new[] { dz, a, w, m, v, bias, bm, bv }) System.Runtime.InteropServices.NativeMemory.AlignedFree(p);
        }
    }

    /// <summary>
    /// The exact and still paths do no subnormal arithmetic on the state long runs produce: moments on the grid or just
    /// above it with zero gradients, moments of lit inputs with ordinary gradients, ordinary parameters. Checked with
    /// MXCSR's sticky flags, which every SSE/AVX instruction sets when an operand is subnormal (DE) or a result underflows
    /// inexactly (UE), on every CPU. The plain path on the same state sets them, which shows that the check can fail.
    /// </summary>
    [Test]
    public void The_exact_paths_never_compute_with_a_subnormal([Values(3, 1, 2)] int kind, [Values(8, 16)] int lanes)
    {
        if (FusedNative.Mxcsr is null) Assert.Ignore("the native shim predates mc_mxcsr_get (rebuild: make native)");
        var r = kind == 3 ? Adam(1e-3, 0.9, 0.999, 1e-8, 20000) : Sgd(kind, 0.05, 0.9);
        bool old = Kernels.UseAvx512; var oldPath = Tiny.Path;
        var dz = Alloc(Rows); var a = Alloc(Cols); var w = Alloc(Rows * Cols); var m = Alloc(Rows * Cols); var v = Alloc(Rows * Cols);
        var b = Alloc(Rows); var bm = Alloc(Rows); var bv = Alloc(Rows);
        try
        {
            Kernels.UseAvx512 = lanes == 16;
            uint Flags(bool exact)
            {
                Tiny.Path = exact ? TinyPath.Exact : TinyPath.Plain;
                var rng = new Random(kind * 31 + lanes);
                for (int o = 0; o < Rows; o++) { dz[o] = o < Rows / 2 ? 0f : 1f; b[o] = 0.03f; bm[o] = o < Rows / 2 ? Bits(rng.Next(1, Tiny.GridLimit)) : 1e-3f; bv[o] = 1e-9f; }
                for (int k = 0; k < Cols; k++) a[k] = k % 16 < 12 ? 0f : 0.5f;     // columns 12-15 of each 16 lit
                for (int i = 0; i < Rows * Cols; i++)
                {
                    bool lit = i / Cols >= Rows / 2 && i % Cols % 16 >= 12;
                    w[i] = (float)(0.001 + rng.NextDouble() * 0.1) * (rng.Next(2) == 0 ? 1 : -1);
                    m[i] = lit ? 1e-3f : rng.Next(3) switch { 0 => 0f, 1 => Bits(rng.Next(1, 64)), _ => Bits(rng.Next(1, Tiny.GridLimit)) } * (rng.Next(2) == 0 ? 1 : -1);
                    v[i] = lit || rng.Next(2) == 0 ? 1e-9f : Bits(rng.Next(1, Tiny.GridLimit));
                }
                Kernels.UpdateWeights(dz, Rows, a, Cols, 1, 0, Rows, Cols, w, m, v, Cols, in r);   // compiles the kernels
                uint csr = FusedNative.Mxcsr!.Value;
                FusedNative.SetMxcsr(csr & ~0x3Fu);
                Kernels.UpdateWeights(dz, Rows, a, Cols, 1, 0, Rows, Cols, w, m, v, Cols, in r);
                Kernels.UpdateBias(dz, Rows, 1, Rows, b, bm, bv, in r);
                uint after = FusedNative.Mxcsr!.Value;
                FusedNative.SetMxcsr(csr);
                return after & 0x12;   // DE | UE
            }
            Assert.That(Flags(exact: false), Is.Not.Zero, "the plain path meets subnormals on this state (else the check below proves nothing)");
            Assert.That(Flags(exact: true), Is.Zero, "MXCSR flags DE (0x02) / UE (0x10) after the exact paths");
        }
        finally
        {
            Kernels.UseAvx512 = old; Tiny.Path = oldPath;
            foreach (var p in new[] { dz, a, w, m, v, b, bm, bv }) System.Runtime.InteropServices.NativeMemory.AlignedFree(p);
        }
    }

    /// <summary>
    /// Plain SGD leaves the parameters of a block whose inputs are all +0 untouched (Kernels.ZeroGradientVectors), which is
    /// exact only while every dZ is finite: a NaN or infinite dZ times +0 is NaN, and the plain update writes it. Batches of
    /// three rows, some input vectors zero in every row, some in only one; dZ finite, then with a NaN, then an infinity.
    /// </summary>
    [Test]
    public void Plain_sgd_skips_zero_input_blocks_only_while_every_dz_is_finite([Values(8, 16)] int lanes, [Values(0f, float.NaN, float.PositiveInfinity)] float odd)
    {
        const int n = 3;
        var r = Sgd(0, 0.01);
        bool old = Kernels.UseAvx512;
        Kernels.UseAvx512 = lanes == 16;
        var dz = Alloc(n * Rows); var a = Alloc(n * Cols); var w = Alloc(Rows * Cols);
        try
        {
            var rng = new Random(lanes);
            for (int i = 0; i < n; i++)
                for (int k = 0; k < Cols; k++)
                    a[i * Cols + k] = k < 16 || k >= 32 ? 0f : i == 1 ? (float)rng.NextDouble() : 0f;   // k 0-15 and 32-47 zero in every row, 16-31 only in rows 0 and 2
            for (int i = 0; i < n * Rows; i++) dz[i] = (float)(rng.NextDouble() - 0.5);
            if (odd != 0) dz[1 * Rows + 5] = odd;
            for (int i = 0; i < Rows * Cols; i++) w[i] = i % 7 == 0 ? -0f : i % 11 == 0 ? float.NaN : (float)(rng.NextDouble() - 0.5);
            var expected = new float[Rows * Cols];
            for (int o = 0; o < Rows; o++)
                for (int k = 0; k < Cols; k++)
                {
                    float g = 0f;
                    for (int i = 0; i < n; i++) g = MathF.FusedMultiplyAdd(dz[i * Rows + o], a[i * Cols + k], g);
                    expected[o * Cols + k] = MathF.FusedMultiplyAdd(g, -r.Lr, w[o * Cols + k]);
                }
            Kernels.UpdateWeights(dz, Rows, a, Cols, n, 0, Rows, Cols, w, null, null, Cols, in r);
            for (int i = 0; i < Rows * Cols; i++)
            {
                bool same = Bits(expected[i]) == Bits(w[i]) || float.IsNaN(expected[i]) && float.IsNaN(w[i]);
                Assert.That(same, $"lane {i} (row {i / Cols}, k {i % Cols}): expected {expected[i]:R}, got {w[i]:R}");
            }
            if (odd != 0) Assert.That(float.IsNaN(w[5 * Cols + 0]), "a non-finite dZ reaches the zero-input block's parameters");
        }
        finally
        {
            Kernels.UseAvx512 = old;
            foreach (var p in new[] { dz, a, w }) System.Runtime.InteropServices.NativeMemory.AlignedFree(p);
        }
    }

    /// <summary>
    /// The grid decay (one float FMA, n * c + 2^23) against the hardware product RN(x * c), exhaustively: every magnitude on
    /// the grid (bit patterns 1 to 2^24 - 1, subnormals and the first normal binade), positive and negative, for the betas
    /// and momenta the documents use and factors with many exact ties. Driven through the bias kernel with SGD momentum and a
    /// +0 gradient, whose exact update stores the decayed buffer RN(buf * momentum) itself (+0 * (1 - dampening) + t = t).
    /// Also checks the threshold T(c): the least n with n * c &gt;= 2^23.
    /// </summary>
    [Test]
    public void The_grid_decay_equals_the_float_product_at_every_magnitude_on_the_grid([Values(0.9f, 0.999f, 0.75f, 0.625f, 0.5000001f, 1f)] float c, [Values(8, 16)] int lanes)
    {
        int t = Tiny.GridThreshold(c);
        Assert.That((double)t * c, Is.GreaterThanOrEqualTo(8388608.0), "T(c) * c >= 2^23");
        Assert.That((double)(t - 1) * c, Is.LessThan(8388608.0), "(T(c) - 1) * c < 2^23");
        const int n = Tiny.GridLimit;   // bit patterns 0 .. 2^24 - 1
        bool old = Kernels.UseAvx512; var oldPath = Tiny.Path;
        var dz = Alloc(n); var b = Alloc(n); var m = Alloc(n);
        try
        {
            Kernels.UseAvx512 = lanes == 16;
            Tiny.Path = TinyPath.Exact;
            var r = Sgd(1, 0.05, c);
            foreach (int sign in new[] { 0, int.MinValue })
            {
                for (int i = 0; i < n; i++) { dz[i] = 0f; b[i] = 0.25f; m[i] = Bits(i | sign); }
                Kernels.UpdateBias(dz, n, 1, n, b, m, null, in r);
                for (int i = 0; i < n; i++)
                {
                    float x = Bits(i | sign), expected = MathF.FusedMultiplyAdd(0f, r.OneMinusDampening, x * c);
                    if (Bits(m[i]) != Bits(expected))
                        Assert.Fail($"c = {c:R}, {lanes} lanes: RN({x:R} (0x{Bits(x):x8}) * c) expected 0x{Bits(expected):x8}, got 0x{Bits(m[i]):x8}");
                }
            }
        }
        finally
        {
            Kernels.UseAvx512 = old; Tiny.Path = oldPath;
            foreach (var p in new[] { dz, b, m }) System.Runtime.InteropServices.NativeMemory.AlignedFree(p);
        }
    }

    static float* Alloc(int n) => (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)(n * sizeof(float)), 64);
}
