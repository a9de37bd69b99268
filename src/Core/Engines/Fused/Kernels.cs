using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MnistClaims.Core.Engines.Fused;

/// <summary>
/// Register-blocked AVX2/FMA and AVX-512 kernels over padded row-major float32 buffers. Every width (k, out)
/// is a multiple of 16 and padding is zero, so no kernel needs a partial vector: batch rows have tails, and the
/// kernels that take two vectors of columns at a time finish an odd count with one.
/// <para>
/// Every output element is computed by the same sequence of IEEE operations at either vector width (the
/// reductions keep their order; wider vectors only cover more independent elements), so the fused engine
/// gives the same bits on an AVX2-only CPU and on an AVX-512 one. Work is split between threads by output
/// element, never inside a reduction, so the thread count does not change the bits either.
/// </para>
/// </summary>
public static unsafe class Kernels
{
    // Every kernel is [AggressiveOptimization]: compiled fully optimised once, without tiering or dynamic PGO.
    // Measured here: with PGO, a profile gathered while a network only ran forward passes (evaluation) made the
    // training step's code paths 2x slower for the rest of the process.
    public static bool Supported => Fma.IsSupported && Avx2.IsSupported;

    /// <summary>Whether this CPU (and runtime) runs 512-bit vectors natively.</summary>
    public static bool Avx512Supported => Avx512F.IsSupported && Avx512DQ.IsSupported && Vector512.IsHardwareAccelerated;

    static bool _useAvx512 = Avx512Supported;

    /// <summary>
    /// The 16-lane kernels (default where AVX-512 is supported). Elsewhere they can still be switched on: they then run
    /// emulated through the portable Vector512 API (see <see cref="V16"/>), many times slower, which is what the width
    /// test does to check on any machine that both widths give the same bits. Real runs use the default.
    /// </summary>
    public static bool UseAvx512
    {
        get => _useAvx512;
        set => _useAvx512 = value;
    }

    /// <summary>The instruction set the kernels use now: "avx512", "avx512-emulated" or "avx2".</summary>
    public static string Isa => !_useAvx512 ? "avx2" : Avx512Supported ? "avx512" : "avx512-emulated";

