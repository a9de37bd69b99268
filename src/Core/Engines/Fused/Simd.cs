using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MnistClaims.Core.Engines.Fused;

/// <summary>
/// A float32 SIMD vector of either width, so that an element-wise kernel is written once and the JIT
/// specialises it for 8 lanes (AVX2) and 16 lanes (AVX-512). Each operation is the same IEEE operation on
/// every lane at either width, so a kernel whose per-element operation order does not depend on the width
/// gives the same bits at both widths (the fused engine's results do not depend on the CPU's vector width).
/// </summary>
public unsafe interface IVec<TSelf> where TSelf : struct, IVec<TSelf>
{
    static abstract int Count { get; }
    static abstract TSelf Load(float* p);
    static abstract void Store(TSelf v, float* p);
    static abstract TSelf Broadcast(float x);
    /// <summary>a * b + c, rounded once.</summary>
    static abstract TSelf Fma(TSelf a, TSelf b, TSelf c);
    static abstract TSelf Sqrt(TSelf a);
    static abstract TSelf operator +(TSelf a, TSelf b);
    static abstract TSelf operator *(TSelf a, TSelf b);
    static abstract TSelf operator /(TSelf a, TSelf b);
}

/// <summary>8 lanes: AVX2 + FMA.</summary>
public readonly unsafe struct V8(Vector256<float> x) : IVec<V8>
{
    public readonly Vector256<float> X = x;
    public static int Count => 8;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V8 Load(float* p) => new(Vector256.Load(p));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(V8 v, float* p) => v.X.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V8 Broadcast(float x) => new(Vector256.Create(x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V8 Fma(V8 a, V8 b, V8 c) => new(System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(a.X, b.X, c.X));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V8 Sqrt(V8 a) => new(Vector256.Sqrt(a.X));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V8 operator +(V8 a, V8 b) => new(a.X + b.X);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V8 operator *(V8 a, V8 b) => new(a.X * b.X);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V8 operator /(V8 a, V8 b) => new(a.X / b.X);
}

/// <summary>16 lanes: AVX-512F.</summary>
public readonly unsafe struct V16(Vector512<float> x) : IVec<V16>
{
    public readonly Vector512<float> X = x;
    public static int Count => 16;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V16 Load(float* p) => new(Vector512.Load(p));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(V16 v, float* p) => v.X.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V16 Broadcast(float x) => new(Vector512.Create(x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V16 Fma(V16 a, V16 b, V16 c) => new(Avx512F.FusedMultiplyAdd(a.X, b.X, c.X));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V16 Sqrt(V16 a) => new(Vector512.Sqrt(a.X));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V16 operator +(V16 a, V16 b) => new(a.X + b.X);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V16 operator *(V16 a, V16 b) => new(a.X * b.X);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V16 operator /(V16 a, V16 b) => new(a.X / b.X);
}
