using System.Runtime.CompilerServices;
using MnistClaims.Torch.Native;

namespace MnistClaims.Torch;

/// <summary>A libtorch tensor (an owned <c>at::Tensor*</c> handle). Dispose it, or create it inside a <see cref="DisposeScope"/>.</summary>
public sealed unsafe class Tensor : IDisposable
{
    internal readonly TensorHandle Handle;
    internal DisposeScope? Scope;

    private Tensor(IntPtr h, bool registerInScope)
    {
        Handle = new TensorHandle(h);
        if (registerInScope) DisposeScope.RegisterWithCurrent(this);
    }

    /// <summary>Wraps a handle returned by the shim (throws the native error when it is null).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Tensor Wrap(IntPtr h)
    {
        if (h == IntPtr.Zero) throw TorchException.FromNative();
        return new Tensor(h, registerInScope: true);
    }

    /// <summary>Wraps a handle without registering it in any dispose scope (module parameters, optimizer state).</summary>
    internal static Tensor WrapUnscoped(IntPtr h)
    {
        if (h == IntPtr.Zero) throw TorchException.FromNative();
        return new Tensor(h, registerInScope: false);
    }

    /// <summary>Number of live native tensor handles in this process (for leak tests).</summary>
    public static long LiveCount => Interlocked.Read(ref TensorHandle.s_live);

    public bool IsDisposed => Handle.IsClosed;

    // ------------------------------------------------------------------ metadata
    public long[] shape
    {
        get
        {
            long* buf = stackalloc long[16];
            long n = NativeMethods.mc_tensor_shape(Handle, buf, 16);
            if (n < 0) throw TorchException.FromNative();
            if (n <= 16) return new ReadOnlySpan<long>(buf, (int)n).ToArray();
            var arr = new long[n];
            fixed (long* p = arr)
                if (NativeMethods.mc_tensor_shape(Handle, p, (int)n) < 0) throw TorchException.FromNative();
            return arr;
        }
    }

    public long dim()
    {
        long n = NativeMethods.mc_tensor_ndim(Handle);
        return n >= 0 ? n : throw TorchException.FromNative();
    }

    public long ndim => dim();

    public long size(int dim)
    {
        long n = NativeMethods.mc_tensor_size(Handle, dim);
        return n >= 0 ? n : throw TorchException.FromNative();
    }

    public long numel()
    {
        long n = NativeMethods.mc_tensor_numel(Handle);
        return n >= 0 ? n : throw TorchException.FromNative();
    }

    public ScalarType dtype
    {
        get
        {
            int d = NativeMethods.mc_tensor_dtype(Handle);
            return d >= 0 ? (ScalarType)d : throw TorchException.FromNative();
        }
    }

    public Device device
    {
        get
        {
            int type, index;
            TorchException.Check(NativeMethods.mc_tensor_device(Handle, &type, &index));
            return (DeviceType)type == DeviceType.CPU ? Device.CPU : new Device((DeviceType)type, index);
        }
    }

    public bool is_leaf
    {
        get
        {
            int r = NativeMethods.mc_tensor_is_leaf(Handle);
            return r >= 0 ? r != 0 : throw TorchException.FromNative();
        }
    }

    // ------------------------------------------------------------------ conversion / copy-out
    public Tensor to(Device d, bool non_blocking = false) =>
        Wrap(NativeMethods.mc_tensor_to_device(Handle, (int)d.Type, d.Index, non_blocking ? 1 : 0));
    public Tensor to(ScalarType t) => Wrap(NativeMethods.mc_tensor_to_dtype(Handle, (int)t));
    public Tensor cpu() => to(Device.CPU);
    public Tensor cuda() => to(Device.CUDA);
    public Tensor contiguous() => Wrap(NativeMethods.mc_tensor_contiguous(Handle));

    public double ToDouble()
    {
        double v;
        TorchException.Check(NativeMethods.mc_tensor_item_double(Handle, &v));
        return v;
    }

    public float ToSingle() => (float)ToDouble();

    public long ToInt64()
    {
        long v;
        TorchException.Check(NativeMethods.mc_tensor_item_int64(Handle, &v));
        return v;
    }

