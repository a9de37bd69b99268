using System.Globalization;

namespace MnistClaims.Common;

/// <summary>
/// Replaces a whole directory so that a reader, and the next writer after a crash, finds it fully old or fully new, never
/// mixed: the new content is written into a staging directory beside the target (<c>.&lt;name&gt;.tmp-&lt;pid&gt;-&lt;id&gt;</c>,
/// same parent, so renames cannot cross file systems), flushed, and then swapped in by two renames: the target to
/// <c>.&lt;name&gt;.old-&lt;pid&gt;-&lt;id&gt;</c>, the staging directory to the target; the old directory is removed last. The one
/// directory-swap helper of the codebase (run directories, accepted baselines).
/// <para>
/// A process killed between the steps leaves a state that <see cref="Recover"/> finishes or undoes deterministically, by
/// what exists (the staging directory is complete before the first rename, so an old directory marks a staging one as complete):
/// </para>
/// <list type="table">
/// <item><term>staging only</term><description>the swap never started: the staging directory is removed (rolled back; the target is as it was)</description></item>
/// <item><term>old + staging, no target</term><description>killed between the renames: the staging directory becomes the target (rolled forward)</description></item>
/// <item><term>old, target present</term><description>killed before the clean-up: the old directory is removed (rolled forward, already in place)</description></item>
/// <item><term>old, no staging, no target</term><description>not produced by this protocol (someone removed the staging directory): the old directory is put back (rolled back)</description></item>
/// <item><term>old + staging + target</term><description>not produced by this protocol (someone wrote a new target meanwhile): that target is kept, both left-overs are removed</description></item>
/// </list>
/// An error thrown inside <see cref="Replace"/> (a failing disk) restores the old target before it propagates.
/// </summary>
public static class AtomicDirectory
{
    const string Tmp = ".tmp-", Old = ".old-";

    /// <summary>
    /// Replaces (or creates) <paramref name="target"/> with a directory that <paramref name="fill"/> writes (it gets the
    /// empty staging directory; files it writes there need not be atomic, but should be flushed). See the class summary.
    /// </summary>
    public static void Replace(string target, Action<string> fill)
    {
        target = ResolveLinks(target);
        var parent = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(parent);
        var id = $"{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}";
        var name = Path.GetFileName(target);
        var staging = Path.Combine(parent, $".{name}{Tmp}{id}");
        var old = Path.Combine(parent, $".{name}{Old}{id}");
        try
        {
            Directory.CreateDirectory(staging);
            fill(staging);
            FaultInjection.At("swap-staged");
            if (Directory.Exists(target))
            {
                Directory.Move(target, old);
                FaultInjection.At("swap-moved-old");
            }
            Directory.Move(staging, target);
            FaultInjection.At("swap-moved-new");
        }
        catch
        {
            // Undo in this process: the old directory goes back where it was, the staging one is removed.
            if (Directory.Exists(old) && !Directory.Exists(target)) TryMove(old, target);
            AtomicFile.TryDelete(staging);
            throw;
        }
        AtomicFile.TryDelete(old);
    }

    /// <summary>
    /// Finishes or undoes every replacement in <paramref name="parent"/> (only of <paramref name="name"/>, when given) whose
    /// writer is dead, as the class summary says, and removes stale temp files (<see cref="AtomicFile"/>'s) of dead writers.
    /// Returns one line per directory replacement it recovered, saying which way.
    /// </summary>
    public static IReadOnlyList<string> Recover(string parent, string? name = null)
    {
        var notes = new List<string>();
        if (!Directory.Exists(parent)) return notes;
        var left = new SortedDictionary<(string Name, string Id), (string? Staging, string? Old)>();
        foreach (var entry in AtomicFile.StaleTemps(parent))
        {
            if (!Parse(Path.GetFileName(entry), out var n, out var kind, out var id) || (name is not null && n != name)) continue;
            if (!Directory.Exists(entry)) { AtomicFile.TryDelete(entry); continue; }   // a temp file: never visible, just removed
            left.TryGetValue((n, id), out var v);
            left[(n, id)] = kind == Tmp ? (entry, v.Old) : (v.Staging, entry);
        }
        foreach (var ((n, id), (staging, old)) in left)
        {
            var target = Path.Combine(parent, n);
            string pid = id.Split('-')[0];
            bool hasTarget = Directory.Exists(target) || File.Exists(target);
            if (old is null)
            {
                AtomicFile.TryDelete(staging!);
                notes.Add($"{target}: an interrupted replacement (pid {pid}) was rolled back: the incomplete new content was removed, the old is unchanged");
            }
            else if (!hasTarget && staging is not null)
            {
                Directory.Move(staging, target);
                AtomicFile.TryDelete(old);
                notes.Add($"{target}: an interrupted replacement (pid {pid}) was rolled forward: its complete new content was put in place");
            }
            else if (hasTarget && staging is null)
            {
                AtomicFile.TryDelete(old);
                notes.Add($"{target}: an interrupted replacement (pid {pid}) was rolled forward: the new content was in place, the old copy was removed");
            }
            else if (!hasTarget)
            {
                Directory.Move(old, target);
                notes.Add($"{target}: an interrupted replacement (pid {pid}) was rolled back: the old content was put back");
            }
            else
            {
                AtomicFile.TryDelete(staging!);
                AtomicFile.TryDelete(old);
                notes.Add($"{target}: an interrupted replacement (pid {pid}) was found beside a newer target, which was kept; its left-overs were removed");
            }
        }
        return notes;
    }

    /// <summary>
    /// The full path with a final symbolic link followed to its last target: a link to a directory is written through (its
    /// target is replaced), never replaced itself by a directory.
    /// </summary>
    public static string ResolveLinks(string path)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        var info = new DirectoryInfo(full);
        if (info.LinkTarget is null) return full;
        var final = info.ResolveLinkTarget(returnFinalTarget: true);
        return final is null ? full : Path.TrimEndingDirectorySeparator(Path.GetFullPath(final.FullName));
    }

    /// <summary>Splits <c>.&lt;name&gt;.tmp-&lt;pid&gt;-&lt;id&gt;</c> / <c>.&lt;name&gt;.old-&lt;pid&gt;-&lt;id&gt;</c>.</summary>
    static bool Parse(string file, out string name, out string kind, out string id)
    {
        name = kind = id = "";
        if (!file.StartsWith('.')) return false;
        foreach (var k in new[] { Tmp, Old })
        {
            int at = file.LastIndexOf(k, StringComparison.Ordinal);
            if (at <= 1) continue;
            name = file[1..at]; kind = k; id = file[(at + k.Length)..];
            return true;
        }
        return false;
    }

    static void TryMove(string from, string to)
    {
        try { Directory.Move(from, to); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
