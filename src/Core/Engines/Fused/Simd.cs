using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MnistClaims.Core.Engines.Fused;

/// <summary>
/// A float32 SIMD vector of either width, so that an element-wise kernel is written once and the JIT
/// specialises it for 8 lanes (AVX2) and 16 lanes (AVX-512). Each operation is the same IEEE operation on
/// every lane at either width, so a kernel whose per-element operation order does not depend on the width
/// gives the same bits at both widths (the fused engine's results do not depend on the CPU's vector width).
/// <para>
/// Besides IEEE arithmetic it offers lane masks (all bits set where a condition holds) and the few exact
/// integer/double operations the subnormal-free update paths need (<see cref="Tiny{V}"/>); those are exact, so
/// they too give the same bits at both widths.
/// </para>
/// </summary>
public unsafe interface IVec<TSelf> where TSelf : struct, IVec<TSelf>
{
    static abstract int Count { get; }
    static abstract TSelf Zero { get; }
    static abstract TSelf Load(float* p);
    static abstract void Store(TSelf v, float* p);
    static abstract TSelf Broadcast(float x);
    /// <summary>a * b + c, rounded once.</summary>
    static abstract TSelf Fma(TSelf a, TSelf b, TSelf c);
    static abstract TSelf Sqrt(TSelf a);
    static abstract TSelf operator +(TSelf a, TSelf b);
    static abstract TSelf operator *(TSelf a, TSelf b);
    static abstract TSelf operator /(TSelf a, TSelf b);

    // ---- lane masks and bit-level operations (no floating-point arithmetic, so no subnormal operand either)
    /// <summary>Bitwise and / or (of masks, or of a value and a mask).</summary>
    static abstract TSelf operator &(TSelf a, TSelf b);
    static abstract TSelf operator |(TSelf a, TSelf b);
    /// <summary>Lanes of <paramref name="a"/> where <paramref name="mask"/> (a mask: lanes all ones or all zeros) is set, else of <paramref name="b"/>.</summary>
    static abstract TSelf Select(TSelf mask, TSelf a, TSelf b);
    /// <summary>x with the lanes of <paramref name="mask"/> cleared to +0.</summary>
    static abstract TSelf AndNot(TSelf x, TSelf mask);
    /// <summary>Whether any lane of the mask is set.</summary>
    static abstract bool Any(TSelf mask);
    /// <summary>Whether every bit of every lane is zero (all lanes +0).</summary>
    static abstract bool AllBitsZero(TSelf x);
    /// <summary>Mask of the lanes whose magnitude's bit pattern exceeds <paramref name="limit"/> (NaN included).</summary>
    static abstract TSelf MagnitudeAbove(TSelf x, int limit);
    /// <summary>Mask of the lanes whose bit pattern, as a signed integer, lies outside [0, <paramref name="limit"/>]: negative floats, and positive ones above the float with bits <paramref name="limit"/>.</summary>
    static abstract TSelf OutsideNonnegative(TSelf x, int limit);
    /// <summary>Mask of the lanes equal to +0 or -0.</summary>
    static abstract TSelf IsZero(TSelf x);
    /// <summary>Mask of the lanes whose magnitude's bit pattern is below <paramref name="limit"/> (zero included): |x| below the float with bits <paramref name="limit"/>.</summary>
    static abstract TSelf MagnitudeBelow(TSelf x, int limit);
    /// <summary>Mask of the lanes whose bit pattern, as a signed integer, lies in [1, <paramref name="limit"/>): positive floats below the float with bits <paramref name="limit"/>.</summary>
    static abstract TSelf PositiveBelow(TSelf x, int limit);
    /// <summary>
    /// A limit for the two comparisons below, made once per kernel call (an int limit is broadcast again at every use):
    /// each lane holds <paramref name="limit"/> + 2^31 - 1, wrapped, the form their comparison takes.
    /// </summary>
    static abstract TSelf Limit(int limit);
    /// <summary>Mask of the lanes whose magnitude's bit pattern lies in [1, limit): nonzero and below the float with bits limit (<paramref name="limit"/> from <see cref="Limit"/>).</summary>
    static abstract TSelf NonzeroMagnitudeBelow(TSelf x, TSelf limit);
    /// <summary><see cref="PositiveBelow(TSelf, int)"/> with a limit from <see cref="Limit"/>.</summary>
    static abstract TSelf PositiveBelow(TSelf x, TSelf limit);
    /// <summary>Every lane's bit pattern <paramref name="bits"/>.</summary>
    static abstract TSelf Bits(int bits);
    /// <summary>
    /// Mask of the lanes where x's magnitude bits are below <paramref name="xLimit"/> (zero included) and y's magnitude bits
    /// exceed <paramref name="yAbove"/> (NaN included); both limits in [0, 2^31) from <see cref="Bits"/>. The differences of
    /// the magnitudes and the limits cannot overflow, so each is negative exactly where its condition holds, and the
    /// arithmetic shift of their and spreads the sign bit over the lane.
    /// </summary>
    static abstract TSelf MagnitudeBelowWhereAbove(TSelf x, TSelf xLimit, TSelf y, TSelf yAbove);

