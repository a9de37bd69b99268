using System.Globalization;

namespace MnistClaims.Claims.Sharding;

/// <summary>Shard K of N (<c>--shard K/N</c>), K counted from 0 as Slurm's <c>SLURM_ARRAY_TASK_ID</c> and a CI matrix index are.</summary>
public readonly record struct ShardSpec(int Index, int Count)
{
    /// <summary>Parses <c>K/N</c> with 0 &lt;= K &lt; N; anything else is a <see cref="FormatException"/> saying what was expected.</summary>
    public static ShardSpec Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var k)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            throw new FormatException($"expected K/N with integers 0 <= K < N (e.g. 0/4), got '{text}'");
        if (n < 1) throw new FormatException($"expected at least one shard (N >= 1), got '{text}'");
        if (k >= n) throw new FormatException($"expected K < N (shards are numbered 0..{n - 1}), got '{text}'");
        return new ShardSpec(k, n);
    }

    public override string ToString() => $"{Index.ToString(CultureInfo.InvariantCulture)}/{Count.ToString(CultureInfo.InvariantCulture)}";
}
