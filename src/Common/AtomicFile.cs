using System.Text;

namespace MnistClaims.Common;

/// <summary>
/// Writes that a reader never sees half-done: the content goes to a temp file beside the target (same directory, so
/// the rename cannot cross file systems), is flushed to disk, then renamed over the target in one step. A crash leaves
/// the old file or the new one, plus at worst a stale temp file whose name says whose it was
/// (<c>.&lt;name&gt;.tmp-&lt;pid&gt;-&lt;guid&gt;</c>; see <see cref="StaleTemps"/>). The one atomic-write helper of the codebase.
/// </summary>
public static class AtomicFile
{
    const string TempMarker = ".tmp-";

    /// <summary>A fresh temp path beside <paramref name="path"/>, tagged with this process's id.</summary>
    public static string TempPathFor(string path)
    {
        var full = Path.GetFullPath(path);
        return Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}{TempMarker}{Environment.ProcessId}-{Guid.NewGuid():N}");
    }

    /// <summary>Writes through <paramref name="write"/> into a temp file, flushes it to disk and renames it over <paramref name="path"/>.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var tmp = TempPathFor(full);
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(fs);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
    }

    public static void WriteAllText(string path, string text) => Write(path, s => s.Write(new UTF8Encoding(false).GetBytes(text)));

    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, s => s.Write(bytes));

    /// <summary>
    /// Temp files and directories in <paramref name="directory"/> left by processes that no longer run (a kill -9 during a
    /// write): names of the form <c>.&lt;name&gt;.tmp-&lt;pid&gt;-…</c> or <c>.&lt;name&gt;.old-&lt;pid&gt;-…</c> whose pid is dead.
    /// </summary>
    public static IEnumerable<string> StaleTemps(string directory)
    {
        if (!Directory.Exists(directory)) yield break;
        foreach (var entry in Directory.EnumerateFileSystemEntries(directory, ".*"))
        {
            var name = Path.GetFileName(entry);
            foreach (var marker in new[] { TempMarker, ".old-" })
            {
                int at = name.LastIndexOf(marker, StringComparison.Ordinal);
                if (at < 0) continue;
                var rest = name[(at + marker.Length)..];
                int dash = rest.IndexOf('-');
                if (dash > 0 && int.TryParse(rest[..dash], out var pid) && !ProcessRunner.IsAlive(pid)) yield return entry;
            }
        }
    }

    /// <summary>Deletes a file or directory, ignoring one that is already gone.</summary>
    public static void TryDelete(string path)
    {
        try
        {
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
            else File.Delete(path);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
