using MnistClaims.Core.Training;
using MnistClaims.Torch;

namespace MnistClaims.Tests.Unit.Core.Training;

/// <summary>
/// Document 002 split MNIST with scikit-learn's <c>train_test_split(test_size=0.2, random_state=42)</c>; the harness
/// reproduces it index for index (numpy's legacy MT19937 permutation, <see cref="NumpyRandomState"/>), checked here
/// against Debian's python3-sklearn on this machine.
/// </summary>
[Category("Integration")]
public sealed class SklearnSplitTests
{
    [Test]
    public void Split_is_sklearns_train_test_split_index_for_index()
    {
        Requires.Tool(File.Exists(PyTorch.Python), $"{PyTorch.Python} is required");
        var sk = PyTorch.Floats("""
            import numpy as np
            from sklearn.model_selection import train_test_split
            train, val = train_test_split(np.arange(60000), test_size=0.2, random_state=42)
            emit(torch.from_numpy(val).float(), torch.from_numpy(train).float())
            """);
        using var g = new Generator(1);
        var (train, val) = Trainer.Split(new TrainConfig { ValFraction = 0.2, Split = "sklearn:42" }, g);
        Assert.That(val, Has.Length.EqualTo(12000));
        Assert.That(train, Has.Length.EqualTo(48000));
        Assert.That(val, Is.EqualTo(sk[..12000].Select(v => (long)v).ToArray()), "validation indices in sklearn's order");
        Assert.That(train, Is.EqualTo(sk[12000..].Select(v => (long)v).ToArray()), "training indices in sklearn's order");
    }

    [Test]
    public void The_sklearn_split_is_the_same_for_every_seed_and_draws_nothing_from_the_generator()
    {
        var cfg = new TrainConfig { ValFraction = 0.2, Split = "sklearn:42" };
        using var g1 = new Generator(1);
        using var g2 = new Generator(2);
        var a = Trainer.Split(cfg, g1);
        var b = Trainer.Split(cfg with { Seed = 2 }, g2);
        Assert.That(a.Val, Is.EqualTo(b.Val));
        using var fresh = new Generator(1);
        Assert.That(torch.randperm(10, g1).data<long>(), Is.EqualTo(torch.randperm(10, fresh).data<long>()), "the split left the generator untouched");
    }

    [Test]
    public void Numpy_random_state_matches_known_mt19937_outputs()
    {
        // MT19937 init_genrand(5489): the reference implementation's first outputs (the C++ std::mt19937 default seed).
        var r = new NumpyRandomState(5489);
        Assert.That(new[] { r.NextUInt32(), r.NextUInt32(), r.NextUInt32() }, Is.EqualTo(new uint[] { 3499211612, 581869302, 3890346734 }));
        Assert.That(new NumpyRandomState(42).Permutation(10).OrderBy(x => x), Is.EqualTo(Enumerable.Range(0, 10).Select(i => (long)i)));
    }

    [TestCase("sklearn:x"), TestCase("sklearn:-1"), TestCase("shuffle")]
    public void A_malformed_split_is_refused_naming_the_flag(string split)
    {
        var e = Assert.Throws<ConfigException>(() => new TrainConfig { ValFraction = 0.2, Split = split }.Validate())!;
        Assert.That(e.Message, Does.StartWith("--split:"));
    }
}
