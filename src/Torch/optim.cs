using MnistClaims.Torch.Native;

namespace MnistClaims.Torch;

/// <summary>Optimizers implemented inside the shim as op-for-op ports of PyTorch 1.13's single-tensor code paths.</summary>
public static class optim
{
    public abstract class Optimizer : IDisposable
    {
        internal readonly OptimizerHandle Handle;

        private protected Optimizer(IntPtr handle) => Handle = new OptimizerHandle(TorchException.Check(handle));

        /// <summary>Sets every parameter's grad to undefined (PyTorch set_to_none=True).</summary>
        public void zero_grad() => TorchException.Check(NativeMethods.mc_optim_zero_grad(Handle));

        /// <summary>One update of every parameter whose grad is defined (runs under NoGradGuard natively).</summary>
        public void step() => TorchException.Check(NativeMethods.mc_optim_step(Handle));

        /// <summary>Learning rate (param_groups[0]['lr']); settable for schedules.</summary>
        public double lr
        {
            get => NativeMethods.mc_optim_get_lr(Handle);
            set => TorchException.Check(NativeMethods.mc_optim_set_lr(Handle, value));
        }

        public void Dispose() => Handle.Dispose();

        internal static unsafe IntPtr CreateHandle(IEnumerable<Tensor> parameters, Func<IntPtr, int, IntPtr> create)
        {
            var ps = parameters.ToArray();
            var added = new bool[ps.Length];
            var raw = new IntPtr[ps.Length];
            try
            {
                for (int i = 0; i < ps.Length; i++)
                {
                    ps[i].Handle.DangerousAddRef(ref added[i]);
                    raw[i] = ps[i].Handle.DangerousGetHandle();
                }
                fixed (IntPtr* p = raw) return create((IntPtr)p, raw.Length);
            }
            finally
            {
                for (int i = 0; i < ps.Length; i++) if (added[i]) ps[i].Handle.DangerousRelease();
            }
        }
    }

    private sealed class SgdOptimizer : Optimizer
    {
        internal SgdOptimizer(IntPtr h) : base(h) { }
    }

    private sealed class AdamOptimizer : Optimizer
    {
        internal AdamOptimizer(IntPtr h) : base(h) { }
    }

    /// <summary>torch.optim.SGD (maximize=False, foreach=False).</summary>
    public static unsafe Optimizer SGD(IEnumerable<Tensor> parameters, double lr, double momentum = 0, double dampening = 0,
                                       double weight_decay = 0, bool nesterov = false) =>
        new SgdOptimizer(Optimizer.CreateHandle(parameters, (p, n) =>
            NativeMethods.mc_optim_sgd((IntPtr*)p, n, lr, momentum, dampening, weight_decay, nesterov ? 1 : 0)));

    /// <summary>torch.optim.Adam (maximize=False, foreach=False, capturable=False).</summary>
    public static unsafe Optimizer Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
                                        double eps = 1e-8, double weight_decay = 0, bool amsgrad = false) =>
        new AdamOptimizer(Optimizer.CreateHandle(parameters, (p, n) =>
            NativeMethods.mc_optim_adam((IntPtr*)p, n, lr, beta1, beta2, eps, weight_decay, amsgrad ? 1 : 0)));
}
