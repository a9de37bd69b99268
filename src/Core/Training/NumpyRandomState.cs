namespace MnistClaims.Core.Training;

/// <summary>
/// numpy's legacy <c>RandomState(seed)</c> for an integer seed, as far as <c>permutation</c> needs it: MT19937 seeded
/// with <c>init_genrand(seed)</c>, 32-bit outputs with the standard tempering, and the legacy Fisher-Yates shuffle whose
/// index draws are <c>random_interval(i)</c> (mask rejection). scikit-learn's <c>train_test_split(random_state=S)</c>
/// shuffles with exactly this, so document 002's split can be reproduced index for index (tested against Debian's
/// python3-sklearn).
/// </summary>
public sealed class NumpyRandomState
{
    const int N = 624, M = 397;
    const uint MatrixA = 0x9908b0df, UpperMask = 0x80000000, LowerMask = 0x7fffffff;
    readonly uint[] _mt = new uint[N];
    int _mti;

    public NumpyRandomState(uint seed)
    {
        _mt[0] = seed;
        for (int i = 1; i < N; i++) _mt[i] = 1812433253u * (_mt[i - 1] ^ (_mt[i - 1] >> 30)) + (uint)i;
        _mti = N;
    }

    /// <summary>genrand_int32: the next 32-bit output.</summary>
    public uint NextUInt32()
    {
        if (_mti >= N)
        {
            int k;
            for (k = 0; k < N - M; k++) Twist(k, k + 1, k + M);
            for (; k < N - 1; k++) Twist(k, k + 1, k + (M - N));
            Twist(N - 1, 0, M - 1);
            _mti = 0;
        }
        uint y = _mt[_mti++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >> 18;
        return y;
    }

    void Twist(int k, int next, int far)
    {
        uint y = (_mt[k] & UpperMask) | (_mt[next] & LowerMask);
        _mt[k] = _mt[far] ^ (y >> 1) ^ ((y & 1) != 0 ? MatrixA : 0);
    }

    /// <summary>numpy's <c>random_interval(max)</c>: uniform in [0, max] by rejection on the smallest covering bit mask.</summary>
    public uint Interval(uint max)
    {
        if (max == 0) return 0;
        uint mask = max;
        mask |= mask >> 1; mask |= mask >> 2; mask |= mask >> 4; mask |= mask >> 8; mask |= mask >> 16;
        uint value;
        while ((value = NextUInt32() & mask) > max) { }
        return value;
    }

    /// <summary><c>RandomState.permutation(n)</c>: arange(n) shuffled by the legacy Fisher-Yates loop (i from n-1 down to 1).</summary>
    public long[] Permutation(int n)
    {
        var a = new long[n];
        for (int i = 0; i < n; i++) a[i] = i;
        for (int i = n - 1; i > 0; i--)
        {
            int j = (int)Interval((uint)i);
            (a[i], a[j]) = (a[j], a[i]);
        }
        return a;
    }
}
