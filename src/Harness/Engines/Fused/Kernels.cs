using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MnistClaims.Harness.Engines.Fused;

/// <summary>Optimizer constants for one step, as float32 scalars the way ATen casts them for float tensors.</summary>
public unsafe struct UpdateRule
{
    public int Kind;            // 0 = SGD, 1 = SGD+momentum, 2 = SGD+nesterov, 3 = Adam
    public bool FirstStep;      // SGD momentum: buf = clone(d_p) on the first step
    public float Lr, WeightDecay, Momentum, OneMinusDampening;
    public float Beta1, OneMinusBeta1, Beta2, OneMinusBeta2, Eps, Bc2Sqrt, NegStepSize;

    /// <summary>
    /// Applies one update to 8 parameters at <paramref name="w"/> with gradient <paramref name="g"/>;
    /// <paramref name="m"/> is exp_avg / momentum_buffer, <paramref name="v"/> exp_avg_sq.
    /// Op order mirrors torch/optim 1.13 _single_tensor_sgd/_single_tensor_adam.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Apply(Vector256<float> g, float* w, float* m, float* v)
    {
        var p = Vector256.Load(w);
        if (WeightDecay != 0) g = Fma.MultiplyAdd(p, Vector256.Create(WeightDecay), g);  // grad.add(param, alpha=wd)
        if (Kind == 3)
        {
            // exp_avg.mul_(b1).add_(grad, alpha=1-b1); exp_avg_sq.mul_(b2).addcmul_(grad, grad, value=1-b2)
            var ma = Fma.MultiplyAdd(g, Vector256.Create(OneMinusBeta1), Vector256.Load(m) * Vector256.Create(Beta1));
            var va = Vector256.Load(v) * Vector256.Create(Beta2) + Vector256.Create(OneMinusBeta2) * g * g;
            ma.Store(m); va.Store(v);
            // denom = (exp_avg_sq.sqrt() / bc2_sqrt).add_(eps); param.addcdiv_(exp_avg, denom, value=-step_size)
            var denom = Vector256.Sqrt(va) / Vector256.Create(Bc2Sqrt) + Vector256.Create(Eps);
            (p + Vector256.Create(NegStepSize) * ma / denom).Store(w);
            return;
        }
        if (Kind != 0)
        {
            Vector256<float> buf = FirstStep ? g : Fma.MultiplyAdd(g, Vector256.Create(OneMinusDampening), Vector256.Load(m) * Vector256.Create(Momentum));
            buf.Store(m);
            g = Kind == 2 ? Fma.MultiplyAdd(buf, Vector256.Create(Momentum), g) : buf;
        }
        Fma.MultiplyAdd(g, Vector256.Create(-Lr), p).Store(w);   // param.add_(d_p, alpha=-lr)
    }
}

/// <summary>
/// Register-blocked AVX2/FMA kernels over padded row-major float32 buffers. Every width (k, out) is a
/// multiple of 16 and padding is zero, so no kernel needs a column tail; only batch rows have tails.
/// </summary>
public static unsafe class Kernels
{
    public static bool Supported => Fma.IsSupported && Avx2.IsSupported;

    /// <summary>Z[i, o] = bias[o] + sum_k A[i, k] W[o, k] for rows i in [i0, i1), all outputs o &lt; nOut (multiple of 16).</summary>
    public static void Forward(float* a, int lda, int i0, int i1, float* w, int ldw, int nOut, float* bias, float* z, int ldz)
    {
        int kLen = lda < ldw ? lda : ldw;
        int i = i0;
        for (; i + 4 <= i1; i += 4)
            for (int o = 0; o < nOut; o += 2)
                Fwd42(a + (long)i * lda, lda, w + (long)o * ldw, ldw, kLen, bias + o, z + (long)i * ldz + o, ldz);
        for (; i < i1; i++)
            for (int o = 0; o < nOut; o += 4)
                Fwd14(a + (long)i * lda, w + (long)o * ldw, ldw, kLen, bias + o, z + (long)i * ldz + o);
    }

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

    /// <summary>dA[i, k] = sum_o dZ[i, o] W[o, k] for rows i in [i0, i1), all k &lt; kLen (multiple of 16).</summary>
    public static void BackwardInput(float* dz, int ldz, int nOut, int i0, int i1, float* w, int ldw, int kLen, float* da, int lda)
    {
        int i = i0;
        for (; i + 4 <= i1; i += 4)
            for (int k = 0; k < kLen; k += 16)
                Bwd42(dz + (long)i * ldz, ldz, nOut, w + k, ldw, da + (long)i * lda + k, lda);
        for (; i < i1; i++)
            for (int k = 0; k < kLen; k += 16)
                Bwd12(dz + (long)i * ldz, nOut, w + k, ldw, da + (long)i * lda + k);
    }

