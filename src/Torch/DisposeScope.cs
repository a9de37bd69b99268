namespace MnistClaims.Torch;

/// <summary>
/// Tensors created on this thread while a scope is active register with the innermost scope and are
/// disposed when it ends, unless moved out (<see cref="Tensor.MoveToOuterDisposeScope"/>) or detached
/// (<see cref="Tensor.DetachFromDisposeScope"/>). Scopes nest; they are per thread and must be
/// disposed on the thread that created them. Create with <see cref="torch.NewDisposeScope"/>.
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] private static DisposeScope? t_current;

    private readonly HashSet<Tensor> _tensors = new(ReferenceEqualityComparer.Instance);
    private bool _disposed;

    internal DisposeScope? Outer { get; private set; }

    internal DisposeScope()
    {
        Outer = t_current;
        t_current = this;
    }

    /// <summary>The innermost active scope on this thread, or null.</summary>
    public static DisposeScope? Current => t_current;

    /// <summary>Number of tensors currently owned by this scope.</summary>
    public int Count => _tensors.Count;

    public bool IsDisposed => _disposed;

    internal static void RegisterWithCurrent(Tensor t) => t_current?.Add(t);

    internal void Add(Tensor t)
    {
        if (_disposed) return;
        t.Scope = this;
        _tensors.Add(t);
    }

    internal void Remove(Tensor t)
    {
        _tensors.Remove(t);
        if (ReferenceEquals(t.Scope, this)) t.Scope = null;
    }

    /// <summary>Adds an existing tensor (e.g. one created outside any scope) to this scope.</summary>
    public Tensor Include(Tensor t)
    {
        t.Scope?.Remove(t);
        Add(t);
        return t;
    }

    /// <summary>Moves tensors owned by this scope to the enclosing scope (or to no scope).</summary>
    public void MoveToOuter(params Tensor[] tensors)
    {
        foreach (var t in tensors) t.MoveToOuterDisposeScope();
    }

    /// <summary>Detaches tensors from this scope; the caller becomes responsible for disposing them.</summary>
    public void Detach(params Tensor[] tensors)
    {
        foreach (var t in tensors) t.DetachFromDisposeScope();
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        // Unlink from this thread's scope chain (tolerates out-of-order disposal).
        if (ReferenceEquals(t_current, this)) t_current = Outer;
        else
            for (var s = t_current; s != null; s = s.Outer)
                if (ReferenceEquals(s.Outer, this)) { s.Outer = Outer; break; }

        foreach (var t in _tensors)
        {
            t.Scope = null;
            t.DisposeHandle();
        }
        _tensors.Clear();
    }
}