    // ------------------------------------------------------------------ forward
    /// <summary>
    /// Z[i, o] = bias[o] + sum_k A[i, k] W[o, k] for rows i in [i0, i1) and outputs o in [o0, o1) (multiples of 4).
    /// Each dot product accumulates 8 lanes over k in steps of 8, then sums the lanes with Vector256.Sum.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(float* a, int lda, int i0, int i1, float* w, int ldw, int o0, int o1, float* bias, float* z, int ldz)
    {
        int kLen = lda < ldw ? lda : ldw;
        int i = i0;
        if (_useAvx512)
        {
            for (; i + 8 <= i1; i += 8)
                for (int o = o0; o < o1; o += 4)
                    Fwd512x84(a + (long)i * lda, lda, w + (long)o * ldw, ldw, kLen, bias + o, z + (long)i * ldz + o, ldz);
            for (; i + 4 <= i1; i += 4)
                for (int o = o0; o < o1; o += 4)
                    Fwd512x44(a + (long)i * lda, lda, w + (long)o * ldw, ldw, kLen, bias + o, z + (long)i * ldz + o, ldz);
            for (; i + 2 <= i1; i += 2)
                for (int o = o0; o < o1; o += 4)
                    Fwd512x24(a + (long)i * lda, lda, w + (long)o * ldw, ldw, kLen, bias + o, z + (long)i * ldz + o, ldz);
        }
        else
        {
            for (; i + 4 <= i1; i += 4)
                for (int o = o0; o < o1; o += 2)
                    Fwd42(a + (long)i * lda, lda, w + (long)o * ldw, ldw, kLen, bias + o, z + (long)i * ldz + o, ldz);
        }
        for (; i < i1; i++)
            for (int o = o0; o < o1; o += 4)
                Fwd14(a + (long)i * lda, w + (long)o * ldw, ldw, kLen, bias + o, z + (long)i * ldz + o);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Fwd42(float* a, int lda, float* w, int ldw, int kLen, float* bias, float* z, int ldz)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        float* w1 = w + ldw; float* a1 = a + lda; float* a2 = a1 + lda; float* a3 = a2 + lda;
        for (int k = 0; k < kLen; k += 8)
        {
            var x0 = Vector256.Load(w + k); var x1 = Vector256.Load(w1 + k);
            var v = Vector256.Load(a + k); c00 = Fma.MultiplyAdd(v, x0, c00); c01 = Fma.MultiplyAdd(v, x1, c01);
            v = Vector256.Load(a1 + k); c10 = Fma.MultiplyAdd(v, x0, c10); c11 = Fma.MultiplyAdd(v, x1, c11);
            v = Vector256.Load(a2 + k); c20 = Fma.MultiplyAdd(v, x0, c20); c21 = Fma.MultiplyAdd(v, x1, c21);
            v = Vector256.Load(a3 + k); c30 = Fma.MultiplyAdd(v, x0, c30); c31 = Fma.MultiplyAdd(v, x1, c31);
        }
        float b0 = bias[0], b1 = bias[1];
        z[0] = b0 + Vector256.Sum(c00); z[1] = b1 + Vector256.Sum(c01); z += ldz;
        z[0] = b0 + Vector256.Sum(c10); z[1] = b1 + Vector256.Sum(c11); z += ldz;
        z[0] = b0 + Vector256.Sum(c20); z[1] = b1 + Vector256.Sum(c21); z += ldz;
        z[0] = b0 + Vector256.Sum(c30); z[1] = b1 + Vector256.Sum(c31);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Fwd14(float* a, float* w, int ldw, int kLen, float* bias, float* z)
    {
        Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default;
        float* w1 = w + ldw; float* w2 = w1 + ldw; float* w3 = w2 + ldw;
        for (int k = 0; k < kLen; k += 8)
        {
            var v = Vector256.Load(a + k);
            c0 = Fma.MultiplyAdd(v, Vector256.Load(w + k), c0);
            c1 = Fma.MultiplyAdd(v, Vector256.Load(w1 + k), c1);
            c2 = Fma.MultiplyAdd(v, Vector256.Load(w2 + k), c2);
            c3 = Fma.MultiplyAdd(v, Vector256.Load(w3 + k), c3);
        }
        z[0] = bias[0] + Vector256.Sum(c0); z[1] = bias[1] + Vector256.Sum(c1);
        z[2] = bias[2] + Vector256.Sum(c2); z[3] = bias[3] + Vector256.Sum(c3);
    }

    // AVX-512 forward: one zmm holds the 8-lane accumulators of two rows (low half: row i, high half: row i+1)
    // for one output, fed by both rows' k-chunk against the output's chunk broadcast to both halves. Lane for
    // lane this is the AVX2 kernels' arithmetic, at twice the width.

    /// <summary>Rows i..i+7 (four pairs) x outputs o..o+3: 16 accumulators, enough to keep both FMA pipes busy.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Fwd512x84(float* a, int lda, float* w, int ldw, int kLen, float* bias, float* z, int ldz)
    {
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default, c10 = default, c11 = default, c12 = default, c13 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default, c30 = default, c31 = default, c32 = default, c33 = default;
        float* a1 = a + lda; float* a2 = a1 + lda; float* a3 = a2 + lda; float* a4 = a3 + lda; float* a5 = a4 + lda; float* a6 = a5 + lda; float* a7 = a6 + lda;
        float* w1 = w + ldw; float* w2 = w1 + ldw; float* w3 = w2 + ldw;
        for (int k = 0; k < kLen; k += 8)
        {
            var x0 = Vector512.Create(Vector256.Load(a + k), Vector256.Load(a1 + k));
            var x1 = Vector512.Create(Vector256.Load(a2 + k), Vector256.Load(a3 + k));
            var x2 = Vector512.Create(Vector256.Load(a4 + k), Vector256.Load(a5 + k));
            var x3 = Vector512.Create(Vector256.Load(a6 + k), Vector256.Load(a7 + k));
            var y = V16.BroadcastHalf(w + k);
            c00 = V16.FusedMultiplyAdd(x0, y, c00); c10 = V16.FusedMultiplyAdd(x1, y, c10); c20 = V16.FusedMultiplyAdd(x2, y, c20); c30 = V16.FusedMultiplyAdd(x3, y, c30);
            y = V16.BroadcastHalf(w1 + k);
            c01 = V16.FusedMultiplyAdd(x0, y, c01); c11 = V16.FusedMultiplyAdd(x1, y, c11); c21 = V16.FusedMultiplyAdd(x2, y, c21); c31 = V16.FusedMultiplyAdd(x3, y, c31);
            y = V16.BroadcastHalf(w2 + k);
            c02 = V16.FusedMultiplyAdd(x0, y, c02); c12 = V16.FusedMultiplyAdd(x1, y, c12); c22 = V16.FusedMultiplyAdd(x2, y, c22); c32 = V16.FusedMultiplyAdd(x3, y, c32);
            y = V16.BroadcastHalf(w3 + k);
            c03 = V16.FusedMultiplyAdd(x0, y, c03); c13 = V16.FusedMultiplyAdd(x1, y, c13); c23 = V16.FusedMultiplyAdd(x2, y, c23); c33 = V16.FusedMultiplyAdd(x3, y, c33);
        }
        StorePair(c00, c01, c02, c03, bias, z, ldz);
        StorePair(c10, c11, c12, c13, bias, z + 2L * ldz, ldz);
        StorePair(c20, c21, c22, c23, bias, z + 4L * ldz, ldz);
        StorePair(c30, c31, c32, c33, bias, z + 6L * ldz, ldz);
    }

    /// <summary>Rows i..i+3 (two pairs) x outputs o..o+3.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Fwd512x44(float* a, int lda, float* w, int ldw, int kLen, float* bias, float* z, int ldz)
    {
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default, c10 = default, c11 = default, c12 = default, c13 = default;
        float* a1 = a + lda; float* a2 = a1 + lda; float* a3 = a2 + lda;
        float* w1 = w + ldw; float* w2 = w1 + ldw; float* w3 = w2 + ldw;
        for (int k = 0; k < kLen; k += 8)
        {
            var x0 = Vector512.Create(Vector256.Load(a + k), Vector256.Load(a1 + k));
            var x1 = Vector512.Create(Vector256.Load(a2 + k), Vector256.Load(a3 + k));
            var y = V16.BroadcastHalf(w + k); c00 = V16.FusedMultiplyAdd(x0, y, c00); c10 = V16.FusedMultiplyAdd(x1, y, c10);
            y = V16.BroadcastHalf(w1 + k); c01 = V16.FusedMultiplyAdd(x0, y, c01); c11 = V16.FusedMultiplyAdd(x1, y, c11);
            y = V16.BroadcastHalf(w2 + k); c02 = V16.FusedMultiplyAdd(x0, y, c02); c12 = V16.FusedMultiplyAdd(x1, y, c12);
            y = V16.BroadcastHalf(w3 + k); c03 = V16.FusedMultiplyAdd(x0, y, c03); c13 = V16.FusedMultiplyAdd(x1, y, c13);
        }
        StorePair(c00, c01, c02, c03, bias, z, ldz);
        StorePair(c10, c11, c12, c13, bias, z + 2L * ldz, ldz);
    }

    /// <summary>Rows i, i+1 x outputs o..o+3.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Fwd512x24(float* a, int lda, float* w, int ldw, int kLen, float* bias, float* z, int ldz)
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default;
        float* a1 = a + lda; float* w1 = w + ldw; float* w2 = w1 + ldw; float* w3 = w2 + ldw;
        for (int k = 0; k < kLen; k += 8)
        {
            var x = Vector512.Create(Vector256.Load(a + k), Vector256.Load(a1 + k));
            c0 = V16.FusedMultiplyAdd(x, V16.BroadcastHalf(w + k), c0);
            c1 = V16.FusedMultiplyAdd(x, V16.BroadcastHalf(w1 + k), c1);
            c2 = V16.FusedMultiplyAdd(x, V16.BroadcastHalf(w2 + k), c2);
            c3 = V16.FusedMultiplyAdd(x, V16.BroadcastHalf(w3 + k), c3);
        }
        StorePair(c0, c1, c2, c3, bias, z, ldz);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void StorePair(Vector512<float> c0, Vector512<float> c1, Vector512<float> c2, Vector512<float> c3, float* bias, float* z, int ldz)
    {
        float b0 = bias[0], b1 = bias[1], b2 = bias[2], b3 = bias[3];
        z[0] = b0 + Vector256.Sum(c0.GetLower()); z[1] = b1 + Vector256.Sum(c1.GetLower());
        z[2] = b2 + Vector256.Sum(c2.GetLower()); z[3] = b3 + Vector256.Sum(c3.GetLower());
        z += ldz;
        z[0] = b0 + Vector256.Sum(c0.GetUpper()); z[1] = b1 + Vector256.Sum(c1.GetUpper());
        z[2] = b2 + Vector256.Sum(c2.GetUpper()); z[3] = b3 + Vector256.Sum(c3.GetUpper());
    }

    // ------------------------------------------------------------------ backward (input gradient)
    /// <summary>dA[i, k] = sum_o dZ[i, o] W[o, k] (o ascending) for rows i in [i0, i1) and k in [k0, k1) (multiples of 16).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BackwardInput(float* dz, int ldz, int nOut, int i0, int i1, float* w, int ldw, int k0, int k1, float* da, int lda)
    {
        if (_useAvx512) BackwardInput<V16>(dz, ldz, nOut, i0, i1, w, ldw, k0, k1, da, lda);
        else BackwardInput<V8>(dz, ldz, nOut, i0, i1, w, ldw, k0, k1, da, lda);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void BackwardInput<V>(float* dz, int ldz, int nOut, int i0, int i1, float* w, int ldw, int k0, int k1, float* da, int lda)
        where V : struct, IVec<V>
    {
        int c = V.Count, i = i0;
        for (; i + 4 <= i1; i += 4)
        {
            int k = k0;
            for (; k + 2 * c <= k1; k += 2 * c) Bwd4<V>(dz + (long)i * ldz, ldz, nOut, w + k, ldw, da + (long)i * lda + k, lda);
            for (; k < k1; k += c)
                for (int r = 0; r < 4; r++) Bwd1<V>(dz + (long)(i + r) * ldz, nOut, w + k, ldw, da + (long)(i + r) * lda + k);
        }
        for (; i < i1; i++)
            for (int k = k0; k < k1; k += c) Bwd1<V>(dz + (long)i * ldz, nOut, w + k, ldw, da + (long)i * lda + k);
    }

    /// <summary>Four rows x two vectors of k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Bwd4<V>(float* dz, int ldz, int nOut, float* w, int ldw, float* da, int lda) where V : struct, IVec<V>
    {
        V c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        float* d1 = dz + ldz; float* d2 = d1 + ldz; float* d3 = d2 + ldz;
        for (int o = 0; o < nOut; o++, w += ldw)
        {
            var x0 = V.Load(w); var x1 = V.Load(w + V.Count);
            var s = V.Broadcast(dz[o]); c00 = V.Fma(s, x0, c00); c01 = V.Fma(s, x1, c01);
            s = V.Broadcast(d1[o]); c10 = V.Fma(s, x0, c10); c11 = V.Fma(s, x1, c11);
            s = V.Broadcast(d2[o]); c20 = V.Fma(s, x0, c20); c21 = V.Fma(s, x1, c21);
            s = V.Broadcast(d3[o]); c30 = V.Fma(s, x0, c30); c31 = V.Fma(s, x1, c31);
        }
        int n = V.Count;
        V.Store(c00, da); V.Store(c01, da + n); da += lda;
        V.Store(c10, da); V.Store(c11, da + n); da += lda;
        V.Store(c20, da); V.Store(c21, da + n); da += lda;
        V.Store(c30, da); V.Store(c31, da + n);
    }

    /// <summary>One row x one vector of k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Bwd1<V>(float* dz, int nOut, float* w, int ldw, float* da) where V : struct, IVec<V>
    {
        V c = default;
        for (int o = 0; o < nOut; o++, w += ldw) c = V.Fma(V.Broadcast(dz[o]), V.Load(w), c);
        V.Store(c, da);
    }

    // ------------------------------------------------------------------ weight gradient fused with the update
    /// <summary>
    /// gW[o, k] = sum_i dZ[i, o] A[i, k] (i ascending) for W rows o in [o0, o1) (multiples of 4), fused with the
    /// optimizer update of those rows: the gradient never touches memory.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void UpdateWeights(float* dz, int ldz, float* a, int lda, int n, int o0, int o1, int kLen,
        float* w, float* m, float* v, int ldw, in UpdateRule rule)
    {
        if (_useAvx512)
        {
            if (rule.Kind == 3) UpdateWeights<V16, AdamUpdate<V16>>(dz, ldz, a, lda, n, o0, o1, kLen, w, m, v, ldw, new(rule));
            else UpdateWeights<V16, SgdUpdate<V16>>(dz, ldz, a, lda, n, o0, o1, kLen, w, m, v, ldw, new(rule));
        }
        else if (rule.Kind == 3) UpdateWeights<V8, AdamUpdate<V8>>(dz, ldz, a, lda, n, o0, o1, kLen, w, m, v, ldw, new(rule));
        else UpdateWeights<V8, SgdUpdate<V8>>(dz, ldz, a, lda, n, o0, o1, kLen, w, m, v, ldw, new(rule));
    }

    /// <summary>The kernel compiled for the update's exact path, its vanishing-update path or its plain one (see <see cref="IUpdate{V}"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void UpdateWeights<V, U>(float* dz, int ldz, float* a, int lda, int n, int o0, int o1, int kLen,
        float* w, float* m, float* v, int ldw, U u) where V : struct, IVec<V> where U : struct, IUpdate<V>
    {
        if (u.Exact)
        {
            var e = new Exactly<V, U>(u);
            UpdateWeights<V, Exactly<V, U>>(dz, ldz, a, lda, n, o0, o1, kLen, w, m, v, ldw, ref e);
        }
        else if (u.Vanishing)
        {
            var s = new SkippingVanishing<V, U>(u);
            UpdateWeights<V, SkippingVanishing<V, U>>(dz, ldz, a, lda, n, o0, o1, kLen, w, m, v, ldw, ref s);
        }
        else UpdateWeights<V, U>(dz, ldz, a, lda, n, o0, o1, kLen, w, m, v, ldw, ref u);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void UpdateWeights<V, U>(float* dz, int ldz, float* a, int lda, int n, int o0, int o1, int kLen,
        float* w, float* m, float* v, int ldw, ref U u) where V : struct, IVec<V> where U : struct, IUpdate<V>
    {
        int c = V.Count;
        float* spill = stackalloc float[8 * 16];   // one block's gradient, for a large update
        bool* zero = stackalloc bool[(kLen + c - 1) / c];
        bool skip = u.ZeroGradientKeeps && ZeroGradientVectors<V>(dz, ldz, a, lda, n, o0, o1, kLen, zero);
        for (int o = o0; o < o1; o += 4)
        {
            int k = 0;
            for (; k + 2 * c <= kLen; k += 2 * c)
            {
                if (skip && zero[k / c] && zero[k / c + 1]) continue;
                if (U.Large) GradThenLoop<V, U>(dz + o, ldz, a + k, lda, n, 2, (long)o * ldw + k, w, m, v, ldw, spill, ref u);
                else Grad4x2<V, U>(dz + o, ldz, a + k, lda, n, (long)o * ldw + k, w, m, v, ldw, ref u);
            }
            for (; k < kLen; k += c)
            {
                if (skip && zero[k / c]) continue;
                if (U.Large) GradThenLoop<V, U>(dz + o, ldz, a + k, lda, n, 1, (long)o * ldw + k, w, m, v, ldw, spill, ref u);
                else Grad4x1<V, U>(dz + o, ldz, a + k, lda, n, (long)o * ldw + k, w, m, v, ldw, ref u);
            }
        }
    }

    /// <summary>
    /// Marks in <paramref name="zero"/> the vectors of k whose gradient is +0 in every W row of [o0, o1): those where every
    /// input of the batch is +0 (bit pattern zero), provided every dZ of those rows is finite. Then each product is an exact
    /// +-0 and the sum, which starts from +0, stays +0 (RN(+0 + -0) = +0), bit for bit what the full sum gives. False when
    /// some dZ is not finite (NaN or infinity times 0 is NaN): then no vector is marked. MNIST scaled to [0, 1] is about 80%
    /// zeros, whole rows at the borders, so per-sample SGD (document 003) skips about half of its first layer's update.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    static bool ZeroGradientVectors<V>(float* dz, int ldz, float* a, int lda, int n, int o0, int o1, int kLen, bool* zero) where V : struct, IVec<V>
    {
        for (int i = 0; i < n; i++)
            for (int o = o0; o < o1; o++)
                if (!float.IsFinite(dz[(long)i * ldz + o])) return false;
        int c = V.Count;
        for (int j = 0; j * c < kLen; j++)
        {
            var any = V.Zero;
            for (int i = 0; i < n; i++) any |= V.Load(a + (long)i * lda + j * c);
            zero[j] = V.AllBitsZero(any);
        }
        return true;
    }

    /// <summary>Four W rows x two vectors of k: gradient over the batch, then the (plain) update.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Grad4x2<V, U>(float* di, int ldz, float* ai, int lda, int n, long off, float* w, float* m, float* v, int ldw, ref U u)
        where V : struct, IVec<V> where U : struct, IUpdate<V>
    {
        int c = V.Count;
        V c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        for (int i = 0; i < n; i++, ai += lda, di += ldz)
        {
            var x0 = V.Load(ai); var x1 = V.Load(ai + c);
            var s = V.Broadcast(di[0]); c00 = V.Fma(s, x0, c00); c01 = V.Fma(s, x1, c01);
            s = V.Broadcast(di[1]); c10 = V.Fma(s, x0, c10); c11 = V.Fma(s, x1, c11);
            s = V.Broadcast(di[2]); c20 = V.Fma(s, x0, c20); c21 = V.Fma(s, x1, c21);
            s = V.Broadcast(di[3]); c30 = V.Fma(s, x0, c30); c31 = V.Fma(s, x1, c31);
        }
        u.Apply(c00, w + off, m + off, v + off); u.Apply(c01, w + off + c, m + off + c, v + off + c); off += ldw;
        u.Apply(c10, w + off, m + off, v + off); u.Apply(c11, w + off + c, m + off + c, v + off + c); off += ldw;
        u.Apply(c20, w + off, m + off, v + off); u.Apply(c21, w + off + c, m + off + c, v + off + c); off += ldw;
        u.Apply(c30, w + off, m + off, v + off); u.Apply(c31, w + off + c, m + off + c, v + off + c);
    }

    /// <summary>Four W rows x one vector of k (the k tail when a row is an odd number of vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Grad4x1<V, U>(float* di, int ldz, float* ai, int lda, int n, long off, float* w, float* m, float* v, int ldw, ref U u)
        where V : struct, IVec<V> where U : struct, IUpdate<V>
    {
        V c0 = default, c1 = default, c2 = default, c3 = default;
        for (int i = 0; i < n; i++, ai += lda, di += ldz)
        {
            var x = V.Load(ai);
            c0 = V.Fma(V.Broadcast(di[0]), x, c0); c1 = V.Fma(V.Broadcast(di[1]), x, c1);
            c2 = V.Fma(V.Broadcast(di[2]), x, c2); c3 = V.Fma(V.Broadcast(di[3]), x, c3);
        }
        u.Apply(c0, w + off, m + off, v + off); off += ldw;
        u.Apply(c1, w + off, m + off, v + off); off += ldw;
        u.Apply(c2, w + off, m + off, v + off); off += ldw;
        u.Apply(c3, w + off, m + off, v + off);
    }

    /// <summary>
    /// Four W rows x <paramref name="vectors"/> vectors of k for a <see cref="IUpdate{V}.Large"/> update: the gradient over the
    /// batch (the same sums as <see cref="Grad4x2{V, U}"/>) into <paramref name="g"/>, then one vector at a time through a
    /// single inlined copy of the update. Out of line, so that the kernel itself stays within the JIT's inlining budget.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    static void GradThenLoop<V, U>(float* di, int ldz, float* ai, int lda, int n, int vectors, long off, float* w, float* m, float* v, int ldw, float* g, ref U update)
        where V : struct, IVec<V> where U : struct, IUpdate<V>
    {
        var u = update;   // a local copy: its constants cannot alias the parameters and moments written below, so they stay in registers
        int c = V.Count;
        for (int j = 0; j < vectors; j++)
        {
            V c0 = default, c1 = default, c2 = default, c3 = default;
            float* d = di, x = ai + j * c;
            for (int i = 0; i < n; i++, x += lda, d += ldz)
            {
                var xv = V.Load(x);
                c0 = V.Fma(V.Broadcast(d[0]), xv, c0); c1 = V.Fma(V.Broadcast(d[1]), xv, c1);
                c2 = V.Fma(V.Broadcast(d[2]), xv, c2); c3 = V.Fma(V.Broadcast(d[3]), xv, c3);
            }
            V.Store(c0, g + (0 * vectors + j) * c); V.Store(c1, g + (1 * vectors + j) * c);
            V.Store(c2, g + (2 * vectors + j) * c); V.Store(c3, g + (3 * vectors + j) * c);
        }
        // Which exact update the block takes: a block whose gradient is +0 everywhere and whose first moments are all tiny
        // (dead units, long-unlit inputs) only decays its moments; else the second moment needs the grid only where some
        // exp_avg_sq is tiny. One branch per block, taken the same way for long runs of blocks.
        V gAny = V.Zero, moving = V.Zero, tinySecond = V.Zero;
        for (int r = 0, i = 0; r < 4; r++)
            for (int j = 0; j < vectors; j++, i++)
            {
                long at = off + (long)r * ldw + j * c;
                gAny |= V.Load(g + i * c); moving |= u.Moving(m + at); tinySecond |= u.TinySecond(v + at);
            }
        if (u.StillPaths && V.AllBitsZero(gAny) && !V.Any(moving))
        {
            for (int r = 0; r < 4; r++, off += ldw)
                for (int j = 0; j < vectors; j++) { long at = off + j * c; u.ApplyStill(w + at, m + at, v + at); }
        }
        else if (V.Any(tinySecond))
        {
            for (int r = 0; r < 4; r++, off += ldw)
                for (int j = 0; j < vectors; j++, g += c) { long at = off + j * c; u.ApplyExact(V.Load(g), w + at, m + at, v + at); }
        }
        else
        {
            for (int r = 0; r < 4; r++, off += ldw)
                for (int j = 0; j < vectors; j++, g += c) { long at = off + j * c; u.ApplyExactFirst(V.Load(g), w + at, m + at, v + at); }
        }
    }

    /// <summary>gb[o] = sum_i dZ[i, o] (from +0, i ascending), fused with the update of the bias (nOut a multiple of 16).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void UpdateBias(float* dz, int ldz, int n, int nOut, float* b, float* m, float* v, in UpdateRule rule)
    {
        if (_useAvx512)
        {
            if (rule.Kind == 3) UpdateBias<V16, AdamUpdate<V16>>(dz, ldz, n, nOut, b, m, v, new(rule));
            else UpdateBias<V16, SgdUpdate<V16>>(dz, ldz, n, nOut, b, m, v, new(rule));
        }
        else if (rule.Kind == 3) UpdateBias<V8, AdamUpdate<V8>>(dz, ldz, n, nOut, b, m, v, new(rule));
        else UpdateBias<V8, SgdUpdate<V8>>(dz, ldz, n, nOut, b, m, v, new(rule));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void UpdateBias<V, U>(float* dz, int ldz, int n, int nOut, float* b, float* m, float* v, U u) where V : struct, IVec<V> where U : struct, IUpdate<V>
    {
        if (u.Exact)
        {
            var e = new Exactly<V, U>(u);
            UpdateBias<V, Exactly<V, U>>(dz, ldz, n, nOut, b, m, v, ref e);
        }
        else if (u.Vanishing)
        {
            var s = new SkippingVanishing<V, U>(u);
            UpdateBias<V, SkippingVanishing<V, U>>(dz, ldz, n, nOut, b, m, v, ref s);
        }
        else UpdateBias<V, U>(dz, ldz, n, nOut, b, m, v, ref u);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void UpdateBias<V, U>(float* dz, int ldz, int n, int nOut, float* b, float* m, float* v, ref U u) where V : struct, IVec<V> where U : struct, IUpdate<V>
    {
        for (int o = 0; o < nOut; o += V.Count)
        {
            V c = default;
            float* di = dz + o;
            for (int i = 0; i < n; i++, di += ldz) c += V.Load(di);
            u.Apply(c, b + o, m + o, v + o);
        }
    }
}