    /// <summary>Copies the elements (row-major; moved to CPU if needed) into a new array. T must match <see cref="dtype"/>.</summary>
    public T[] data<T>() where T : unmanaged
    {
        CheckElementType<T>();
        var arr = new T[numel()];
        CopyToUnchecked<T>(arr);
        return arr;
    }

    /// <summary>Copies numel() elements into <paramref name="dest"/> (which may be longer).</summary>
    public void CopyTo<T>(Span<T> dest) where T : unmanaged
    {
        CheckElementType<T>();
        long n = numel();
        if (dest.Length < n) throw new ArgumentException($"Destination has {dest.Length} elements but the tensor has {n}.", nameof(dest));
        CopyToUnchecked(dest[..(int)n]);
    }

    private void CopyToUnchecked<T>(Span<T> dest) where T : unmanaged
    {
        fixed (T* p = dest)
            TorchException.Check(NativeMethods.mc_tensor_copy_to(Handle, p, (long)dest.Length * sizeof(T)));
    }

    private void CheckElementType<T>() where T : unmanaged
    {
        var want = ElementType<T>.Require();
        var have = dtype;
        if (want != have) throw new InvalidOperationException($"Tensor dtype is {have} but {typeof(T).Name} ({want}) was requested.");
    }

    // ------------------------------------------------------------------ autograd
    public Tensor detach() => Wrap(NativeMethods.mc_tensor_detach(Handle));
    public Tensor clone() => Wrap(NativeMethods.mc_tensor_clone(Handle));

    public bool requires_grad
    {
        get
        {
            int r = NativeMethods.mc_tensor_requires_grad(Handle);
            return r >= 0 ? r != 0 : throw TorchException.FromNative();
        }
    }

    public Tensor requires_grad_(bool on = true)
    {
        TorchException.Check(NativeMethods.mc_tensor_set_requires_grad(Handle, on ? 1 : 0));
        return this;
    }

    /// <summary>The accumulated gradient as a new handle (registered in the current scope), or null when undefined.</summary>
    public Tensor? grad
    {
        get
        {
            IntPtr g;
            TorchException.Check(NativeMethods.mc_tensor_grad(Handle, &g));
            return g == IntPtr.Zero ? null : new Tensor(g, registerInScope: true);
        }
    }

    public void backward() => TorchException.Check(NativeMethods.mc_tensor_backward(Handle));

    // ------------------------------------------------------------------ in-place (return this)
    public Tensor zero_() { TorchException.Check(NativeMethods.mc_tensor_zero_(Handle)); return this; }
    public Tensor fill_(double value) { TorchException.Check(NativeMethods.mc_tensor_fill_(Handle, value)); return this; }
    public Tensor copy_(Tensor src) { TorchException.Check(NativeMethods.mc_tensor_copy_(Handle, src.Handle)); return this; }
    public Tensor add_(Tensor other, double alpha = 1) { TorchException.Check(NativeMethods.mc_tensor_add_(Handle, other.Handle, alpha)); return this; }
    public Tensor mul_(double value) { TorchException.Check(NativeMethods.mc_tensor_mul_scalar_(Handle, value)); return this; }

    public Tensor uniform_(double from, double to, Generator? g = null)
    {
        bool added = false;
        try
        {
            g?.Handle.DangerousAddRef(ref added);
            TorchException.Check(NativeMethods.mc_tensor_uniform_(Handle, from, to, g is null ? IntPtr.Zero : g.Handle.DangerousGetHandle()));
        }
        finally { if (added) g!.Handle.DangerousRelease(); }
        return this;
    }

    public Tensor normal_(double mean = 0, double std = 1, Generator? g = null)
    {
        bool added = false;
        try
        {
            g?.Handle.DangerousAddRef(ref added);
            TorchException.Check(NativeMethods.mc_tensor_normal_(Handle, mean, std, g is null ? IntPtr.Zero : g.Handle.DangerousGetHandle()));
        }
        finally { if (added) g!.Handle.DangerousRelease(); }
        return this;
    }

    // ------------------------------------------------------------------ shape / indexing
    public Tensor view(params long[] shape)
    {
        fixed (long* p = shape) return Wrap(NativeMethods.mc_tensor_view(Handle, p, shape.Length));
    }

