using System.Runtime.InteropServices;

namespace MnistClaims.Torch.Native;

/// <summary>
/// P/Invoke surface of libmnistclaims_native (src/Native). Conventions: functions returning a
/// handle return <see cref="IntPtr.Zero"/> on failure; functions returning int return 0 on
/// success and -1 on failure; the message is then in <see cref="mc_last_error"/>.
/// </summary>
internal static unsafe partial class NativeMethods
{
    internal const string Lib = "mnistclaims_native";

    internal static string LastError()
    {
        var p = mc_last_error();
        var s = p == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(p);
        return string.IsNullOrEmpty(s) ? "unknown native error (empty error slot)" : s;
    }

    internal static string? PtrToString(IntPtr p) => p == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(p);

    // ---------------------------------------------------------------- errors / lifetime
    [LibraryImport(Lib)] internal static partial IntPtr mc_last_error();
    [LibraryImport(Lib)] internal static partial void mc_clear_error();
    [LibraryImport(Lib)] internal static partial void mc_tensor_free(IntPtr t);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_alias(TensorHandle t);

    // ---------------------------------------------------------------- creation
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_from_data(void* data, int dtype, long* shape, int ndim, int devtype, int devidx);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_zeros(long* shape, int ndim, int dtype, int devtype, int devidx);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_ones(long* shape, int ndim, int dtype, int devtype, int devidx);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_empty(long* shape, int ndim, int dtype, int devtype, int devidx);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_full(long* shape, int ndim, double value, int dtype, int devtype, int devidx);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_arange(double start, double end, double step, int dtype, int devtype, int devidx);

