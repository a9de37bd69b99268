using MnistClaims.Harness.Cli;
using MnistClaims.Core.Training;

namespace MnistClaims.Tests.Unit.Harness.Cli;

public sealed class ConfigAndCliTests
{
    static TrainConfig Parse(params string[] argv) => TrainCommand.ConfigFrom(new Args("train", TrainCommand.Flags, argv));

    [TestCase(new[] { "--lr", "-0.1" }, "--lr")]
    [TestCase(new[] { "--batch-size", "0" }, "--batch-size")]
    [TestCase(new[] { "--activation", "swish" }, "--activation")]
    [TestCase(new[] { "--val-fraction", "1.5" }, "--val-fraction")]
    [TestCase(new[] { "--normalize", "zscore" }, "--normalize")]
    [TestCase(new[] { "--arch", "784-0-10" }, "--arch")]
    [TestCase(new[] { "--arch", "100-10" }, "--arch")]
    [TestCase(new[] { "--loss", "hinge" }, "--loss")]
    [TestCase(new[] { "--epochs", "ten" }, "--epochs")]
    [TestCase(new[] { "--device", "tpu" }, "--device")]
    public void Invalid_values_are_one_line_errors_naming_the_flag(string[] argv, string flag)
    {
        var e = Assert.Throws<UsageException>(() => Parse(argv))!;
        Assert.That(e.Message, Does.Contain(flag));
        Assert.That(e.Message, Does.Not.Contain("\n"));
    }

    [TestCase("1,2,16", new[] { 1, 2, 16 })]
    [TestCase(" 4 , 8 ", new[] { 4, 8 })]
    public void Positive_int_lists_parse(string value, int[] expected) =>
        Assert.That(new Args("bench", [new Flag("batches", "B,B,..", "batch sizes")], ["--batches", value]).PositiveInts("batches"), Is.EqualTo(expected));

    [TestCase("1,x")]
    [TestCase("0")]
    [TestCase("-2")]
    [TestCase(",")]
    public void Bad_int_lists_are_one_line_errors_naming_the_flag_and_the_value(string value)
    {
        var e = Assert.Throws<UsageException>(() => new Args("bench", [new Flag("threads", "T,T,..", "thread budgets")], ["--threads", value]).PositiveInts("threads"))!;
        Assert.That(e.Message, Does.StartWith("--threads:").And.Contain("positive integers"));
        Assert.That(e.Message, Does.Not.Contain("\n"));
    }

    [Test]
    public void Unknown_flag_is_named()
    {
        var e = Assert.Throws<UsageException>(() => Parse("--learning-rate", "0.1"))!;
        Assert.That(e.Message, Does.Contain("--learning-rate"));
    }

    [Test]
    public void Nll_gets_a_log_softmax_head_and_mse_gets_one_hot_targets()
    {
        Assert.That(Parse("--loss", "nll").Head, Is.EqualTo("log_softmax"));
        Assert.That(Parse("--loss", "mse").Targets, Is.EqualTo("onehot"));
        Assert.That(Parse("--loss", "cross-entropy").Targets, Is.EqualTo("index"));
    }

    [Test]
    public void Config_file_values_survive_when_flags_are_absent_and_flags_override_them()
    {
        var path = Path.Combine(Path.GetTempPath(), $"cfg-{Guid.NewGuid():N}.json");
        var cfg = new TrainConfig { Arch = "784-30-10", Activation = "sigmoid", Optimizer = "sgd", Lr = 0.01, BatchSize = 1, Epochs = 3, ValFraction = 0.15, MaxTrainSamples = 33000 };
        File.WriteAllText(path, cfg.ToCanonicalJson());
        try
        {
            Assert.That(Parse("--config", path), Is.EqualTo(cfg));
            Assert.That(Parse("--config", path, "--lr", "0.5").Lr, Is.EqualTo(0.5));
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void Canonical_json_is_sorted_and_the_hash_ignores_the_seed()
    {
        var a = new TrainConfig { Seed = 1 };
        var b = a with { Seed = 2 };
        Assert.That(a.Hash, Is.EqualTo(b.Hash));
        Assert.That((a with { Lr = 0.01 }).Hash, Is.Not.EqualTo(a.Hash));
        var json = a.ToCanonicalJson();
        var keys = System.Text.Json.JsonDocument.Parse(json).RootElement.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.That(keys, Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
        Assert.That(TrainConfig.FromJson(json), Is.EqualTo(a));
    }
}