    public Tensor reshape(params long[] shape)
    {
        fixed (long* p = shape) return Wrap(NativeMethods.mc_tensor_reshape(Handle, p, shape.Length));
    }

    public Tensor narrow(int dim, long start, long length) => Wrap(NativeMethods.mc_tensor_narrow(Handle, dim, start, length));
    public Tensor flatten(long start_dim = 0, long end_dim = -1) => Wrap(NativeMethods.mc_tensor_flatten(Handle, start_dim, end_dim));
    public Tensor unsqueeze(long dim) => Wrap(NativeMethods.mc_tensor_unsqueeze(Handle, dim));
    public Tensor squeeze(long dim) => Wrap(NativeMethods.mc_tensor_squeeze(Handle, dim));
    public Tensor transpose(long dim0, long dim1) => Wrap(NativeMethods.mc_tensor_transpose(Handle, dim0, dim1));
    public Tensor t() => transpose(0, 1);
    public Tensor index_select(int dim, Tensor index) => Wrap(NativeMethods.mc_tensor_index_select(Handle, dim, index.Handle));

    // ------------------------------------------------------------------ reductions / comparison
    public Tensor argmax(int dim, bool keepdim = false) => Wrap(NativeMethods.mc_tensor_argmax(Handle, dim, keepdim ? 1 : 0));
    public Tensor argmax() => Wrap(NativeMethods.mc_tensor_argmax_all(Handle));

    public Tensor max(int dim, out Tensor indices, bool keepdim = false)
    {
        IntPtr v, i;
        TorchException.Check(NativeMethods.mc_tensor_max_dim(Handle, dim, keepdim ? 1 : 0, &v, &i));
        var values = new Tensor(v, registerInScope: true);
        indices = new Tensor(i, registerInScope: true);
        return values;
    }

    public Tensor max() => Wrap(NativeMethods.mc_tensor_max_all(Handle));
    public Tensor min() => Wrap(NativeMethods.mc_tensor_min_all(Handle));
    public Tensor eq(Tensor other) => Wrap(NativeMethods.mc_tensor_eq(Handle, other.Handle));
    public Tensor eq(double other) => Wrap(NativeMethods.mc_tensor_eq_scalar(Handle, other));
    public Tensor sum() => Wrap(NativeMethods.mc_tensor_sum_all(Handle));
    public Tensor sum(int dim, bool keepdim = false) => Wrap(NativeMethods.mc_tensor_sum_dim(Handle, dim, keepdim ? 1 : 0));
    public Tensor mean() => Wrap(NativeMethods.mc_tensor_mean_all(Handle));
    public Tensor mean(int dim, bool keepdim = false) => Wrap(NativeMethods.mc_tensor_mean_dim(Handle, dim, keepdim ? 1 : 0));

    public bool allclose(Tensor other, double rtol = 1e-5, double atol = 1e-8)
    {
        int r = NativeMethods.mc_tensor_allclose(Handle, other.Handle, rtol, atol);
        return r >= 0 ? r != 0 : throw TorchException.FromNative();
    }

    /// <summary>torch.equal: same shape and exactly equal elements.</summary>
    public bool equal(Tensor other)
    {
        int r = NativeMethods.mc_tensor_equal(Handle, other.Handle);
        return r >= 0 ? r != 0 : throw TorchException.FromNative();
    }