    // ---------------------------------------------------------------- metadata
    [LibraryImport(Lib)] internal static partial long mc_tensor_ndim(TensorHandle t);
    [LibraryImport(Lib)] internal static partial long mc_tensor_shape(TensorHandle t, long* shape, int cap);
    [LibraryImport(Lib)] internal static partial long mc_tensor_size(TensorHandle t, long dim);
    [LibraryImport(Lib)] internal static partial long mc_tensor_numel(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int mc_tensor_dtype(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int mc_tensor_device(TensorHandle t, int* type, int* index);
    [LibraryImport(Lib)] internal static partial int mc_tensor_requires_grad(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int mc_tensor_is_leaf(TensorHandle t);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_str(TensorHandle t);

    // ---------------------------------------------------------------- copy-out / item
    [LibraryImport(Lib)] internal static partial int mc_tensor_copy_to(TensorHandle t, void* dest, long nbytes);
    [LibraryImport(Lib)] internal static partial int mc_tensor_item_double(TensorHandle t, double* value);
    [LibraryImport(Lib)] internal static partial int mc_tensor_item_int64(TensorHandle t, long* value);

    // ---------------------------------------------------------------- conversion
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_to_device(TensorHandle t, int devtype, int devidx, int nonBlocking);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_to_dtype(TensorHandle t, int dtype);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_detach(TensorHandle t);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_clone(TensorHandle t);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_contiguous(TensorHandle t);

    // ---------------------------------------------------------------- autograd
    [LibraryImport(Lib)] internal static partial int mc_tensor_set_requires_grad(TensorHandle t, int on);
    [LibraryImport(Lib)] internal static partial int mc_tensor_grad(TensorHandle t, IntPtr* grad);
    [LibraryImport(Lib)] internal static partial int mc_tensor_backward(TensorHandle t);

    // ---------------------------------------------------------------- in-place
    [LibraryImport(Lib)] internal static partial int mc_tensor_zero_(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int mc_tensor_fill_(TensorHandle t, double value);
    [LibraryImport(Lib)] internal static partial int mc_tensor_copy_(TensorHandle t, TensorHandle src);
    [LibraryImport(Lib)] internal static partial int mc_tensor_uniform_(TensorHandle t, double from, double to, IntPtr generator);
    [LibraryImport(Lib)] internal static partial int mc_tensor_normal_(TensorHandle t, double mean, double std, IntPtr generator);
    [LibraryImport(Lib)] internal static partial int mc_tensor_add_(TensorHandle t, TensorHandle other, double alpha);
    [LibraryImport(Lib)] internal static partial int mc_tensor_mul_scalar_(TensorHandle t, double value);

    // ---------------------------------------------------------------- shape ops
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_view(TensorHandle t, long* shape, int ndim);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_reshape(TensorHandle t, long* shape, int ndim);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_narrow(TensorHandle t, long dim, long start, long length);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_flatten(TensorHandle t, long startDim, long endDim);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_unsqueeze(TensorHandle t, long dim);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_squeeze(TensorHandle t, long dim);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_transpose(TensorHandle t, long dim0, long dim1);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_index_select(TensorHandle t, long dim, TensorHandle index);

    // ---------------------------------------------------------------- reductions / comparison
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_argmax(TensorHandle t, long dim, int keepdim);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_argmax_all(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int mc_tensor_max_dim(TensorHandle t, long dim, int keepdim, IntPtr* values, IntPtr* indices);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_max_all(TensorHandle t);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_min_all(TensorHandle t);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_eq(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_eq_scalar(TensorHandle a, double b);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_sum_all(TensorHandle t);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_sum_dim(TensorHandle t, long dim, int keepdim);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_mean_all(TensorHandle t);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_mean_dim(TensorHandle t, long dim, int keepdim);
    [LibraryImport(Lib)] internal static partial int mc_tensor_allclose(TensorHandle a, TensorHandle b, double rtol, double atol);
    [LibraryImport(Lib)] internal static partial int mc_tensor_equal(TensorHandle a, TensorHandle b);

    // ---------------------------------------------------------------- arithmetic
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_add(TensorHandle a, TensorHandle b, double alpha);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_sub(TensorHandle a, TensorHandle b, double alpha);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_mul(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_div(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_add_scalar(TensorHandle a, double b);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_mul_scalar(TensorHandle a, double b);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_div_scalar(TensorHandle a, double b);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_add_scalar_i(TensorHandle a, long b);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_mul_scalar_i(TensorHandle a, long b);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_rsub_scalar_i(TensorHandle a, long b);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_remainder_scalar_i(TensorHandle a, long b);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_rsub_scalar(TensorHandle a, double b);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_pow_scalar(TensorHandle a, double e);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_neg(TensorHandle a);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_exp(TensorHandle a);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_log(TensorHandle a);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_sqrt(TensorHandle a);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_abs(TensorHandle a);
    [LibraryImport(Lib)] internal static partial IntPtr mc_tensor_matmul(TensorHandle a, TensorHandle b);

    // ---------------------------------------------------------------- nn
    [LibraryImport(Lib)] internal static partial IntPtr mc_nn_linear(TensorHandle x, TensorHandle w, IntPtr bias);
    [LibraryImport(Lib)] internal static partial IntPtr mc_nn_relu(TensorHandle x);
    [LibraryImport(Lib)] internal static partial IntPtr mc_nn_sigmoid(TensorHandle x);
    [LibraryImport(Lib)] internal static partial IntPtr mc_nn_tanh(TensorHandle x);
    [LibraryImport(Lib)] internal static partial IntPtr mc_nn_leaky_relu(TensorHandle x, double slope);
    [LibraryImport(Lib)] internal static partial IntPtr mc_nn_elu(TensorHandle x, double alpha);
    [LibraryImport(Lib)] internal static partial IntPtr mc_nn_dropout(TensorHandle x, double p, int training);
    [LibraryImport(Lib)] internal static partial IntPtr mc_nn_log_softmax(TensorHandle x, long dim);
    [LibraryImport(Lib)] internal static partial IntPtr mc_nn_softmax(TensorHandle x, long dim);
    [LibraryImport(Lib)] internal static partial IntPtr mc_nn_one_hot(TensorHandle labels, long numClasses);
    [LibraryImport(Lib)] internal static partial IntPtr mc_nn_cross_entropy(TensorHandle input, TensorHandle target, int reduction, double labelSmoothing);
    [LibraryImport(Lib)] internal static partial IntPtr mc_nn_nll_loss(TensorHandle input, TensorHandle target, int reduction);
    [LibraryImport(Lib)] internal static partial IntPtr mc_nn_mse_loss(TensorHandle input, TensorHandle target, int reduction);
    [LibraryImport(Lib)] internal static partial IntPtr mc_nn_l1_loss(TensorHandle input, TensorHandle target, int reduction);

    // ---------------------------------------------------------------- optim / RNG / grad mode
    [LibraryImport(Lib)] internal static partial IntPtr mc_optim_sgd(IntPtr* parameters, int n, double lr, double momentum, double dampening, double weightDecay, int nesterov);
    [LibraryImport(Lib)] internal static partial IntPtr mc_optim_adam(IntPtr* parameters, int n, double lr, double beta1, double beta2, double eps, double weightDecay, int amsgrad);
    [LibraryImport(Lib)] internal static partial int mc_optim_step(OptimizerHandle o);
    [LibraryImport(Lib)] internal static partial int mc_optim_zero_grad(OptimizerHandle o);
    [LibraryImport(Lib)] internal static partial int mc_optim_set_lr(OptimizerHandle o, double lr);
    [LibraryImport(Lib)] internal static partial double mc_optim_get_lr(OptimizerHandle o);
    [LibraryImport(Lib)] internal static partial void mc_optim_free(IntPtr o);

    [LibraryImport(Lib)] internal static partial int mc_manual_seed(long seed);
    [LibraryImport(Lib)] internal static partial int mc_cuda_manual_seed_all(long seed);
    [LibraryImport(Lib)] internal static partial IntPtr mc_generator_new(long seed);
    [LibraryImport(Lib)] internal static partial int mc_generator_manual_seed(GeneratorHandle g, long seed);
    [LibraryImport(Lib)] internal static partial int mc_generator_initial_seed(GeneratorHandle g, long* seed);
    [LibraryImport(Lib)] internal static partial void mc_generator_free(IntPtr g);
    [LibraryImport(Lib)] internal static partial IntPtr mc_randperm(long n, IntPtr generator);

    [LibraryImport(Lib)] internal static partial int mc_grad_set_enabled(int enabled);
    [LibraryImport(Lib)] internal static partial int mc_grad_is_enabled();

    // ---------------------------------------------------------------- device / config
    [LibraryImport(Lib)] internal static partial int mc_abi_version();
    [LibraryImport(Lib)] internal static partial IntPtr mc_torch_version();
    [LibraryImport(Lib)] internal static partial int mc_built_with_cuda();
    [LibraryImport(Lib)] internal static partial IntPtr mc_show_config();
    [LibraryImport(Lib)] internal static partial IntPtr mc_parallel_info();
    [LibraryImport(Lib)] internal static partial IntPtr mc_cpu_capability();
    [LibraryImport(Lib)] internal static partial IntPtr mc_openblas_corename();
    [LibraryImport(Lib)] internal static partial IntPtr mc_openblas_config();
    [LibraryImport(Lib)] internal static partial int mc_set_num_threads(int n);
    [LibraryImport(Lib)] internal static partial int mc_get_num_threads();
    [LibraryImport(Lib)] internal static partial int mc_set_num_interop_threads(int n);
    [LibraryImport(Lib)] internal static partial int mc_get_num_interop_threads();
    [LibraryImport(Lib)] internal static partial int mc_cuda_is_available();
    [LibraryImport(Lib)] internal static partial int mc_cuda_device_count();
    [LibraryImport(Lib)] internal static partial IntPtr mc_cuda_device_name(int index);
    [LibraryImport(Lib)] internal static partial int mc_set_deterministic(int deterministicAlgorithms, int cudnnDeterministic, int cudnnBenchmark, int allowTf32);
    [LibraryImport(Lib)] internal static partial int mc_get_deterministic(int* flags);
}

/// <summary>Owns one heap-allocated <c>at::Tensor*</c>; releasing it calls <c>mc_tensor_free</c>.</summary>
internal sealed class TensorHandle : SafeHandle
{
    internal static long s_live;

    public TensorHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    internal TensorHandle(IntPtr h) : base(IntPtr.Zero, ownsHandle: true)
    {
        SetHandle(h);
        Interlocked.Increment(ref s_live);
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.mc_tensor_free(handle);
        Interlocked.Decrement(ref s_live);
        return true;
    }
}

internal sealed class OptimizerHandle : SafeHandle
{
    public OptimizerHandle() : base(IntPtr.Zero, ownsHandle: true) { }
    internal OptimizerHandle(IntPtr h) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(h);
    public override bool IsInvalid => handle == IntPtr.Zero;
    protected override bool ReleaseHandle() { NativeMethods.mc_optim_free(handle); return true; }
}

internal sealed class GeneratorHandle : SafeHandle
{
    public GeneratorHandle() : base(IntPtr.Zero, ownsHandle: true) { }
    internal GeneratorHandle(IntPtr h) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(h);
    public override bool IsInvalid => handle == IntPtr.Zero;
    protected override bool ReleaseHandle() { NativeMethods.mc_generator_free(handle); return true; }
}
