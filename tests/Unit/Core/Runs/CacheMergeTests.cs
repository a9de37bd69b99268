using MnistClaims.Core.Runs;
using CliRunner = MnistClaims.Tests.Unit.Harness.Cli.BadInput.Cli;

namespace MnistClaims.Tests.Unit.Core.Runs;

/// <summary><see cref="CacheMerge"/> on fabricated caches: what it takes, what it refuses, and that it changes nothing twice.</summary>
public class CacheMergeTests
{
    FakeCache _a = null!, _b = null!, _into = null!;
    static readonly HashSet<string> None = [];

    [SetUp]
    public void SetUp() { _a = new FakeCache(); _b = new FakeCache(); _into = new FakeCache(); }

    [TearDown]
    public void TearDown() { _a.Dispose(); _b.Dispose(); _into.Dispose(); }

    MergeResult Merge(IReadOnlySet<string>? allow = null, params FakeCache[] from) =>
        CacheMerge.Run(from.Select(c => c.Root).ToArray(), _into.Root, allow ?? None, TextWriter.Null);

    static Dictionary<string, string> Runs(string root) =>
        CliRunner.Tree(root).Where(kv => !Path.GetFileName(kv.Key).StartsWith('.')).ToDictionary(kv => kv.Key, kv => kv.Value);

