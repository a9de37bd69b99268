using MnistClaims.Claims;
using MnistClaims.Core.Runs;
using MnistClaims.Tests.Unit.Core.Runs;

namespace MnistClaims.Tests.Unit.Claims;

/// <summary>The one-load map of a judgement's runs keeps the cache's rule: a damaged or stale entry is never trusted.</summary>
public class CachedRunsTests
{
    [Test]
    public void A_damaged_entry_is_missing_and_the_prefix_stops_before_it()
    {
        using var fake = new FakeCache();
        var e = FakeCache.Exp();
        foreach (var s in new long[] { 1, 2, 3, 4, 5 }) fake.Write(e, s, profile: HardwareProfile.For(e.ForSeed(s)));
        var damaged = fake.PathOf(e, 3, HardwareProfile.For(e.ForSeed(3)));
        File.WriteAllBytes(Path.Combine(damaged, "epochs.parquet"), "PAR1 not parquet PAR1"u8.ToArray());
        var cache = new RunCache(fake.Root);
        long[] seeds = [1, 2, 3, 4, 5];

        var all = CachedRuns.Load(cache, [e], _ => seeds, (x, s) => x.ForSeed(s));
        Assert.That(all.Missing.Select(j => j.Config.Seed), Is.EqualTo(new long[] { 3 }));
        Assert.That(all.Prefix(e, seeds), Is.EqualTo(new long[] { 1, 2 }));
        Assert.That(() => all.For([e], _ => seeds), Throws.TypeOf<InvalidDataException>().With.Message.Contains("seed 3"));

        var prefix = CachedRuns.Load(cache, [e], _ => seeds, (x, s) => x.ForSeed(s), prefixOnly: true);
        Assert.That(prefix.Prefix(e, seeds), Is.EqualTo(new long[] { 1, 2 }));
        Assert.That(prefix.TryGet(e.Id, 4, e.ForSeed(4), out _), Is.False, "nothing read past the first missing seed");
    }

    [Test]
    public void Runs_taken_over_are_not_read_again_and_must_match_the_configuration()
    {
        using var fake = new FakeCache();
        var e = FakeCache.Exp();
        fake.Write(e, 1, profile: HardwareProfile.For(e.ForSeed(1)));
        var cache = new RunCache(fake.Root);
        var first = CachedRuns.Load(cache, [e], _ => [1], (x, s) => x.ForSeed(s));
        Directory.Delete(fake.PathOf(e, 1, HardwareProfile.For(e.ForSeed(1))), recursive: true);   // a second read would now fail
        var second = CachedRuns.Load(cache, [e], _ => [1], (x, s) => x.ForSeed(s), reuse: first);
        Assert.That(second.Missing, Is.Empty);
        var other = CachedRuns.Load(cache, [e], _ => [1], (x, s) => x.ForSeed(s) with { Lr = 0.5 }, reuse: first);
        Assert.That(other.Missing.Single().Config.Lr, Is.EqualTo(0.5), "a run of another configuration is not taken over");
    }
}
