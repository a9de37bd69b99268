using MnistClaims.Core.Training;
using MnistClaims.Storage.Parquet;

namespace MnistClaims.Core.Runs;

/// <summary>
/// A run directory read back as typed records: the manifest at once, each table when first asked for (a judge that
/// needs the epochs never reads 300,000 step rows). Damaged or missing tables are errors naming the file.
/// </summary>
public sealed class RunRecord
{
    readonly Dictionary<string, Table> _tables;
    StepLog? _steps;
    IReadOnlyList<EpochMetrics>? _epochs;
    FinalReport? _final;

    internal RunRecord(string directory, Manifest manifest, IReadOnlyDictionary<string, Table>? tables = null)
    {
        Directory = directory; Manifest = manifest;
        _tables = tables is null ? [] : new Dictionary<string, Table>(tables);
    }

    public string Directory { get; }
    public Manifest Manifest { get; }
    public TrainConfig Config => TrainConfig.FromJson(Manifest.ConfigJson);

    /// <summary>Every optimizer step: epoch, batch size, loss, correct count.</summary>
    public StepLog Steps => _steps ??= RunTables.ReadSteps(Table(RunTables.Steps), FileOf(RunTables.Steps));

    /// <summary>One row per evaluated epoch.</summary>
    public IReadOnlyList<EpochMetrics> Epochs => _epochs ??= RunTables.ReadEpochs(Table(RunTables.Epochs), FileOf(RunTables.Epochs));

    /// <summary>The last epoch's row (a run always evaluates at least once).</summary>
    public EpochMetrics LastEpoch => Epochs.Count > 0 ? Epochs[^1] : throw new InvalidDataException($"{FileOf(RunTables.Epochs)}: no epoch rows");

    /// <summary>The final test evaluation: per-class scores, confusion matrix, misclassified images.</summary>
    public FinalReport Final => _final ??= RunTables.ReadFinal(Table(RunTables.Classes), FileOf(RunTables.Classes), Table(RunTables.Misses), FileOf(RunTables.Misses));

    /// <summary>A table as stored, for snapshot verification and diffs (which compare columns generically).</summary>
    public Table Table(string name)
    {
        lock (_tables)
        {
            if (_tables.TryGetValue(name, out var t)) return t;
            var file = FileOf(name);
            if (!File.Exists(file)) throw new InvalidDataException($"{file}: missing from the run directory");
            return _tables[name] = ParquetFile.Read(file);
        }
    }

    public string FileOf(string table) => Path.Combine(Directory, table + ".parquet");
}
