using MnistClaims.Torch.Native;

namespace MnistClaims.Torch;

/// <summary>Modules, functional ops, losses and initializers (torch.nn).</summary>
public static class nn
{
    // ================================================================== modules
    public abstract class Module : IDisposable
    {
        private readonly List<(string Name, Tensor Tensor)> _parameters = new();
        private readonly List<(string Name, Module Module)> _modules = new();
        private bool _disposed;

        public bool training { get; private set; } = true;

        public abstract Tensor forward(Tensor x);

        /// <summary>Same as <see cref="forward"/> (TorchSharp style).</summary>
        public Tensor call(Tensor x) => forward(x);

        /// <summary>Registers a parameter: detached from any dispose scope, requires_grad set. Returns it.</summary>
        protected Tensor register_parameter(string name, Tensor parameter, bool requiresGrad = true)
        {
            parameter.DetachFromDisposeScope();
            if (requiresGrad && !parameter.requires_grad) parameter.requires_grad_(true);
            var i = _parameters.FindIndex(p => p.Name == name);
            if (i >= 0) _parameters[i] = (name, parameter);
            else _parameters.Add((name, parameter));
            return parameter;
        }

        protected Tensor? get_parameter(string name)
        {
            foreach (var (n, t) in _parameters) if (n == name) return t;
            return null;
        }

        protected T register_module<T>(string name, T module) where T : Module
        {
            _modules.Add((name, module));
            return module;
        }

        /// <summary>All parameters, own first then submodules in registration order (like PyTorch).</summary>
        public IReadOnlyList<Tensor> parameters()
        {
            var list = new List<Tensor>();
            foreach (var (_, p) in named_parameters()) list.Add(p);
            return list;
        }

        public IReadOnlyList<(string name, Tensor parameter)> named_parameters()
        {
            var list = new List<(string, Tensor)>();
            Collect("", list);
            return list;
        }

        private void Collect(string prefix, List<(string, Tensor)> list)
        {
            foreach (var (n, p) in _parameters) list.Add((prefix + n, p));
            foreach (var (n, m) in _modules) m.Collect(prefix + n + ".", list);
        }

        public IReadOnlyList<(string name, Module module)> named_children() => _modules.ToList();

        public virtual Module train(bool on = true)
        {
            training = on;
            foreach (var (_, m) in _modules) m.train(on);
            return this;
        }

        public Module eval() => train(false);

