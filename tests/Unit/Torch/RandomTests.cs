using MnistClaims.Torch;
using NUnit.Framework;

namespace MnistClaims.Tests.Unit.Torch;

[TestFixture]
public class RandomTests
{
    [Test]
    [Category("Integration")] // python3-torch
    public void Randperm_with_generator_is_reproducible_and_matches_pytorch()
    {
        using var scope = torch.NewDisposeScope();
        using var g1 = new Generator(42);
        using var g2 = new Generator(42);
        using var g3 = new Generator(43);
        var a = torch.randperm(10, g1).data<long>();
        var b = torch.randperm(10, g2).data<long>();
        var c = torch.randperm(10, g3).data<long>();
        Assert.That(a, Is.EqualTo(b));
        Assert.That(a, Is.Not.EqualTo(c));
        // The same draw in python3-torch on this machine (tests/Common/PyTorch.cs).
        var expected = PyTorch.Floats("g = torch.Generator()\ng.manual_seed(42)\nemit(torch.randperm(10, generator=g).float())");
        Assert.That(a, Is.EqualTo(expected.Select(v => (long)v).ToArray()));
        Assert.That(g1.initial_seed(), Is.EqualTo(42));
        g1.manual_seed(42);
        Assert.That(torch.randperm(10, g1).data<long>(), Is.EqualTo(a));
    }

    [Test]
    public void Default_generator_follows_manual_seed()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(7);
        var a = torch.randperm(20).data<long>();
        torch.manual_seed(7);
        var b = torch.randperm(20).data<long>();
        torch.manual_seed(8);
        var c = torch.randperm(20).data<long>();
        Assert.That(a, Is.EqualTo(b));
        Assert.That(a, Is.Not.EqualTo(c));
        Assert.That(a.OrderBy(v => v), Is.EqualTo(Enumerable.Range(0, 20).Select(i => (long)i)));
    }

    [Test]
    public void Uniform_with_generator_is_reproducible()
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(5);
        var a = torch.empty([5]).uniform_(-1, 1, g).data<float>();
        g.manual_seed(5);
        var b = torch.empty([5]).uniform_(-1, 1, g).data<float>();
        Assert.That(a, Is.EqualTo(b));
        Assert.That(a, Has.All.InRange(-1f, 1f));
    }
}
