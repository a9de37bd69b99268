using MnistClaims.Torch;
using NUnit.Framework;
using static MnistClaims.Tests.Unit.Torch.TorchTestUtil;

namespace MnistClaims.Tests.Unit.Torch;

/// <summary>
/// Expected values from /usr/bin/python3 (torch 1.13):
/// <code>
/// def run(opt_factory, steps=3):
///     w = torch.tensor([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]], requires_grad=True)
///     b = torch.tensor([0.01, -0.02], requires_grad=True)
///     x = torch.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0], [0.3, -0.7, 1.1], [2.0, 1.0, -1.0]])
///     y = torch.tensor([0, 1, 1, 0])
///     opt = opt_factory([w, b])
///     for _ in range(steps):
///         opt.zero_grad(set_to_none=True)
///         F.cross_entropy(F.linear(x, w, b), y).backward()
///         opt.step()
///     return w, b   # printed with repr(float(v)) per element
/// </code>
/// </summary>
[TestFixture]
public class OptimTests
{
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

    [Test]
    public void Adam_one_step_is_bitwise_equal_to_pytorch()
    {
        // run(lambda p: torch.optim.Adam(p, lr=0.01), steps=1)
        var (w, b) = Run(p => optim.Adam(p, lr: 0.01), 1);
        AssertBitwise(w, [0.10999999940395355, -0.1899999976158142, 0.2900000214576721, 0.39000001549720764, 0.49000000953674316, -0.5900000333786011], "w");
        AssertBitwise(b, [9.313225746154785e-10, -0.010000000707805157], "b");
    }

    [Test]
    public void Adam_with_weight_decay_three_steps_is_bitwise_equal_to_pytorch()
    {
        // run(lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.01))
        var (w, b) = Run(p => optim.Adam(p, lr: 0.01, weight_decay: 0.01), 3);
        AssertBitwise(w, [0.12999460101127625, -0.16999967396259308, 0.27001723647117615, 0.370005339384079, 0.46999967098236084, -0.5700172185897827], "w");
        AssertBitwise(b, [-0.019964683800935745, 0.009964716620743275], "b");
    }

    [Test]
    public void Sgd_nesterov_one_step_is_bitwise_equal_to_pytorch()
    {
        // run(lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True), steps=1)
        var (w, b) = Run(p => optim.SGD(p, lr: 0.1, momentum: 0.9, nesterov: true), 1);
        AssertBitwise(w, [0.22693072259426117, -0.12591996788978577, 0.1714869886636734, 0.2730692923069, 0.4259199798107147, -0.47148701548576355], "w");
        AssertBitwise(b, [-0.013770347461104393, 0.003770337672904134], "b");
    }

    [Test]
    public void Sgd_nesterov_weight_decay_three_steps_is_bitwise_equal_to_pytorch()
    {
        // run(lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.001))
        var (w, b) = Run(p => optim.SGD(p, lr: 0.1, momentum: 0.9, nesterov: true, weight_decay: 0.001), 3);
        AssertBitwise(w, [0.5775759816169739, 0.11058948189020157, -0.13420924544334412, -0.07797838747501373, 0.18916907906532288, -0.1655493527650833], "w");
        AssertBitwise(b, [-0.07140297442674637, 0.061410993337631226], "b");
    }

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