    // ---- exact operations on the float grid of the smallest magnitudes (see Tiny<V>)
    /// <summary>
    /// For lanes whose magnitude's bit pattern n is below 2^24 (so |x| = n * 2^-149 exactly) and whose n * c is below 2^23:
    /// the float whose bits are RN_even(n * c) with x's sign, from one float FMA, n * c + 2^23, whose single rounding is to
    /// an integer (see <see cref="Tiny"/>). Other lanes: unspecified.
    /// </summary>
    static abstract TSelf GridMultiply(TSelf x, TSelf c);
    /// <summary>The float value 2n of each lane's bit pattern n (exact below 2^24).</summary>
    static abstract TSelf TwiceBitsAsFloat(TSelf x);
    /// <summary>The float with bit pattern bits(x) - <paramref name="exponents"/> * 2^23: x * 2^-exponents, exact while the result stays normal.</summary>
    static abstract TSelf ScaleDownByPowerOfTwo(TSelf x, int exponents);
}

/// <summary>8 lanes: AVX2 + FMA.</summary>
public readonly unsafe struct V8(Vector256<float> x) : IVec<V8>
{
    public readonly Vector256<float> X = x;
    public static int Count => 8;
    public static V8 Zero => new(Vector256<float>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V8 Load(float* p) => new(Vector256.Load(p));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(V8 v, float* p) => v.X.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V8 Broadcast(float x) => new(Vector256.Create(x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V8 Fma(V8 a, V8 b, V8 c) => new(System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(a.X, b.X, c.X));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V8 Sqrt(V8 a) => new(Vector256.Sqrt(a.X));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V8 operator +(V8 a, V8 b) => new(a.X + b.X);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V8 operator *(V8 a, V8 b) => new(a.X * b.X);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V8 operator /(V8 a, V8 b) => new(a.X / b.X);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V8 operator &(V8 a, V8 b) => new(a.X & b.X);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V8 operator |(V8 a, V8 b) => new(a.X | b.X);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V8 Select(V8 mask, V8 a, V8 b) => new(Avx.BlendVariable(b.X, a.X, mask.X));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V8 AndNot(V8 x, V8 mask) => new(Vector256.AndNot(x.X, mask.X));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool Any(V8 mask) => Vector256.ExtractMostSignificantBits(mask.X) != 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool AllBitsZero(V8 x) => x.X.AsInt32() == Vector256<int>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V8 MagnitudeAbove(V8 x, int limit) => new(Vector256.GreaterThan(x.X.AsInt32() & Vector256.Create(int.MaxValue), Vector256.Create(limit)).AsSingle());
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V8 OutsideNonnegative(V8 x, int limit) => new(Vector256.GreaterThan(x.X.AsUInt32(), Vector256.Create((uint)limit)).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V8 IsZero(V8 x) => new(Vector256.Equals(x.X.AsInt32() & Vector256.Create(int.MaxValue), Vector256<int>.Zero).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V8 MagnitudeBelow(V8 x, int limit) => new(Vector256.LessThan(x.X.AsInt32() & Vector256.Create(int.MaxValue), Vector256.Create(limit)).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V8 PositiveBelow(V8 x, int limit) => PositiveBelow(x, Limit(limit));

    // 0 < a < limit as unsigned is (a + 2^31 - 1) < (limit + 2^31 - 1) as wrapped signed integers (a and limit below 2^31).
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V8 Limit(int limit) => new(Vector256.Create(unchecked(limit + int.MaxValue)).AsSingle());
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V8 NonzeroMagnitudeBelow(V8 x, V8 limit) =>
        new(Vector256.LessThan((x.X.AsInt32() & Vector256.Create(int.MaxValue)) + Vector256.Create(int.MaxValue), limit.X.AsInt32()).AsSingle());
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V8 PositiveBelow(V8 x, V8 limit) => new(Vector256.LessThan(x.X.AsInt32() + Vector256.Create(int.MaxValue), limit.X.AsInt32()).AsSingle());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V8 Bits(int bits) => new(Vector256.Create(bits).AsSingle());
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V8 MagnitudeBelowWhereAbove(V8 x, V8 xLimit, V8 y, V8 yAbove)
    {
        var max = Vector256.Create(int.MaxValue);
        var below = (x.X.AsInt32() & max) - xLimit.X.AsInt32();
        var above = yAbove.X.AsInt32() - (y.X.AsInt32() & max);
        return new(Vector256.ShiftRightArithmetic(below & above, 31).AsSingle());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V8 GridMultiply(V8 x, V8 c)
    {
        var bits = x.X.AsInt32();
        var n = Vector256.ConvertToSingle(bits & Vector256.Create(int.MaxValue));
        // n * c + 2^23 lies in [2^23, 2^24], where the floats are the integers: its bits are 0x4B000000 + the rounded integer.
        var k = System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(n, c.X, Vector256.Create(8388608f)).AsInt32() - Vector256.Create(0x4B000000);
        return new((k | (bits & Vector256.Create(int.MinValue))).AsSingle());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V8 TwiceBitsAsFloat(V8 x) => new(Vector256.ConvertToSingle(x.X.AsInt32() + x.X.AsInt32()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V8 ScaleDownByPowerOfTwo(V8 x, int exponents) => new((x.X.AsInt32() - Vector256.Create(exponents << 23)).AsSingle());
}

/// <summary>
/// 16 lanes: AVX-512F where the CPU has it. Elsewhere the same operations run through .NET's portable Vector512
/// API, which emulates them (exactly, more slowly) on two 256-bit halves: every IsSupported test is a JIT-time
/// constant, so AVX-512 machines get exactly the AVX-512 instructions, and any AVX2 machine can run the 16-lane
/// kernels to check that they give the 8-lane kernels' bits (real runs there use <see cref="V8"/>).
/// </summary>
public readonly unsafe struct V16(Vector512<float> x) : IVec<V16>
{
    public readonly Vector512<float> X = x;
    public static int Count => 16;
    public static V16 Zero => new(Vector512<float>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V16 Load(float* p) => new(Vector512.Load(p));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(V16 v, float* p) => v.X.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V16 Broadcast(float x) => new(Vector512.Create(x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V16 Fma(V16 a, V16 b, V16 c) => new(FusedMultiplyAdd(a.X, b.X, c.X));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V16 Sqrt(V16 a) => new(Vector512.Sqrt(a.X));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V16 operator +(V16 a, V16 b) => new(a.X + b.X);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V16 operator *(V16 a, V16 b) => new(a.X * b.X);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V16 operator /(V16 a, V16 b) => new(a.X / b.X);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V16 operator &(V16 a, V16 b) => new(a.X & b.X);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V16 operator |(V16 a, V16 b) => new(a.X | b.X);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V16 Select(V16 mask, V16 a, V16 b) => new(Vector512.ConditionalSelect(mask.X, a.X, b.X));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V16 AndNot(V16 x, V16 mask) => new(Vector512.AndNot(x.X, mask.X));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool Any(V16 mask) => Vector512.ExtractMostSignificantBits(mask.X) != 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool AllBitsZero(V16 x) => x.X.AsInt32() == Vector512<int>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V16 MagnitudeAbove(V16 x, int limit) => new(Vector512.GreaterThan(x.X.AsInt32() & Vector512.Create(int.MaxValue), Vector512.Create(limit)).AsSingle());
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V16 OutsideNonnegative(V16 x, int limit) => new(Vector512.GreaterThan(x.X.AsUInt32(), Vector512.Create((uint)limit)).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V16 IsZero(V16 x) => new(Vector512.Equals(x.X.AsInt32() & Vector512.Create(int.MaxValue), Vector512<int>.Zero).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V16 MagnitudeBelow(V16 x, int limit) => new(Vector512.LessThan(x.X.AsInt32() & Vector512.Create(int.MaxValue), Vector512.Create(limit)).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V16 PositiveBelow(V16 x, int limit) => PositiveBelow(x, Limit(limit));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V16 Limit(int limit) => new(Vector512.Create(unchecked(limit + int.MaxValue)).AsSingle());
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V16 NonzeroMagnitudeBelow(V16 x, V16 limit) =>
        new(Vector512.LessThan((x.X.AsInt32() & Vector512.Create(int.MaxValue)) + Vector512.Create(int.MaxValue), limit.X.AsInt32()).AsSingle());
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V16 PositiveBelow(V16 x, V16 limit) => new(Vector512.LessThan(x.X.AsInt32() + Vector512.Create(int.MaxValue), limit.X.AsInt32()).AsSingle());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V16 Bits(int bits) => new(Vector512.Create(bits).AsSingle());
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V16 MagnitudeBelowWhereAbove(V16 x, V16 xLimit, V16 y, V16 yAbove)
    {
        var max = Vector512.Create(int.MaxValue);
        var below = (x.X.AsInt32() & max) - xLimit.X.AsInt32();
        var above = yAbove.X.AsInt32() - (y.X.AsInt32() & max);
        return new(Vector512.ShiftRightArithmetic(below & above, 31).AsSingle());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V16 GridMultiply(V16 x, V16 c)
    {
        var bits = x.X.AsInt32();
        var n = Vector512.ConvertToSingle(bits & Vector512.Create(int.MaxValue));
        var k = FusedMultiplyAdd(n, c.X, Vector512.Create(8388608f)).AsInt32() - Vector512.Create(0x4B000000);   // as in V8
        return new((k | (bits & Vector512.Create(int.MinValue))).AsSingle());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V16 TwiceBitsAsFloat(V16 x) => new(Vector512.ConvertToSingle(x.X.AsInt32() + x.X.AsInt32()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V16 ScaleDownByPowerOfTwo(V16 x, int exponents) => new((x.X.AsInt32() - Vector512.Create(exponents << 23)).AsSingle());

    // ---- the 512-bit operations the forward kernels use beyond the IVec surface, portable as above
    /// <summary>a * b + c rounded once: vfmadd on AVX-512, else the portable (emulated) fused multiply-add.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> FusedMultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) =>
        Avx512F.IsSupported ? Avx512F.FusedMultiplyAdd(a, b, c) : Vector512.FusedMultiplyAdd(a, b, c);

    /// <summary>The 8 floats at <paramref name="p"/> in both halves.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> BroadcastHalf(float* p)
    {
        if (Avx512DQ.IsSupported) return Avx512DQ.BroadcastVector256ToVector512(p);
        var h = Vector256.Load(p);
        return Vector512.Create(h, h);
    }
}
