using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace MnistClaims.Core.Engines.Fused;

/// <summary>
/// Runs a body on the calling thread (part 0) and on one dedicated worker thread (part 1), then waits for both.
/// Calls come microseconds apart while a run trains, so between calls the worker spins (<see cref="SpinMicroseconds"/>,
/// about what an OpenMP runtime spins) before it blocks, and an idle engine costs no CPU. The spin is long enough to
/// cover the gaps of a real run (batch gathering, progress output, a GC), not only back-to-back steps: a blocked
/// worker is woken onto the waking thread's core, and the two then share one CPU until the scheduler moves one of
/// them. (Back-to-back steps measured the same with a 50 us and a 2 ms spin.) The spin yields now and then, so a
/// pair that does share a core still makes progress. No allocation per call.
/// </summary>
sealed class Pair : IDisposable
{
    /// <summary>How long the worker spins for the next call before it blocks.</summary>
    public const int SpinMicroseconds = 2000;
    static readonly long SpinTicks = Stopwatch.Frequency * SpinMicroseconds / 1_000_000;

    readonly Action<int> _body;
    readonly Thread _thread;
    readonly ManualResetEventSlim _wake = new(false, 0);
    int _posted, _finished, _sleeping;   // calls posted by the caller, calls the worker finished, worker blocked (1)
    volatile bool _stop;
    Exception? _error;

    public Pair(Action<int> body)
    {
        _body = body;
        // ManualResetEventSlim creates its internal lock object the first time a Wait really blocks. Make that
        // happen here, once, instead of inside some later training step: a 1 ms wait on an unset event blocks.
        _wake.Wait(1);
        _thread = new Thread(Loop) { IsBackground = true, Name = "fused-engine-worker" };
        _thread.Start();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void Loop()
    {
        int seen = 0;
        while (true)
        {
            seen = AwaitCall(seen);
            if (_stop) return;
            try { _body(1); } catch (Exception e) { _error = e; }
            Volatile.Write(ref _finished, seen);
        }
    }

    /// <summary>Waits until a call after <paramref name="seen"/> is posted (or the pair stops); returns its number.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    int AwaitCall(int seen)
    {
        long until = Stopwatch.GetTimestamp() + SpinTicks;
        for (int spins = 1; ; spins++)
        {
            int posted = Volatile.Read(ref _posted);
            if (posted != seen || _stop) return posted;
            if ((spins & 63) == 0)
            {
                if (Stopwatch.GetTimestamp() > until) break;
                if ((spins & 1023) == 0) Thread.Yield();
            }
            Thread.SpinWait(1);
        }
        // Block. The caller posts, then checks _sleeping; we set _sleeping, then check the post. Both with full
        // fences, so at least one of us sees the other: either we see the post, or the caller sees us asleep and wakes us.
        _wake.Reset();
        Interlocked.Exchange(ref _sleeping, 1);
        int call;
        while ((call = Volatile.Read(ref _posted)) == seen && !_stop) _wake.Wait();
        Volatile.Write(ref _sleeping, 0);
        return call;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run()
    {
        int call = _posted + 1;
        Interlocked.Exchange(ref _posted, call);
        if (Volatile.Read(ref _sleeping) == 1) _wake.Set();
        _body(0);
        var spin = new SpinWait();
        while (Volatile.Read(ref _finished) != call) spin.SpinOnce(sleep1Threshold: -1);
        if (_error is { } e) { _error = null; throw new InvalidOperationException("fused engine worker failed", e); }
    }

    public void Dispose()
    {
        _stop = true;
        _wake.Set();
        _thread.Join();
        _wake.Dispose();
    }
}
