using MnistClaims.Torch;
using NUnit.Framework;

namespace MnistClaims.Tests.Unit.Torch;

[TestFixture]
public class TensorTests
{
    [Test]
    public void Version_handshake_reports_libtorch_version()
    {
        Assert.That(torch.version, Does.Match(@"^\d+\.\d+\.\d+"));
        Assert.That(torch.native_abi_version, Is.EqualTo(1));
        Assert.That(torch.show_config(), Is.Not.Empty);
        Assert.That(torch.parallel_info(), Does.Contain("ATen"));
        Assert.That(torch.get_num_threads(), Is.GreaterThan(0));
    }

    [Test]
    public void Create_copy_out_and_metadata_roundtrip()
    {
        using var scope = torch.NewDisposeScope();
        var t = torch.tensor(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3]);
        Assert.That(t.shape, Is.EqualTo(new long[] { 2, 3 }));
        Assert.That(t.size(1), Is.EqualTo(3));
        Assert.That(t.numel(), Is.EqualTo(6));
        Assert.That(t.dtype, Is.EqualTo(ScalarType.Float32));
        Assert.That(t.device, Is.EqualTo(Device.CPU));
        Assert.That(t.data<float>(), Is.EqualTo(new float[] { 1, 2, 3, 4, 5, 6 }));
        Assert.That(t.sum().ToSingle(), Is.EqualTo(21f));
        Assert.That(t.mean().ToDouble(), Is.EqualTo(3.5));
        Assert.That(t.argmax(1).data<long>(), Is.EqualTo(new long[] { 2, 2 }));
        var v = t.max(1, out var idx);
        Assert.That(v.data<float>(), Is.EqualTo(new float[] { 3, 6 }));
        Assert.That(idx.data<long>(), Is.EqualTo(new long[] { 2, 2 }));
        Assert.That(t.view(3, 2).shape, Is.EqualTo(new long[] { 3, 2 }));
        Assert.That(t.narrow(1, 1, 2).data<float>(), Is.EqualTo(new float[] { 2, 3, 5, 6 }));
        var rows = t.index_select(0, torch.tensor(new long[] { 1, 0 }, [2]));
        Assert.That(rows.data<float>(), Is.EqualTo(new float[] { 4, 5, 6, 1, 2, 3 }));
        var eq = torch.tensor(new long[] { 1, 2, 3 }, [3]).eq(torch.tensor(new long[] { 1, 0, 3 }, [3]));
        Assert.That(eq.dtype, Is.EqualTo(ScalarType.Bool));
        Assert.That(eq.sum().ToInt64(), Is.EqualTo(2));
        var bytes = torch.tensor(new byte[] { 0, 255 }, [2]);
        Assert.That(bytes.dtype, Is.EqualTo(ScalarType.UInt8));
        Assert.That(bytes.to(ScalarType.Float32).div(255.0).data<float>(), Is.EqualTo(new float[] { 0, 1 }));
        ReadOnlySpan<float> span = [0.5f, -0.5f];
        Span<float> back = stackalloc float[2];
        torch.tensor(span, [2]).exp().CopyTo(back);
        Assert.That(back[0], Is.EqualTo(MathF.Exp(0.5f)).Within(1e-6));
    }

    [Test]
    public void Integer_scalars_keep_integer_dtype_and_float_scalars_promote()
    {
        using var scope = torch.NewDisposeScope();
        var t = torch.tensor(new long[] { 7, 12, 25 }, [3]);
        Assert.That((t % 10).data<long>(), Is.EqualTo(new long[] { 7, 2, 5 }));
        Assert.That((t * 2 + 1).data<long>(), Is.EqualTo(new long[] { 15, 25, 51 }));
        Assert.That((100 - t).data<long>(), Is.EqualTo(new long[] { 93, 88, 75 }));
        Assert.That((t * 0.5).dtype, Is.EqualTo(ScalarType.Float32));
        Assert.That(t.sub(t, alpha: 2).data<long>(), Is.EqualTo(new long[] { -7, -12, -25 }));
    }

    [Test]
    public void Shape_and_dtype_mismatches_are_rejected_in_managed_code()
    {
        Assert.Throws<ArgumentException>(() => torch.tensor(new float[] { 1, 2, 3 }, [2, 2]));
        using var t = torch.zeros([2]);
        Assert.Throws<InvalidOperationException>(() => t.data<long>());
    }

    [Test]
    public void Native_error_surfaces_as_TorchException_with_native_message()
    {
        using var scope = torch.NewDisposeScope();
        using var lin = new nn.Linear(4, 3);
        var x = torch.zeros([2, 5]);
        var ex = Assert.Throws<TorchException>(() => lin.forward(x));
        Assert.That(ex!.Message, Does.Contain("shapes cannot be multiplied"));
        Assert.That(ex.Message, Does.Contain("2x5"));
        // the error slot does not poison later calls
        Assert.That(lin.forward(torch.zeros([2, 4])).shape, Is.EqualTo(new long[] { 2, 3 }));
    }

    [Test]
    public void No_grad_disables_autograd_and_restores_previous_state()
    {
        using var scope = torch.NewDisposeScope();
        var w = torch.ones([2]).requires_grad_();
        Assert.That(torch.is_grad_enabled(), Is.True);
        using (torch.no_grad())
        {
            Assert.That(torch.is_grad_enabled(), Is.False);
            Assert.That((w * 2.0).requires_grad, Is.False);
            using (torch.no_grad()) { }
            Assert.That(torch.is_grad_enabled(), Is.False, "nested guard restores the outer (disabled) state");
            using (torch.enable_grad()) Assert.That((w * 2.0).requires_grad, Is.True);
        }
        Assert.That(torch.is_grad_enabled(), Is.True);
        var y = (w * 3.0).sum();
        Assert.That(y.requires_grad, Is.True);
        Assert.That(w.grad, Is.Null);
        y.backward();
        Assert.That(w.grad!.data<float>(), Is.EqualTo(new float[] { 3, 3 }));
    }

    [Test, NonParallelizable]
    public void Dispose_scope_frees_temporaries_and_supports_move_out()
    {
        TorchTestUtil.CollectGarbage();
        long baseline = Tensor.LiveCount;
        Tensor kept;
        using (var outer = torch.NewDisposeScope())
        {
            using (var inner = torch.NewDisposeScope())
            {
                var a = torch.ones([3]);
                var b = a + 1.0;
                kept = (b * 2.0).MoveToOuterDisposeScope();
                Assert.That(inner.Count, Is.EqualTo(2));
            }
            Assert.That(outer.Count, Is.EqualTo(1));
            Assert.That(kept.IsDisposed, Is.False);
            Assert.That(kept.data<float>(), Is.EqualTo(new float[] { 4, 4, 4 }));
            kept.DetachFromDisposeScope();
        }
        Assert.That(kept.IsDisposed, Is.False);
        Assert.That(Tensor.LiveCount, Is.EqualTo(baseline + 1));
        kept.Dispose();
        Assert.That(Tensor.LiveCount, Is.EqualTo(baseline));
    }

    [Test, NonParallelizable]
    public void Training_loop_in_per_step_scopes_leaks_no_tensors()
    {
        torch.manual_seed(1);
        using var model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 3));
        using var opt = optim.Adam(model.parameters(), lr: 0.01);
        using var data = torch.tensor(Enumerable.Range(0, 32).Select(i => (float)Math.Sin(i)).ToArray(), [8, 4]);
        using var labels = torch.tensor(new long[] { 0, 1, 2, 0, 1, 2, 0, 1 }, [8]);
        TorchTestUtil.CollectGarbage();
        long baseline = Tensor.LiveCount;
        float first = 0, last = 0;
        for (int step = 0; step < 100; step++)
        {
            using var scope = torch.NewDisposeScope();
            opt.zero_grad();
            var loss = nn.functional.cross_entropy(model.forward(data), labels);
            loss.backward();
            opt.step();
            var g = model.parameters()[0].grad; // a handle per call, registered in the scope
            Assert.That(g, Is.Not.Null);
            if (step == 0) first = loss.ToSingle();
            last = loss.ToSingle();
        }
        Assert.That(Tensor.LiveCount, Is.EqualTo(baseline));
        Assert.That(last, Is.LessThan(first));
    }

    [Test]
    public void Device_parse_and_format()
    {
        Assert.That(Device.Parse("cpu"), Is.EqualTo(Device.CPU));
        Assert.That(Device.Parse("cuda"), Is.EqualTo(Device.CUDA));
        Assert.That(Device.Parse("cuda:1"), Is.EqualTo(new Device(DeviceType.CUDA, 1)));
        Assert.That(new Device(DeviceType.CUDA, 0).ToString(), Is.EqualTo("cuda:0"));
        Assert.That(Device.CPU.ToString(), Is.EqualTo("cpu"));
        Assert.Throws<FormatException>(() => Device.Parse("tpu"));
        Assert.Throws<FormatException>(() => Device.Parse("cuda:x"));
    }

    [Test]
    public void Cuda_queries_do_not_throw()
    {
        bool avail = torch.cuda.is_available();
        Assert.That(torch.cuda.device_count(), avail ? Is.GreaterThan(0) : Is.EqualTo(0));
        if (avail)
        {
            using var scope = torch.NewDisposeScope();
            var t = torch.tensor(new float[] { 1, 2 }, [2], Device.CUDA);
            Assert.That(t.device.Type, Is.EqualTo(DeviceType.CUDA));
            Assert.That(t.data<float>(), Is.EqualTo(new float[] { 1, 2 }));
        }
    }

    [Test]
    public void Determinism_switches_roundtrip()
    {
        var before = torch.get_deterministic();
        try
        {
            torch.set_deterministic(true, true, false, false);
            var s = torch.get_deterministic();
            Assert.That(s.DeterministicAlgorithms && s.CudnnDeterministic && !s.CudnnBenchmark && !s.AllowTf32CuBLAS && !s.AllowTf32CuDNN);
        }
        finally
        {
            torch.set_deterministic(before.DeterministicAlgorithms, before.CudnnDeterministic, before.CudnnBenchmark, before.AllowTf32CuBLAS);
        }
    }
}
