using MnistClaims.Common;
using MnistClaims.Core.Training;
using MnistClaims.Storage.Parquet;

namespace MnistClaims.Core.Runs;

/// <summary>Run directories on disk: four Parquet tables plus manifest.json. The one writer and reader of their layout.</summary>
public static class RunStore
{
    public const string ManifestFile = "manifest.json";

    /// <summary>
    /// Writes a run directory atomically: everything goes to a sibling temp directory that is swapped into place at the
    /// end (<see cref="AtomicDirectory"/>), so a crash never leaves half a run, and the next write into the same parent
    /// finishes or undoes a swap that a kill interrupted. An existing run is never replaced unless <paramref name="overwrite"/> is set,
    /// and a directory that holds anything but a run's files is never replaced at all (see <see cref="CheckTarget"/>).
    /// Callers hold the directory's <see cref="RunLock"/> from before training until this returns.
    /// </summary>
    public static RunRecord Write(string directory, RunResult result, Manifest manifest, bool overwrite = false)
    {
        directory = Path.GetFullPath(directory);
        CheckTarget(directory, overwrite);
        var parent = Path.GetDirectoryName(directory)!;
        Directory.CreateDirectory(parent);
        CleanStale(parent);
        var meta = manifest.ToKeyValueMetadata();
        var tables = new Dictionary<string, Table>
        {
            [RunTables.Steps] = RunTables.StepsTable(result.Steps, meta),
            [RunTables.Epochs] = RunTables.EpochsTable(result.Epochs, meta),
            [RunTables.Classes] = RunTables.ClassesTable(result.Final, meta),
            [RunTables.Misses] = RunTables.MissesTable(result.Final, meta),
        };
        try
        {
            AtomicDirectory.Replace(directory, tmp =>
            {
                foreach (var (name, table) in tables)
                    ParquetFile.Write(Path.Combine(tmp, name + ".parquet"), table);
                AtomicFile.WriteAllText(Path.Combine(tmp, ManifestFile), manifest.ToJson());
            });
        }
        catch (IOException e) { throw new IOException($"{directory}: cannot write the run, nothing was changed ({e.Message})", e); }
        return new RunRecord(directory, manifest, tables);
    }

    /// <summary>
    /// Throws unless a run may be written to <paramref name="directory"/>: it is absent or empty, or it is a run directory
    /// (nothing in it but manifest.json and the table files, complete or damaged) and <paramref name="overwrite"/> is set.
    /// A non-empty directory that is not a run is never replaced, with or without overwrite.
    /// </summary>
    public static void CheckTarget(string directory, bool overwrite)
    {
        directory = Path.GetFullPath(directory);
        if (File.Exists(directory)) throw new IOException($"{directory}: is a file, expected a run directory to write");
        if (!Directory.Exists(directory) || !Directory.EnumerateFileSystemEntries(directory).Any()) return;
        if (!IsRunLayout(directory, out var foreign))
            throw new IOException($"{directory}: not a run directory ({foreign} is not a run file); --overwrite only ever replaces a run directory, choose another --out");
        if (!overwrite) throw new IOException($"{directory}: already holds a run; choose another --out or pass --overwrite");
    }

    /// <summary>True when every entry of <paramref name="directory"/> is a run file (manifest.json or a table's Parquet file).</summary>
    public static bool IsRunLayout(string directory, out string? foreign)
    {
        foreign = null;
        var allowed = RunTables.All.Select(t => t + ".parquet").Append(ManifestFile).ToHashSet(StringComparer.Ordinal);
        foreach (var e in Directory.EnumerateFileSystemEntries(directory))
            if (Directory.Exists(e) || !allowed.Contains(Path.GetFileName(e))) { foreign = e; return false; }
        return true;
    }

    /// <summary>
    /// Finishes or undoes what killed writers left in <paramref name="directory"/> (hidden <c>.tmp-</c>/<c>.old-</c> directories
    /// and files; see <see cref="AtomicDirectory.Recover"/>): a run whose replacement was interrupted is there, old or new, afterwards.
    /// </summary>
    public static int CleanStale(string directory) => AtomicDirectory.Recover(directory).Count;

    /// <summary>
    /// Reads every table of <paramref name="directory"/> in full: false (with the reason, naming the file) for a missing
    /// manifest or table, or a table that does not parse. What the cache uses before trusting an entry.
    /// </summary>
    public static bool TryReadAll(string directory, out RunRecord? run, out string? why)
    {
        run = null;
        if (!IsComplete(directory, out var manifest, out why)) return false;
        var tables = new Dictionary<string, Table>();
        foreach (var t in RunTables.All)
        {
            var file = Path.Combine(directory, t + ".parquet");
            try { tables[t] = ParquetFile.Read(file); }
            catch (Exception e) when (e is ParquetFormatException or IOException or UnauthorizedAccessException) { why = e.Message; return false; }
        }
        run = new RunRecord(Path.GetFullPath(directory), manifest!, tables);
        return true;
    }

    /// <summary>True when <paramref name="directory"/> has a manifest (it may still be damaged; see <see cref="IsComplete"/>).</summary>
    public static bool Exists(string directory) => File.Exists(Path.Combine(directory, ManifestFile));

    /// <summary>
    /// A cheap completeness check without reading the tables: the manifest parses and every table file is there and
    /// starts and ends with Parquet's magic bytes (a truncated write fails it).
    /// </summary>
    public static bool IsComplete(string directory, out Manifest? manifest, out string? why)
    {
        manifest = null; why = null;
        try
        {
            manifest = ReadManifest(directory);
            foreach (var t in RunTables.All)
            {
                var file = Path.Combine(directory, t + ".parquet");
                if (!File.Exists(file)) { why = $"{file}: missing"; return false; }
                if (!HasParquetMagic(file)) { why = $"{file}: not a complete Parquet file"; return false; }
            }
            return true;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException) { why = e.Message; return false; }
    }

    static bool HasParquetMagic(string file)
    {
        using var fs = File.OpenRead(file);
        if (fs.Length < 12) return false;
        Span<byte> head = stackalloc byte[4], tail = stackalloc byte[4];
        fs.ReadExactly(head);
        fs.Seek(-4, SeekOrigin.End);
        fs.ReadExactly(tail);
        return head.SequenceEqual("PAR1"u8) && tail.SequenceEqual("PAR1"u8);
    }

    public static Manifest ReadManifest(string directory)
    {
        var path = Path.Combine(directory, ManifestFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"{directory}: not a run directory (no {ManifestFile})", path);
        return Manifest.FromJson(File.ReadAllText(path), path);
    }

    /// <summary>Opens a run directory: the manifest now, the tables when first used.</summary>
    public static RunRecord Read(string directory) => new(Path.GetFullPath(directory), ReadManifest(directory));
}
