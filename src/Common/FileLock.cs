using System.Globalization;
using System.Runtime.InteropServices;

namespace MnistClaims.Common;

/// <summary>
/// An exclusive lock on a lock file, the one lock helper of the codebase (run directories, experiment baselines). The lock
/// is the kernel's (<c>flock</c>, which .NET takes for <see cref="FileShare.None"/>), so it is released on any exit, kill -9
/// included, and a file left by a dead process is simply taken over. The file holds the holder's pid (for messages).
/// <para>
/// The file is removed on release, while the lock is still held. That is safe because every acquirer checks, once it holds
/// the lock, that the file it locked is still the one at the path (same device and inode): a writer that opened the file
/// just before the holder unlinked it then holds the lock of a file nobody else can reach, sees that, and tries again on
/// the path's new file (or gets none: the next holder's refusal). Where the identity cannot be checked (no libc), the file
/// stays, as flock alone requires.
/// </para>
/// </summary>
public sealed class FileLock : IDisposable
{
    readonly FileStream _stream;
    public string Path { get; }

    FileLock(string path, FileStream stream) { Path = path; _stream = stream; }

    /// <summary>
    /// Takes the lock, or returns null when another process (or another open of it in this one) holds it. The directory
    /// must exist; an unwritable location is the <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/> of the open.
    /// </summary>
    public static FileLock? TryAcquire(string lockFile)
    {
        lockFile = System.IO.Path.GetFullPath(lockFile);
        for (int attempt = 0; attempt < 1000; attempt++)
        {
            FileStream fs;
            try { fs = new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
            catch (IOException e) when (IsConflict(e)) { return null; }
            if (!IsFileAt(fs, lockFile)) { fs.Dispose(); continue; }   // unlinked by its last holder after we opened it: retry
            try
            {
                // Unbuffered writes: a FileStream would keep a failed write buffered and fail again on every later access.
                var handle = fs.SafeFileHandle;
                RandomAccess.SetLength(handle, 0);
                RandomAccess.Write(handle, System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n"), 0);
                fs.Flush(flushToDisk: true);
            }
            catch
            {
                // Nothing held it: the file we may just have created goes too (a full disk must not leave lock files).
                try { if (CanCompare && IsFileAt(fs, lockFile)) File.Delete(lockFile); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                fs.Dispose();
                throw;
            }
            return new FileLock(lockFile, fs);
        }
        throw new IOException($"{lockFile}: could not take the lock (the file kept being replaced)");
    }

    /// <summary>As <see cref="TryAcquire"/>, waiting up to <paramref name="wait"/> for another holder to release it; null when it did not.</summary>
    public static FileLock? Acquire(string lockFile, TimeSpan wait, CancellationToken cancel = default)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            if (TryAcquire(lockFile) is { } l) return l;
            if (clock.Elapsed >= wait) return null;
            cancel.ThrowIfCancellationRequested();
            Thread.Sleep(50);
        }
    }

    /// <summary>True when some live process holds the lock (a left-over file of a dead one does not count).</summary>
    public static bool IsHeld(string lockFile)
    {
        if (!File.Exists(lockFile)) return false;
        try { using var fs = new FileStream(lockFile, FileMode.Open, FileAccess.ReadWrite, FileShare.None); return false; }
        catch (FileNotFoundException) { return false; }
        catch (DirectoryNotFoundException) { return false; }
        catch (IOException) { return true; }
        catch (UnauthorizedAccessException) { return false; }
    }

    /// <summary>Who holds the lock, for a message: "pid N, lock F" when the file names a live process, else "lock F".</summary>
    public static string Holder(string lockFile)
    {
        try
        {
            // .NET takes a shared flock for every read, which the holder's exclusive one refuses: read it through cat.
            string? pid;
            try
            {
                using var fs = new FileStream(lockFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var r = new StreamReader(fs);
                pid = r.ReadLine()?.Trim();
            }
            catch (IOException) { pid = ProcessRunner.TryOutput("cat", [lockFile], TimeSpan.FromSeconds(5))?.Trim(); }
            return int.TryParse(pid, out var p) && ProcessRunner.IsAlive(p) ? $"pid {p}, lock {lockFile}" : $"lock {lockFile}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return $"lock {lockFile}"; }
    }

    /// <summary>Releases the lock, removing the file first while it is still held (see the class summary).</summary>
    public void Dispose()
    {
        try
        {
            if (CanCompare && IsFileAt(_stream, Path)) File.Delete(Path);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        _stream.Dispose();
    }

    /// <summary>
    /// The open failed because the lock is held (EWOULDBLOCK from flock), not because the location is unusable (a read-only
    /// file system, a missing directory, permissions).
    /// </summary>
    static bool IsConflict(IOException e) =>
        e is not FileNotFoundException and not DirectoryNotFoundException
        && e.HResult != 30   // EROFS
        && !e.Message.Contains("Read-only file system", StringComparison.OrdinalIgnoreCase)
        && (e.HResult == 11 || e.Message.Contains("being used by another process", StringComparison.OrdinalIgnoreCase));

    // --- file identity: (st_dev, st_ino) of the open file and of the path, through libc's fstat/stat ---

    [DllImport("libc", EntryPoint = "fstat", SetLastError = true)] static extern int FStat(int fd, [Out] byte[] buf);
    [DllImport("libc", EntryPoint = "stat", SetLastError = true)] static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, [Out] byte[] buf);

    static readonly Lazy<bool> Comparable = new(() =>
    {
        if (!OperatingSystem.IsLinux() || (RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.Arm64))) return false;
        try { return Stat("/", new byte[256]) == 0; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException) { return false; }
    });

    /// <summary>Whether file identities can be compared here (Linux on x86-64 or arm64, where struct stat begins with st_dev and st_ino, 8 bytes each).</summary>
    public static bool CanCompare => Comparable.Value;

    /// <summary>True when <paramref name="fs"/> is the file at <paramref name="path"/> now (true where that cannot be checked).</summary>
    static bool IsFileAt(FileStream fs, string path)
    {
        if (!CanCompare) return true;
        var a = new byte[256];
        var b = new byte[256];
        int fd = (int)fs.SafeFileHandle.DangerousGetHandle();
        if (FStat(fd, a) != 0) return true;
        if (Stat(path, b) != 0) return false;   // no file at the path any more
        return a.AsSpan(0, 16).SequenceEqual(b.AsSpan(0, 16));
    }
}