        /// <summary>Moves parameters to <paramref name="device"/> in place (new leaf tensors; the old ones are disposed).</summary>
        public virtual Module to(Device device)
        {
            for (int i = 0; i < _parameters.Count; i++)
            {
                var (name, p) = _parameters[i];
                if (p.device == device) continue;
                bool rg = p.requires_grad;
                Tensor moved;
                using (torch.no_grad())
                using (var tmp = p.to(device).DetachFromDisposeScope())
                    moved = tmp.detach().DetachFromDisposeScope();
                if (rg) moved.requires_grad_(true);
                _parameters[i] = (name, moved);
                p.Dispose();
            }
            foreach (var (_, m) in _modules) m.to(device);
            return this;
        }

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var (_, p) in _parameters) p.Dispose();
            foreach (var (_, m) in _modules) m.Dispose();
            GC.SuppressFinalize(this);
        }
    }

    /// <summary>y = x W^T + b, initialized exactly like torch.nn.Linear.reset_parameters (default generator).</summary>
    public sealed class Linear : Module
    {
        public long in_features { get; }
        public long out_features { get; }

        public Linear(long inFeatures, long outFeatures, bool hasBias = true, Device? device = null)
        {
            in_features = inFeatures;
            out_features = outFeatures;
            using (torch.no_grad())
            {
                var w = torch.empty([outFeatures, inFeatures]).DetachFromDisposeScope();
                init.kaiming_uniform_(w, a: Math.Sqrt(5));
                register_parameter("weight", w);
                if (hasBias)
                {
                    var b = torch.empty([outFeatures]).DetachFromDisposeScope();
                    var (fanIn, _) = init.calculate_fan_in_and_fan_out(w);
                    double bound = fanIn > 0 ? 1 / Math.Sqrt(fanIn) : 0;
                    init.uniform_(b, -bound, bound);
                    register_parameter("bias", b);
                }
            }
            if (device is { } d && d.Type != DeviceType.CPU) to(d);
        }

        public Tensor weight => get_parameter("weight")!;
        public Tensor? bias => get_parameter("bias");

        public override Tensor forward(Tensor x) => functional.linear(x, weight, bias);
    }

    public sealed class ReLU : Module { public override Tensor forward(Tensor x) => functional.relu(x); }
    public sealed class Sigmoid : Module { public override Tensor forward(Tensor x) => functional.sigmoid(x); }
    public sealed class Tanh : Module { public override Tensor forward(Tensor x) => functional.tanh(x); }

    public sealed class LeakyReLU(double negative_slope = 0.01) : Module
    {
        public double negative_slope { get; } = negative_slope;
        public override Tensor forward(Tensor x) => functional.leaky_relu(x, negative_slope);
    }

    public sealed class ELU(double alpha = 1.0) : Module
    {
        public double alpha { get; } = alpha;
        public override Tensor forward(Tensor x) => functional.elu(x, alpha);
    }

    public sealed class Dropout(double p = 0.5) : Module
    {
        public double p { get; } = p;
        public override Tensor forward(Tensor x) => functional.dropout(x, p, training);
    }

    public sealed class LogSoftmax(int dim) : Module
    {
        public int dim { get; } = dim;
        public override Tensor forward(Tensor x) => functional.log_softmax(x, dim);
    }

    public sealed class Softmax(int dim) : Module
    {
        public int dim { get; } = dim;
        public override Tensor forward(Tensor x) => functional.softmax(x, dim);
    }

    /// <summary>Returns its input (as a new handle aliasing the same tensor, so scope ownership stays simple).</summary>
    public sealed class Identity : Module { public override Tensor forward(Tensor x) => x.alias(); }

    public sealed class Sequential : Module
    {
        private readonly Module[] _layers;

        public Sequential(params Module[] modules)
        {
            _layers = modules;
            for (int i = 0; i < modules.Length; i++) register_module(i.ToString(System.Globalization.CultureInfo.InvariantCulture), modules[i]);
        }

        public int Count => _layers.Length;
        public Module this[int i] => _layers[i];

        public override Tensor forward(Tensor x)
        {
            if (_layers.Length == 0) return x.alias();
            var h = x;
            foreach (var m in _layers) h = m.forward(h);
            return h;
        }
    }

    // ================================================================== functional
    public static class functional
    {
        public static Tensor linear(Tensor input, Tensor weight, Tensor? bias = null)
        {
            if (bias is null) return Tensor.Wrap(NativeMethods.mc_nn_linear(input.Handle, weight.Handle, IntPtr.Zero));
            bool added = false;
            try
            {
                bias.Handle.DangerousAddRef(ref added);
                return Tensor.Wrap(NativeMethods.mc_nn_linear(input.Handle, weight.Handle, bias.Handle.DangerousGetHandle()));
            }
            finally { if (added) bias.Handle.DangerousRelease(); }
        }

        public static Tensor relu(Tensor x) => Tensor.Wrap(NativeMethods.mc_nn_relu(x.Handle));
        public static Tensor sigmoid(Tensor x) => Tensor.Wrap(NativeMethods.mc_nn_sigmoid(x.Handle));
        public static Tensor tanh(Tensor x) => Tensor.Wrap(NativeMethods.mc_nn_tanh(x.Handle));
        public static Tensor leaky_relu(Tensor x, double negative_slope = 0.01) => Tensor.Wrap(NativeMethods.mc_nn_leaky_relu(x.Handle, negative_slope));
        public static Tensor elu(Tensor x, double alpha = 1.0) => Tensor.Wrap(NativeMethods.mc_nn_elu(x.Handle, alpha));
        public static Tensor dropout(Tensor x, double p = 0.5, bool training = true) => Tensor.Wrap(NativeMethods.mc_nn_dropout(x.Handle, p, training ? 1 : 0));
        public static Tensor log_softmax(Tensor x, long dim) => Tensor.Wrap(NativeMethods.mc_nn_log_softmax(x.Handle, dim));
        public static Tensor softmax(Tensor x, long dim) => Tensor.Wrap(NativeMethods.mc_nn_softmax(x.Handle, dim));
        /// <summary>int64 one-hot encoding; numClasses = -1 infers max+1.</summary>
        public static Tensor one_hot(Tensor labels, long numClasses = -1) => Tensor.Wrap(NativeMethods.mc_nn_one_hot(labels.Handle, numClasses));

        /// <summary>int64 target: class indices; floating target (same shape as input): class probabilities.</summary>
        public static Tensor cross_entropy(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, double label_smoothing = 0.0) =>
            Tensor.Wrap(NativeMethods.mc_nn_cross_entropy(input.Handle, target.Handle, (int)reduction, label_smoothing));
        public static Tensor nll_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
            Tensor.Wrap(NativeMethods.mc_nn_nll_loss(input.Handle, target.Handle, (int)reduction));
        public static Tensor mse_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
            Tensor.Wrap(NativeMethods.mc_nn_mse_loss(input.Handle, target.Handle, (int)reduction));
        public static Tensor l1_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
            Tensor.Wrap(NativeMethods.mc_nn_l1_loss(input.Handle, target.Handle, (int)reduction));
    }

    // ================================================================== init (torch.nn.init, same float math)
    public static class init
    {
        public static (long fanIn, long fanOut) calculate_fan_in_and_fan_out(Tensor t)
        {
            var s = t.shape;
            if (s.Length < 2)
                throw new ArgumentException("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
            long receptive = 1;
            for (int i = 2; i < s.Length; i++) receptive *= s[i];
            return (s[1] * receptive, s[0] * receptive);
        }

        /// <summary>torch.nn.init.calculate_gain.</summary>
        public static double calculate_gain(string nonlinearity, double? param = null) => nonlinearity switch
        {
            "linear" or "conv1d" or "conv2d" or "conv3d" or "conv_transpose1d" or "conv_transpose2d" or "conv_transpose3d" or "sigmoid" => 1,
            "tanh" => 5.0 / 3,
            "relu" => Math.Sqrt(2.0),
            "leaky_relu" => Math.Sqrt(2.0 / (1 + Math.Pow(param ?? 0.01, 2))),
            "selu" => 3.0 / 4,
            _ => throw new ArgumentException($"Unsupported nonlinearity {nonlinearity}"),
        };

        private static long Fan(Tensor t, string mode)
        {
            var (fi, fo) = calculate_fan_in_and_fan_out(t);
            return mode switch
            {
                "fan_in" => fi,
                "fan_out" => fo,
                _ => throw new ArgumentException($"Mode {mode} not supported, please use one of fan_in, fan_out"),
            };
        }

        public static Tensor uniform_(Tensor t, double a = 0, double b = 1, Generator? generator = null)
        {
            using (torch.no_grad()) return t.uniform_(a, b, generator);
        }

        public static Tensor normal_(Tensor t, double mean = 0, double std = 1, Generator? generator = null)
        {
            using (torch.no_grad()) return t.normal_(mean, std, generator);
        }

        public static Tensor zeros_(Tensor t)
        {
            using (torch.no_grad()) return t.zero_();
        }

        public static Tensor constant_(Tensor t, double value)
        {
            using (torch.no_grad()) return t.fill_(value);
        }

        public static Tensor kaiming_uniform_(Tensor t, double a = 0, string mode = "fan_in", string nonlinearity = "leaky_relu", Generator? generator = null)
        {
            if (t.numel() == 0) return t;
            long fan = Fan(t, mode);
            double gain = calculate_gain(nonlinearity, a);
            double std = gain / Math.Sqrt(fan);
            double bound = Math.Sqrt(3.0) * std;
            return uniform_(t, -bound, bound, generator);
        }

        public static Tensor kaiming_normal_(Tensor t, double a = 0, string mode = "fan_in", string nonlinearity = "leaky_relu", Generator? generator = null)
        {
            if (t.numel() == 0) return t;
            long fan = Fan(t, mode);
            double gain = calculate_gain(nonlinearity, a);
            double std = gain / Math.Sqrt(fan);
            return normal_(t, 0, std, generator);
        }

        public static Tensor xavier_uniform_(Tensor t, double gain = 1.0, Generator? generator = null)
        {
            var (fi, fo) = calculate_fan_in_and_fan_out(t);
            double std = gain * Math.Sqrt(2.0 / (double)(fi + fo));
            double a = Math.Sqrt(3.0) * std;
            return uniform_(t, -a, a, generator);
        }

        public static Tensor xavier_normal_(Tensor t, double gain = 1.0, Generator? generator = null)
        {
            var (fi, fo) = calculate_fan_in_and_fan_out(t);
            double std = gain * Math.Sqrt(2.0 / (double)(fi + fo));
            return normal_(t, 0, std, generator);
        }
    }
}