    // ------------------------------------------------------------------ arithmetic
    public Tensor add(Tensor other, double alpha = 1) => Wrap(NativeMethods.mc_tensor_add(Handle, other.Handle, alpha));
    public Tensor sub(Tensor other, double alpha = 1) => Wrap(NativeMethods.mc_tensor_sub(Handle, other.Handle, alpha));
    public Tensor mul(Tensor other) => Wrap(NativeMethods.mc_tensor_mul(Handle, other.Handle));
    public Tensor div(Tensor other) => Wrap(NativeMethods.mc_tensor_div(Handle, other.Handle));
    public Tensor add(double other) => Wrap(NativeMethods.mc_tensor_add_scalar(Handle, other));
    public Tensor mul(double other) => Wrap(NativeMethods.mc_tensor_mul_scalar(Handle, other));
    public Tensor div(double other) => Wrap(NativeMethods.mc_tensor_div_scalar(Handle, other));
    /// <summary>Integer scalar (keeps integer dtypes, like a Python int).</summary>
    public Tensor add(long other) => Wrap(NativeMethods.mc_tensor_add_scalar_i(Handle, other));
    /// <summary>Integer scalar (keeps integer dtypes, like a Python int).</summary>
    public Tensor mul(long other) => Wrap(NativeMethods.mc_tensor_mul_scalar_i(Handle, other));
    public Tensor remainder(long other) => Wrap(NativeMethods.mc_tensor_remainder_scalar_i(Handle, other));
    public Tensor pow(double exponent) => Wrap(NativeMethods.mc_tensor_pow_scalar(Handle, exponent));
    public Tensor neg() => Wrap(NativeMethods.mc_tensor_neg(Handle));
    public Tensor exp() => Wrap(NativeMethods.mc_tensor_exp(Handle));
    public Tensor log() => Wrap(NativeMethods.mc_tensor_log(Handle));
    public Tensor sqrt() => Wrap(NativeMethods.mc_tensor_sqrt(Handle));
    public Tensor abs() => Wrap(NativeMethods.mc_tensor_abs(Handle));
    public Tensor matmul(Tensor other) => Wrap(NativeMethods.mc_tensor_matmul(Handle, other.Handle));

    public static Tensor operator +(Tensor a, Tensor b) => a.add(b);
    public static Tensor operator -(Tensor a, Tensor b) => a.sub(b);
    public static Tensor operator *(Tensor a, Tensor b) => a.mul(b);
    public static Tensor operator /(Tensor a, Tensor b) => a.div(b);
    public static Tensor operator +(Tensor a, double b) => a.add(b);
    public static Tensor operator +(double a, Tensor b) => b.add(a);
    public static Tensor operator -(Tensor a, double b) => a.add(-b);
    public static Tensor operator -(double a, Tensor b) => Wrap(NativeMethods.mc_tensor_rsub_scalar(b.Handle, a));
    public static Tensor operator *(Tensor a, double b) => a.mul(b);
    public static Tensor operator *(double a, Tensor b) => b.mul(a);
    public static Tensor operator /(Tensor a, double b) => a.div(b);
    public static Tensor operator -(Tensor a) => a.neg();
    public static Tensor operator +(Tensor a, long b) => a.add(b);
    public static Tensor operator +(long a, Tensor b) => b.add(a);
    public static Tensor operator -(Tensor a, long b) => a.add(-b);
    public static Tensor operator -(long a, Tensor b) => Wrap(NativeMethods.mc_tensor_rsub_scalar_i(b.Handle, a));
    public static Tensor operator *(Tensor a, long b) => a.mul(b);
    public static Tensor operator *(long a, Tensor b) => b.mul(a);
    public static Tensor operator %(Tensor a, long b) => a.remainder(b);

    // ------------------------------------------------------------------ dispose scopes
    /// <summary>Moves this tensor from its scope to the enclosing one (or to none). No-op when unscoped.</summary>
    public Tensor MoveToOuterDisposeScope()
    {
        var s = Scope;
        if (s == null) return this;
        var outer = s.Outer;
        s.Remove(this);
        outer?.Add(this);
        return this;
    }

    /// <summary>Removes this tensor from its scope; the caller must dispose it.</summary>
    public Tensor DetachFromDisposeScope()
    {
        Scope?.Remove(this);
        return this;
    }

    /// <summary>A new handle to the same tensor (like binding a second Python name to it).</summary>
    public Tensor alias() => Wrap(NativeMethods.mc_tensor_alias(Handle));

    internal void DisposeHandle() => Handle.Dispose();

    public void Dispose()
    {
        Scope?.Remove(this);
        Handle.Dispose();
    }

    /// <summary>libtorch's printout of the tensor values.</summary>
    public string str() => NativeMethods.PtrToString(TorchException.Check(NativeMethods.mc_tensor_str(Handle))) ?? "";

    public override string ToString() =>
        IsDisposed ? "Tensor(disposed)" : $"Tensor[{string.Join(", ", shape)}] {dtype} {device}";
}
