using MnistClaims.Common;

namespace MnistClaims.Core.Runs;

/// <summary>
/// One writer per run directory: an exclusive lock on <c>&lt;parent&gt;/.&lt;name&gt;.lock</c> (a sibling, because the run
/// directory itself is replaced by a rename), taken before training and held until the run is written. The lock is the
/// kernel's (<c>flock</c>, which .NET takes for <see cref="FileShare.None"/>), so it is released on any exit, kill -9
/// included; the file keeps the holder's pid for the message, and a file left by a dead process is a stale lock that the
/// next writer simply takes over (nobody holds it). Creating the lock file is also the check that the output location is writable.
/// </summary>
public sealed class RunLock : IDisposable
{
    readonly FileStream _stream;
    public string LockFile { get; }

    RunLock(string lockFile, FileStream stream) { LockFile = lockFile; _stream = stream; }

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
        FileStream fs;
        try { fs = new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
        catch (UnauthorizedAccessException e) { throw new IOException($"{parent}: not writable, cannot write a run there ({e.Message})", e); }
        catch (IOException e) when (File.Exists(lockFile) && !IsReadOnlyFs(e))
        {
            throw new IOException($"{Path.GetFullPath(runDirectory)}: {Refusal} ({Holder(lockFile)}); one writer per run directory", e);
        }
        catch (IOException e) { throw new IOException($"{parent}: not writable, cannot write a run there ({e.Message})", e); }
        fs.SetLength(0);
        fs.Write(System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n"));
        fs.Flush(flushToDisk: true);
        return new RunLock(lockFile, fs);
    }

    static bool IsReadOnlyFs(IOException e) => e.HResult == 30 || e.Message.Contains("Read-only file system", StringComparison.OrdinalIgnoreCase);

    static string? ReadPid(string lockFile)
    {
        using var fs = new FileStream(lockFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var r = new StreamReader(fs);
        return r.ReadLine()?.Trim();
    }

    static string Holder(string lockFile)
    {
        try
        {
            // .NET takes a shared flock for every read, which the holder's exclusive one refuses: read it through cat.
            string? pid;
            try { pid = ReadPid(lockFile); }
            catch (IOException) { pid = ProcessRunner.TryOutput("cat", [lockFile], TimeSpan.FromSeconds(5))?.Trim(); }
            return int.TryParse(pid, out var p) && ProcessRunner.IsAlive(p) ? $"pid {p}, lock {lockFile}" : $"lock {lockFile}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return $"lock {lockFile}"; }
    }

    /// <summary>True when some live process holds the lock of <paramref name="runDirectory"/> (a left-over file of a dead one does not count).</summary>
    public static bool IsHeld(string runDirectory)
    {
        var lockFile = LockFileFor(runDirectory);
        if (!File.Exists(lockFile)) return false;
        try { using var fs = new FileStream(lockFile, FileMode.Open, FileAccess.ReadWrite, FileShare.None); return false; }
        catch (FileNotFoundException) { return false; }
        catch (IOException) { return true; }
    }

    /// <summary>
    /// Releases the lock. The file stays (with the last holder's pid): deleting it would let a writer that opened it just
    /// before lock an unlinked file while a third creates a new one, two writers at once.
    /// </summary>
    public void Dispose() => _stream.Dispose();
}