    [Test]
    public void Merges_every_entry_byte_for_byte_and_each_verifies()
    {
        var e = FakeCache.Exp();
        _a.Write(e, 1); _a.Write(e, 3); _b.Write(e, 2); _b.Write(e, 4);
        var r = Merge(null, _a, _b);
        Assert.That((r.Copied, r.AlreadyPresent, r.Skipped), Is.EqualTo((4, 0, new List<string>())));
        var merged = Runs(_into.Root);
        foreach (var (path, hash) in Runs(_a.Root).Concat(Runs(_b.Root)))
            Assert.That(merged[path], Is.EqualTo(hash), path);
        foreach (var seed in new long[] { 1, 2, 3, 4 })
        {
            var dir = _into.PathOf(e, seed);
            Assert.That(RunCache.TryVerify(new CacheEntry(dir, FakeCache.Profile, e.Id, e.ForSeed(seed).Hash, seed), out _, out var why), Is.True, why);
        }
        Assert.That(Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(_into.PathOf(e, 1))!, ".*tmp-*"), Is.Empty, "no temp directory left");
    }

    [Test]
    public void A_second_merge_changes_nothing()
    {
        var e = FakeCache.Exp();
        _a.Write(e, 1); _b.Write(e, 2);
        Merge(null, _a, _b);
        var before = CliRunner.Tree(_into.Root);
        var r = Merge(null, _a, _b);
        Assert.That((r.Copied, r.AlreadyPresent), Is.EqualTo((0, 2)));
        Assert.That(CliRunner.Tree(_into.Root), Is.EqualTo(before));
    }

    [Test]
    public void Refuses_runs_of_two_commits_and_names_both_until_allowed()
    {
        var e = FakeCache.Exp();
        _a.Write(e, 1, commit: "aaaa1111"); _b.Write(e, 2, commit: "bbbb2222", dirty: true);
        var ex = Assert.Throws<MixedResultsException>(() => Merge(null, _a, _b))!;
        Assert.That(ex.Message, Does.Contain("different code commits").And.Contain("aaaa1111").And.Contain("bbbb2222-dirty")
            .And.Contain(_a.Root).And.Contain(_b.Root).And.Contain("--allow-mixed commits"));
        Assert.That(Runs(_into.Root), Is.Empty, "nothing copied before refusing");
        Assert.That(Merge(new HashSet<string> { CacheMerge.Commits }, _a, _b).Copied, Is.EqualTo(2));
    }

    [Test]
    public void Refuses_an_entry_the_destination_holds_from_another_commit()
    {
        var e = FakeCache.Exp();
        _into.Write(e, 1, commit: "old00000");
        _a.Write(e, 1, commit: "new11111");
        var ex = Assert.Throws<MixedResultsException>(() => Merge(null, _a))!;
        Assert.That(ex.Message, Does.Contain("already holds from another commit").And.Contain("old00000").And.Contain("new11111"));
    }

    [Test]
    public void Refuses_two_profiles_until_allowed()
    {
        var e = FakeCache.Exp();
        _a.Write(e, 1); _b.Write(e, 2, profile: "cpu-other-fused");
        var ex = Assert.Throws<MixedResultsException>(() => Merge(null, _a, _b))!;
        Assert.That(ex.Message, Does.Contain("different hardware profiles").And.Contain("cpu-other-fused").And.Contain(FakeCache.Profile));
        Assert.That(Merge(new HashSet<string> { CacheMerge.Profiles }, _a, _b).Copied, Is.EqualTo(2));
    }

    [Test]
    public void Refuses_one_experiment_under_two_configurations()
    {
        var e = FakeCache.Exp();
        _a.Write(e, 1);
        var other = e.ForSeed(1) with { Lr = e.Config.Lr * 2 };
        _b.Write(e, 1, cfg: other);
        var ex = Assert.Throws<MixedResultsException>(() => Merge(null, _a, _b))!;
        Assert.That(ex.Message, Does.Contain("different configurations of one experiment").And.Contain(e.Id)
            .And.Contain(e.ForSeed(1).Hash).And.Contain(other.Hash));
    }

    [Test]
    public void Skips_an_entry_a_writer_holds_and_takes_it_once_released()
    {
        var e = FakeCache.Exp();
        _a.Write(e, 1); var busy = _a.Write(e, 2);
        using (RunLock.Acquire(busy))
        {
            var r = Merge(null, _a);
            Assert.That(r.Copied, Is.EqualTo(1));
            Assert.That(r.Skipped.Single(), Does.Contain(busy).And.Contain("being written"));
            Assert.That(Directory.Exists(_into.PathOf(e, 2)), Is.False);
        }
        var again = Merge(null, _a);
        Assert.That((again.Copied, again.AlreadyPresent, again.Skipped.Count), Is.EqualTo((1, 1, 0)));
    }

    [Test]
    public void Skips_a_damaged_entry_and_names_the_file()
    {
        var e = FakeCache.Exp();
        _a.Write(e, 1);
        var bad = _a.Write(e, 2);
        // Parquet's magic bytes at both ends, so only a full read (not the completeness check) finds it.
        File.WriteAllBytes(Path.Combine(bad, "steps.parquet"), "PAR1 this is not a footer PAR1"u8.ToArray());
        var r = Merge(null, _a);
        Assert.That(r.Copied, Is.EqualTo(1));
        Assert.That(r.Skipped.Single(), Does.Contain(Path.Combine(bad, "steps.parquet")));
        Assert.That(Directory.Exists(_into.PathOf(e, 2)), Is.False, "a damaged entry is never taken");
        Assert.That(Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(_into.PathOf(e, 2))!, ".*tmp-*"), Is.Empty, "its temp copy is removed");
    }

    [Test]
    public void Ignores_what_killed_writers_left_and_names_foreign_directories()
    {
        var e = FakeCache.Exp();
        var dir = _a.Write(e, 1);
        var parent = Path.GetDirectoryName(dir)!;
        Directory.CreateDirectory(Path.Combine(parent, $".{Path.GetFileName(dir)}.tmp-999999-0123"));
        Directory.CreateDirectory(Path.Combine(parent, "not-an-entry"));
        var r = Merge(null, _a);
        Assert.That(r.Copied, Is.EqualTo(1));
        Assert.That(r.Skipped.Single(), Does.Contain("not-an-entry").And.Contain("not a cache entry"));
    }

    [Test]
    public void Names_a_missing_shard_and_a_killed_one_with_the_commands_that_rerun_them()
    {
        var e = FakeCache.Exp();
        var units = Enumerable.Range(1, 3).Select(s => new ShardUnit(e.Id, s, e.ForSeed(s).Hash, FakeCache.Profile, 1.0, s - 1)).ToArray();
        var plan = new ShardPlanRecord("0123456789abcdef", 3, ["--claims", "002-width-32-train-loss", "--seeds", "3"], units);
        // Shard 0 complete; shard 1 killed before its run landed (its record still says running); shard 2 never ran.
        _a.Write(e, 1);
        ShardRecords.WritePlan(_a.Root, plan);
        var done = new ShardStatus(plan.PlanHash, 0, 3, ShardStatus.Complete, "node1", 1, "c0ffee", false, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, 1, 1, []);
        ShardRecords.WriteStatus(_a.Root, done);
        ShardRecords.WritePlan(_b.Root, plan);
        ShardRecords.WriteStatus(_b.Root, done with { Shard = 1, State = ShardStatus.Running, Finished = null, Done = 0, Host = "node2", Pid = 4242 });

        var r = Merge(null, _a, _b);
        Assert.That(r.Shards.Select(s => (s.Shard, s.Complete)), Is.EqualTo(new[] { (0, true), (1, false), (2, false) }));
        var killed = r.Shards[1].Describe();
        Assert.That(killed, Does.Contain("shard 1/3").And.Contain("002-width-32 seed 2").And.Contain("running").And.Contain("pid 4242 on node2")
            .And.Contain($"rerun: harness reproduce --shard 1/3 --claims 002-width-32-train-loss --seeds 3 --cache {_b.Root}"));
        var never = r.Shards[2].Describe();
        Assert.That(never, Does.Contain("shard 2/3").And.Contain("no record").And.Contain("rerun: harness reproduce --shard 2/3 --claims 002-width-32-train-loss --seeds 3 --cache DIR"));
        // The records travel with the runs: the merged cache knows the plan and shard 0's status.
        Assert.That(ShardRecords.Plans(_into.Root).Single().Plan.PlanHash, Is.EqualTo(plan.PlanHash));
        Assert.That(ShardRecords.Statuses(_into.Root, plan.PlanHash).Select(s => (s.Status.Shard, s.Status.State)),
            Is.EqualTo(new[] { (0, ShardStatus.Complete), (1, ShardStatus.Running) }));
    }

    [Test]
    public void Refuses_shards_of_two_different_plans()
    {
        var e = FakeCache.Exp();
        ShardRecords.WritePlan(_a.Root, new ShardPlanRecord("aaaaaaaaaaaaaaaa", 2, ["--seeds", "4"], []));
        ShardRecords.WritePlan(_b.Root, new ShardPlanRecord("bbbbbbbbbbbbbbbb", 2, ["--seeds", "5"], []));
        var ex = Assert.Throws<MixedResultsException>(() => Merge(null, _a, _b))!;
        Assert.That(ex.Message, Does.Contain("shards of different plans").And.Contain("aaaaaaaaaaaaaaaa").And.Contain("bbbbbbbbbbbbbbbb").And.Contain("--allow-mixed configs"));
    }
}