    static void Bwd42(float* dz, int ldz, int nOut, float* w, int ldw, float* da, int lda)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        float* d1 = dz + ldz; float* d2 = d1 + ldz; float* d3 = d2 + ldz;
        for (int o = 0; o < nOut; o++, w += ldw)
        {
            var x0 = Vector256.Load(w); var x1 = Vector256.Load(w + 8);
            var s = Vector256.Create(dz[o]); c00 = Fma.MultiplyAdd(s, x0, c00); c01 = Fma.MultiplyAdd(s, x1, c01);
            s = Vector256.Create(d1[o]); c10 = Fma.MultiplyAdd(s, x0, c10); c11 = Fma.MultiplyAdd(s, x1, c11);
            s = Vector256.Create(d2[o]); c20 = Fma.MultiplyAdd(s, x0, c20); c21 = Fma.MultiplyAdd(s, x1, c21);
            s = Vector256.Create(d3[o]); c30 = Fma.MultiplyAdd(s, x0, c30); c31 = Fma.MultiplyAdd(s, x1, c31);
        }
        c00.Store(da); c01.Store(da + 8); da += lda;
        c10.Store(da); c11.Store(da + 8); da += lda;
        c20.Store(da); c21.Store(da + 8); da += lda;
        c30.Store(da); c31.Store(da + 8);
    }

    static void Bwd12(float* dz, int nOut, float* w, int ldw, float* da)
    {
        Vector256<float> c0 = default, c1 = default;
        for (int o = 0; o < nOut; o++, w += ldw)
        {
            var s = Vector256.Create(dz[o]);
            c0 = Fma.MultiplyAdd(s, Vector256.Load(w), c0); c1 = Fma.MultiplyAdd(s, Vector256.Load(w + 8), c1);
        }
        c0.Store(da); c1.Store(da + 8);
    }

    /// <summary>
    /// gW[o, k] = sum_i dZ[i, o] A[i, k] for W rows o in [o0, o1) (multiples of 4), fused with the optimizer
    /// update of those rows: the gradient never touches memory.
    /// </summary>
    public static void UpdateWeights(float* dz, int ldz, float* a, int lda, int n, int o0, int o1, int kLen,
        float* w, float* m, float* v, int ldw, in UpdateRule rule)
    {
        for (int o = o0; o < o1; o += 4)
        {
            for (int k = 0; k < kLen; k += 16)
            {
                Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
                float* ai = a + k; float* di = dz + o;
                for (int i = 0; i < n; i++, ai += lda, di += ldz)
                {
                    var x0 = Vector256.Load(ai); var x1 = Vector256.Load(ai + 8);
                    var s = Vector256.Create(di[0]); c00 = Fma.MultiplyAdd(s, x0, c00); c01 = Fma.MultiplyAdd(s, x1, c01);
                    s = Vector256.Create(di[1]); c10 = Fma.MultiplyAdd(s, x0, c10); c11 = Fma.MultiplyAdd(s, x1, c11);
                    s = Vector256.Create(di[2]); c20 = Fma.MultiplyAdd(s, x0, c20); c21 = Fma.MultiplyAdd(s, x1, c21);
                    s = Vector256.Create(di[3]); c30 = Fma.MultiplyAdd(s, x0, c30); c31 = Fma.MultiplyAdd(s, x1, c31);
                }
                long off = (long)o * ldw + k;
                rule.Apply(c00, w + off, m + off, v + off); rule.Apply(c01, w + off + 8, m + off + 8, v + off + 8); off += ldw;
                rule.Apply(c10, w + off, m + off, v + off); rule.Apply(c11, w + off + 8, m + off + 8, v + off + 8); off += ldw;
                rule.Apply(c20, w + off, m + off, v + off); rule.Apply(c21, w + off + 8, m + off + 8, v + off + 8); off += ldw;
                rule.Apply(c30, w + off, m + off, v + off); rule.Apply(c31, w + off + 8, m + off + 8, v + off + 8);
            }
        }
    }

    /// <summary>gb[o] = sum_i dZ[i, o], fused with the update of the bias (nOut a multiple of 16).</summary>
    public static void UpdateBias(float* dz, int ldz, int n, int nOut, float* b, float* m, float* v, in UpdateRule rule)
    {
        for (int o = 0; o < nOut; o += 8)
        {
            Vector256<float> c = default;
            float* di = dz + o;
            for (int i = 0; i < n; i++, di += ldz) c += Vector256.Load(di);
            rule.Apply(c, b + o, m + o, v + o);
        }
    }
}
