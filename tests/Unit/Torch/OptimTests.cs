using MnistClaims.Torch;
using NUnit.Framework;
using static MnistClaims.Tests.Unit.Torch.TorchTestUtil;

namespace MnistClaims.Tests.Unit.Torch;

/// <summary>
/// Optimizer steps compared bit for bit with PyTorch's own optimizers, computed live on this machine by
/// python3-torch (tests/Common/PyTorch.cs) with the same kernel pins: the expected values are never constants
/// recorded on another CPU (ATen's vectorised kernels differ by an ulp between capabilities).
/// </summary>
[TestFixture]
public class OptimTests
{
    const string Problem = """
        def run(opt_factory, steps):
            w = torch.tensor([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]], requires_grad=True)
            b = torch.tensor([0.01, -0.02], requires_grad=True)
            x = torch.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0], [0.3, -0.7, 1.1], [2.0, 1.0, -1.0]])
            y = torch.tensor([0, 1, 1, 0])
            opt = opt_factory([w, b])
            for _ in range(steps):
                opt.zero_grad(set_to_none=True)
                F.cross_entropy(F.linear(x, w, b), y).backward()
                opt.step()
            emit(w.detach(), b.detach())
        """;

    private static (float[] w, float[] b) Run(Func<Tensor[], optim.Optimizer> factory, int steps)
    {
        using var w = torch.tensor(new float[] { 0.1f, -0.2f, 0.3f, 0.4f, 0.5f, -0.6f }, [2, 3]).DetachFromDisposeScope().requires_grad_();
        using var b = torch.tensor(new float[] { 0.01f, -0.02f }, [2]).DetachFromDisposeScope().requires_grad_();
        using var opt = factory([w, b]);
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new float[] { 1.0f, 2.0f, 3.0f, -1.0f, 0.5f, 2.0f, 0.3f, -0.7f, 1.1f, 2.0f, 1.0f, -1.0f }, [4, 3]);
        var y = torch.tensor(new long[] { 0, 1, 1, 0 }, [4]);
        for (int i = 0; i < steps; i++)
        {
            opt.zero_grad();
            nn.functional.cross_entropy(nn.functional.linear(x, w, b), y).backward();
            opt.step();
        }
        return (w.data<float>(), b.data<float>());
    }

    /// <summary>Our optimizer against <c>torch.optim.&lt;pythonFactory&gt;</c> over the same problem and steps.</summary>
    static void AssertSameAsPyTorch(Func<Tensor[], optim.Optimizer> ours, string pythonFactory, int steps)
    {
        var expected = PyTorch.Floats(Problem + $"\nrun(lambda p: torch.optim.{pythonFactory}, {steps})");
        var (w, b) = Run(ours, steps);
        AssertBitwise(w, expected[..6].Select(v => (double)v).ToArray(), "w");
        AssertBitwise(b, expected[6..].Select(v => (double)v).ToArray(), "b");
    }

    [Test]
    [Category("Integration")] // python3-torch
    public void Adam_one_step_is_bitwise_equal_to_pytorch() =>
        AssertSameAsPyTorch(p => optim.Adam(p, lr: 0.01), "Adam(p, lr=0.01)", 1);

    [Test]
    [Category("Integration")] // python3-torch
    public void Adam_with_weight_decay_three_steps_is_bitwise_equal_to_pytorch() =>
        AssertSameAsPyTorch(p => optim.Adam(p, lr: 0.01, weight_decay: 0.01), "Adam(p, lr=0.01, weight_decay=0.01)", 3);

    [Test]
    [Category("Integration")] // python3-torch
    public void Sgd_nesterov_one_step_is_bitwise_equal_to_pytorch() =>
        AssertSameAsPyTorch(p => optim.SGD(p, lr: 0.1, momentum: 0.9, nesterov: true), "SGD(p, lr=0.1, momentum=0.9, nesterov=True)", 1);

    [Test]
    [Category("Integration")] // python3-torch
    public void Sgd_nesterov_weight_decay_three_steps_is_bitwise_equal_to_pytorch() =>
        AssertSameAsPyTorch(p => optim.SGD(p, lr: 0.1, momentum: 0.9, nesterov: true, weight_decay: 0.001),
            "SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.001)", 3);

    [Test]
    [Category("Integration")] // python3-torch
    public void Sgd_momentum_dampening_three_steps_is_bitwise_equal_to_pytorch() =>
        AssertSameAsPyTorch(p => optim.SGD(p, lr: 0.05, momentum: 0.5, dampening: 0.3), "SGD(p, lr=0.05, momentum=0.5, dampening=0.3)", 3);

    [Test]
    public void Zero_grad_sets_grads_to_none_and_step_skips_params_without_grad()
    {
        using var scope = torch.NewDisposeScope();
        var w = torch.ones([2]).requires_grad_();
        var unused = torch.ones([2]).requires_grad_();
        using var opt = optim.SGD([w, unused], lr: 0.5);
        (w * 2.0).sum().backward();
        Assert.That(w.grad, Is.Not.Null);
        opt.step();
        Assert.That(w.data<float>(), Is.EqualTo(new float[] { 0, 0 }));
        Assert.That(unused.data<float>(), Is.EqualTo(new float[] { 1, 1 }));
        opt.zero_grad();
        Assert.That(w.grad, Is.Null);
        Assert.That(opt.lr, Is.EqualTo(0.5));
        opt.lr = 0.25;
        Assert.That(opt.lr, Is.EqualTo(0.25));
    }

    [Test]
    public void Invalid_hyperparameters_surface_native_message()
    {
        using var scope = torch.NewDisposeScope();
        var w = torch.ones([2]).requires_grad_();
        var ex = Assert.Throws<TorchException>(() => optim.SGD([w], lr: 0.1, nesterov: true));
        Assert.That(ex!.Message, Does.Contain("Nesterov"));
    }
}
