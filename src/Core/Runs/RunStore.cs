using MnistClaims.Common;
using MnistClaims.Core.Training;
using MnistClaims.Storage.Parquet;

namespace MnistClaims.Core.Runs;

/// <summary>A run directory on disk: four Parquet tables plus manifest.json.</summary>
public sealed record RunRecord(string Directory, Manifest Manifest, IReadOnlyDictionary<string, Table> Tables)
{
    public Table this[string table] => Tables.TryGetValue(table, out var t) ? t
        : throw new KeyNotFoundException($"{Directory}: run has no {table}.parquet");

    public TrainConfig Config => TrainConfig.FromJson(Manifest.ConfigJson);
}

public static class RunStore
{
    /// <summary>
    /// Writes a run directory atomically: everything goes to a sibling temp directory that is renamed
    /// into place at the end, so a crash never leaves half a run. An existing run is never replaced
    /// unless <paramref name="overwrite"/> is set.
    /// </summary>
    public static RunRecord Write(string directory, RunResult result, Manifest manifest, bool overwrite = false)
    {
        directory = Path.GetFullPath(directory);
        if (Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any() && !overwrite)
            throw new IOException($"{directory} already holds a run; choose another --out or pass --overwrite");
        var parent = Path.GetDirectoryName(directory)!;
        Directory.CreateDirectory(parent);
        var tmp = AtomicFile.TempPathFor(directory);
        Directory.CreateDirectory(tmp);
        try
        {
            var meta = manifest.ToKeyValueMetadata();
            var tables = new Dictionary<string, Table>
            {
                [RunTables.Steps] = RunTables.StepsTable(result.Steps, meta),
                [RunTables.Epochs] = RunTables.EpochsTable(result.Epochs, meta),
                [RunTables.Classes] = RunTables.ClassesTable(result.Final, meta),
                [RunTables.Misses] = RunTables.MissesTable(result.Final, meta),
            };
            foreach (var (name, table) in tables)
                ParquetFile.Write(Path.Combine(tmp, name + ".parquet"), table);
            File.WriteAllText(Path.Combine(tmp, "manifest.json"), manifest.ToJson());
            if (Directory.Exists(directory))
            {
                var old = Path.Combine(parent, $".{Path.GetFileName(directory)}.old-{Environment.ProcessId}-{Guid.NewGuid():N}");
                Directory.Move(directory, old);
                Directory.Move(tmp, directory);
                Directory.Delete(old, recursive: true);
            }
            else Directory.Move(tmp, directory);
            return new RunRecord(directory, manifest, tables);
        }
        catch
        {
            if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
            throw;
        }
    }

    public static bool Exists(string directory) => File.Exists(Path.Combine(directory, "manifest.json"));

    public static RunRecord Read(string directory)
    {
        var manifestPath = Path.Combine(directory, "manifest.json");
        if (!File.Exists(manifestPath)) throw new FileNotFoundException($"{directory}: not a run directory (no manifest.json)", manifestPath);
        var manifest = Manifest.FromJson(File.ReadAllText(manifestPath), manifestPath);
        var tables = new Dictionary<string, Table>();
        foreach (var name in RunTables.All)
        {
            var p = Path.Combine(directory, name + ".parquet");
            if (File.Exists(p)) tables[name] = ParquetFile.Read(p);
        }
        return new RunRecord(directory, manifest, tables);
    }
}
