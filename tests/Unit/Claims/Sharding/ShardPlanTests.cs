using MnistClaims.Claims;
using MnistClaims.Claims.Sharding;
using MnistClaims.Core.Runs;

namespace MnistClaims.Tests.Unit.Claims.Sharding;

/// <summary>Shard assignment: every unit in exactly one shard, the same plan from any order, balanced by cost rather than count.</summary>
public class ShardPlanTests
{
    static ShardUnit U(string exp, long seed, double cost) => new(exp, seed, "0123456789abcdef", "cpu-test", cost, -1);

    /// <summary>The units of the main job at 20 seeds, costed as <c>reproduce</c> costs them.</summary>
    static ShardUnit[] MainJob() => Registry.Experiments
        .SelectMany(e => Enumerable.Range(1, 20).Select(s => new RunJob(e, e.ForSeed(s), "/x")))
        .Select(j => new ShardUnit(j.Experiment.Id, j.Config.Seed, j.Config.Hash, "cpu-test", j.Cost, 0)).ToArray();

    /// <summary>
    /// The cost model against seconds measured on its reference machine (idle 2-core EPYC Zen 3, two runs at a time, seed 21):
    /// 004-c-4hidden 46-47 s, 000-batch-2 52 s, 003-hidden-4 37 s, 004-a-lr0.001-raw 15-17 s, 002-base 7.5-9.9 s,
    /// 003-hidden-1 4.6 s, 002-hidden-0-linear 1.6 s. Every expectation must lie within a factor of 1.5 of its measurement
    /// (the fit's largest error over the 65 runs is 29%). The earlier model, libtorch's constants for every run, put
    /// 003-hidden-4 at 13x 004-c-4hidden: it fails here.
    /// </summary>
    [TestCase("004-c-4hidden", 46.6)]
    [TestCase("000-batch-2", 52.0)]
    [TestCase("003-hidden-4", 37.3)]
    [TestCase("004-a-lr0.001-raw", 15.9)]
    [TestCase("002-base", 8.7)]
    [TestCase("003-hidden-1", 4.6)]
    [TestCase("002-hidden-0-linear", 1.6)]
    public void A_runs_expected_cost_is_within_a_factor_of_1_5_of_its_measured_seconds(string experiment, double seconds)
    {
        var e = Registry.Experiment(experiment);
        double cost = new RunJob(e, e.ForSeed(21), "/x").Cost;
        Assert.That(cost, Is.InRange(seconds / 1.5, seconds * 1.5), $"{experiment}: expected {cost:F1} s, measured {seconds} s");
    }

    [Test]
    public void Every_unit_is_in_exactly_one_shard([Values(1, 2, 3, 7, 64)] int n)
    {
        var units = MainJob();
        var plan = ShardPlan.Assign(units, n);
        Assert.That(plan.Units.Select(u => (u.Experiment, u.Seed)), Is.EquivalentTo(units.Select(u => (u.Experiment, u.Seed))));
        Assert.That(plan.Units.All(u => u.Shard >= 0 && u.Shard < n), Is.True);
        Assert.That(Enumerable.Range(0, n).Sum(k => plan.Of(k).Count), Is.EqualTo(units.Length));
    }

    [Test]
    public void The_plan_does_not_depend_on_the_order_of_the_units()
    {
        var units = MainJob();
        var a = ShardPlan.Assign(units, 4);
        var b = ShardPlan.Assign(units.Reverse().OrderBy(u => u.Seed % 3), 4);
        Assert.That(b.Hash, Is.EqualTo(a.Hash));
        Assert.That(b.Units, Is.EqualTo(a.Units));
    }

    [Test]
    public void Balances_by_cost_not_count()
    {
        // One run as long as ten short ones: by count the shards would get 6 and 5 runs (cost 15 against 5); by cost, 10 and 10.
        var units = new[] { U("long", 1, 10) }.Concat(Enumerable.Range(1, 10).Select(s => U("short", s, 1))).ToArray();
        var plan = ShardPlan.Assign(units, 2);
        Assert.That(plan.Costs(), Is.EqualTo(new[] { 10.0, 10.0 }));
        Assert.That(plan.Of(0).Single().Experiment, Is.EqualTo("long"));
    }

    [Test]
    public void The_main_job_splits_within_one_run_of_the_mean([Values(2, 4, 8)] int n)
    {
        var plan = ShardPlan.Assign(MainJob(), n);
        var costs = plan.Costs();
        double largest = plan.Units.Max(u => u.Cost);
        Assert.That(costs.Max() - costs.Average(), Is.LessThanOrEqualTo(largest), string.Join(", ", costs));
        Assert.That(costs.Max() / costs.Average(), Is.LessThan(1.05), "several hundred runs leave LPT almost perfectly balanced");
    }

    [Test]
    public void The_hash_names_the_units_and_their_split()
    {
        var units = MainJob();
        var h = ShardPlan.Assign(units, 4).Hash;
        Assert.That(ShardPlan.Assign(units, 4).Hash, Is.EqualTo(h));
        Assert.That(ShardPlan.Assign(units, 5).Hash, Is.Not.EqualTo(h));
        Assert.That(ShardPlan.Assign(units.Skip(1), 4).Hash, Is.Not.EqualTo(h));
        Assert.That(ShardPlan.Assign(units.Select((u, i) => i == 0 ? u with { Profile = "cpu-other" } : u), 4).Hash, Is.Not.EqualTo(h));
    }

    [Test]
    public void A_unit_listed_twice_is_an_error()
    {
        var ex = Assert.Throws<ArgumentException>(() => ShardPlan.Assign([U("a", 1, 1), U("a", 1, 2)], 2))!;
        Assert.That(ex.Message, Does.Contain("a seed 1"));
    }

    [TestCase("0/1", 0, 1)]
    [TestCase("3/4", 3, 4)]
    [TestCase("0/4", 0, 4)]
    public void Parses_K_of_N(string text, int k, int n) => Assert.That(ShardSpec.Parse(text), Is.EqualTo(new ShardSpec(k, n)));

    [TestCase("3/2", "K < N")]
    [TestCase("2/2", "K < N")]
    [TestCase("0/0", "at least one shard")]
    [TestCase("a/b", "K/N with integers")]
    [TestCase("1", "K/N with integers")]
    [TestCase("-1/2", "K/N with integers")]
    [TestCase("1/2/3", "K/N with integers")]
    [TestCase(" 1/2", "K/N with integers")]
    public void Rejects_anything_else(string text, string expected) =>
        Assert.That(Assert.Throws<FormatException>(() => ShardSpec.Parse(text))!.Message, Does.Contain(expected).And.Contain($"'{text}'"));
}
