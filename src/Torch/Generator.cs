using MnistClaims.Torch.Native;

namespace MnistClaims.Torch;

/// <summary>An explicit CPU random generator (<c>torch.Generator()</c> + <c>manual_seed</c>).</summary>
public sealed unsafe class Generator : IDisposable
{
    internal readonly GeneratorHandle Handle;

    public Generator(long seed)
    {
        Handle = new GeneratorHandle(TorchException.Check(NativeMethods.mc_generator_new(seed)));
    }

    public Generator manual_seed(long seed)
    {
        TorchException.Check(NativeMethods.mc_generator_manual_seed(Handle, seed));
        return this;
    }

    public long initial_seed()
    {
        long s;
        TorchException.Check(NativeMethods.mc_generator_initial_seed(Handle, &s));
        return s;
    }

    /// <summary>Runs <paramref name="call"/> with the raw pointer of <paramref name="g"/> (or null) kept alive.</summary>
    internal static T With<T>(Generator? g, Func<IntPtr, T> call)
    {
        if (g is null) return call(IntPtr.Zero);
        bool added = false;
        try
        {
            g.Handle.DangerousAddRef(ref added);
            return call(g.Handle.DangerousGetHandle());
        }
        finally { if (added) g.Handle.DangerousRelease(); }
    }

    public void Dispose() => Handle.Dispose();
}
