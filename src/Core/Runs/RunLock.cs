using MnistClaims.Common;

namespace MnistClaims.Core.Runs;

/// <summary>
/// One writer per run directory: an exclusive <see cref="FileLock"/> on <c>&lt;parent&gt;/.&lt;name&gt;.lock</c> (a sibling,
/// because the run directory itself is replaced by a rename), taken before training and held until the run is written.
/// The lock is the kernel's, so it is released on any exit, kill -9 included, and a file left by a dead process is a stale
/// lock that the next writer simply takes over. The file is removed when the lock is released (see <see cref="FileLock"/>
/// for why that is safe), so only a killed writer leaves one behind, until the next writer of that run. Creating the lock
/// file is also the check that the output location is writable.
/// </summary>
public sealed class RunLock : IDisposable
{
    readonly FileLock _lock;
    public string LockFile => _lock.Path;

    RunLock(FileLock l) => _lock = l;

    /// <summary>The words of the refusal, which a scheduler recognises in a worker's error.</summary>
    public const string Refusal = "another process is writing this run";

    public static string LockFileFor(string runDirectory)
    {
        var full = Path.GetFullPath(runDirectory).TrimEnd(Path.DirectorySeparatorChar);
        return Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.lock");
    }

    /// <summary>
    /// Takes the lock of <paramref name="runDirectory"/> (creating its parent). Another live writer is an
    /// <see cref="IOException"/> naming the directory and its pid; an unwritable location is the I/O error naming the path.
    /// </summary>
    public static RunLock Acquire(string runDirectory)
    {
        var lockFile = LockFileFor(runDirectory);
        var parent = Path.GetDirectoryName(lockFile)!;
        try { Directory.CreateDirectory(parent); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{parent}: cannot create the output directory ({e.Message})", e);
        }
        FileLock? l;
        try { l = FileLock.TryAcquire(lockFile); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{parent}: not writable, cannot write a run there ({e.Message})", e);
        }
        return l is null
            ? throw new IOException($"{Path.GetFullPath(runDirectory)}: {Refusal} ({FileLock.Holder(lockFile)}); one writer per run directory")
            : new RunLock(l);
    }

    /// <summary>True when some live process holds the lock of <paramref name="runDirectory"/> (a left-over file of a dead one does not count).</summary>
    public static bool IsHeld(string runDirectory) => FileLock.IsHeld(LockFileFor(runDirectory));

    /// <summary>Releases the lock and removes its file.</summary>
    public void Dispose() => _lock.Dispose();
}
