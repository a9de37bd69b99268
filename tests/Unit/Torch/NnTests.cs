using MnistClaims.Torch;
using NUnit.Framework;
using static MnistClaims.Tests.Unit.Torch.TorchTestUtil;

namespace MnistClaims.Tests.Unit.Torch;

[TestFixture, NonParallelizable] // uses the global default generator
public class NnTests
{
    [Test]
    [Category("Integration")] // python3-torch
    public void Linear_init_matches_pytorch_1_13()
    {
        // The same seed and module in python3-torch on this machine (tests/Common/PyTorch.cs).
        var expected = PyTorch.Floats("torch.manual_seed(0)\nlin = torch.nn.Linear(4, 3)\nemit(lin.weight.detach(), lin.bias.detach())");
        double[] weight = expected[..12].Select(v => (double)v).ToArray(), bias = expected[12..].Select(v => (double)v).ToArray();
        torch.manual_seed(0);
        using var lin = new nn.Linear(4, 3);
        Assert.That(lin.weight.shape, Is.EqualTo(new long[] { 3, 4 }));
        Assert.That(lin.weight.requires_grad, Is.True);
        Assert.That(lin.weight.is_leaf, Is.True);
        AssertBitwise(lin.weight.data<float>(), weight, "weight");
        AssertBitwise(lin.bias!.data<float>(), bias, "bias");
        Assert.That(lin.named_parameters().Select(p => p.name), Is.EqualTo(new[] { "weight", "bias" }));
    }

    [Test]
    public void Module_parameters_are_not_owned_by_dispose_scopes()
    {
        nn.Sequential model;
        using (torch.NewDisposeScope())
            model = new nn.Sequential(new nn.Linear(2, 2), new nn.Tanh(), new nn.Linear(2, 1, hasBias: false));
        using (model)
        {
            Assert.That(model.parameters().Select(p => p.IsDisposed), Has.All.False);
            Assert.That(model.named_parameters().Select(p => p.name), Is.EqualTo(new[] { "0.weight", "0.bias", "2.weight" }));
            model.eval();
            Assert.That(model[0].training, Is.False);
        }
        Assert.That(model.parameters().Select(p => p.IsDisposed), Has.All.True);
    }

    [Test]
    [Category("Integration")] // python3-torch
    public void Cross_entropy_with_class_indices_and_probabilities_matches_pytorch()
    {
        using var scope = torch.NewDisposeScope();
        var expected = PyTorch.Floats("""
            logits = torch.tensor([[1.0, 2.0, 0.5], [0.1, -1.0, 3.0]])
            emit(F.cross_entropy(logits, torch.tensor([1, 2])), F.cross_entropy(logits, torch.tensor([[0.2, 0.7, 0.1], [0.0, 0.25, 0.75]])))
            """);
        var logits = torch.tensor(new float[] { 1.0f, 2.0f, 0.5f, 0.1f, -1.0f, 3.0f }, [2, 3]);
        var idx = nn.functional.cross_entropy(logits, torch.tensor(new long[] { 1, 2 }, [2]));
        var prob = nn.functional.cross_entropy(logits, torch.tensor(new float[] { 0.2f, 0.7f, 0.1f, 0.0f, 0.25f, 0.75f }, [2, 3]));
        AssertBitwise([idx.ToSingle()], [expected[0]], "ce(indices)");
        AssertBitwise([prob.ToSingle()], [expected[1]], "ce(probabilities)");

        // consistency: nll(log_softmax) == ce(indices); soft targets from one_hot == hard targets
        var nll = nn.functional.nll_loss(nn.functional.log_softmax(logits, 1), torch.tensor(new long[] { 1, 2 }, [2]));
        Assert.That(nll.ToSingle(), Is.EqualTo(idx.ToSingle()).Within(1e-6));
        var onehot = nn.functional.one_hot(torch.tensor(new long[] { 1, 2 }, [2]), 3);
        Assert.That(onehot.data<long>(), Is.EqualTo(new long[] { 0, 1, 0, 0, 0, 1 }));
        var soft = nn.functional.cross_entropy(logits, onehot.to(ScalarType.Float32));
        Assert.That(soft.ToSingle(), Is.EqualTo(idx.ToSingle()).Within(1e-6));
    }

    [Test]
    public void Activations_and_regression_losses()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new float[] { -2, 0, 3 }, [3]);
        Assert.That(nn.functional.relu(x).data<float>(), Is.EqualTo(new float[] { 0, 0, 3 }));
        Assert.That(nn.functional.leaky_relu(x, 0.1).data<float>(), Is.EqualTo(new float[] { -0.2f, 0, 3 }));
        Assert.That(nn.functional.elu(x).data<float>()[0], Is.EqualTo(MathF.Exp(-2) - 1).Within(1e-6));
        Assert.That(nn.functional.sigmoid(x).data<float>()[1], Is.EqualTo(0.5f));
        Assert.That(nn.functional.tanh(x).data<float>()[1], Is.EqualTo(0f));
        Assert.That(nn.functional.softmax(x, 0).sum().ToSingle(), Is.EqualTo(1f).Within(1e-6));
        var y = torch.tensor(new float[] { -1, 0, 1 }, [3]);
        Assert.That(nn.functional.mse_loss(x, y).ToSingle(), Is.EqualTo((1f + 0 + 4) / 3).Within(1e-6));
        Assert.That(nn.functional.l1_loss(x, y).ToSingle(), Is.EqualTo((1f + 0 + 2) / 3).Within(1e-6));
        Assert.That(nn.functional.dropout(x, 0.5, training: false).data<float>(), Is.EqualTo(x.data<float>()));
        var drop = new nn.Dropout(0.999);
        drop.eval();
        Assert.That(drop.forward(x).data<float>(), Is.EqualTo(x.data<float>()));
    }

    [Test]
    public void Init_helpers()
    {
        using var scope = torch.NewDisposeScope();
        var w = torch.empty([6, 4]);
        Assert.That(nn.init.calculate_fan_in_and_fan_out(w), Is.EqualTo((4L, 6L)));
        nn.init.xavier_uniform_(w);
        double a = Math.Sqrt(3.0) * Math.Sqrt(2.0 / 10);
        Assert.That(w.data<float>(), Has.All.InRange(-a, a));
        Assert.Throws<ArgumentException>(() => nn.init.calculate_fan_in_and_fan_out(torch.empty([3])));
    }
}
