using MnistClaims.Core.Runs;
using MnistClaims.Storage.Parquet;

namespace MnistClaims.Claims.Calibration;

/// <summary>
/// Every number the calibration reads from our runs: for each log shape of a calibration set, each experiment and each
/// seed, the values of the log's points on that run. Extracted once from the run cache and stored beside the report
/// (reports/calibration-values.parquet), so that the rates can be recomputed, and guarded by a fast test, without the
/// hours of training behind them.
/// </summary>
public sealed class CalibrationValues
{
    /// <summary>The file's name beside calibration.md.</summary>
    public const string FileName = "calibration-values.parquet";

    // (log name, experiment) -> seed -> the log's points in its order
    readonly Dictionary<(string Log, string Experiment), SortedDictionary<long, double[]>> _values = [];

    /// <summary>The shapes a set judges with: its documented logs and the pseudo-document shape of each experiment.</summary>
    public static IEnumerable<DocumentedLog> Shapes(CalibrationSet set) =>
        set.Logs.Select(l => l.Log).Concat(set.Experiments.Select(set.ShapeFor)).DistinctBy(s => s.Name);

    /// <summary>Reads the values of every shape of <paramref name="sets"/> on the runs given per experiment (seeds in order).</summary>
    public static CalibrationValues FromRuns(IEnumerable<CalibrationSet> sets, IReadOnlyDictionary<string, IReadOnlyList<RunRecord>> runs)
    {
        var v = new CalibrationValues();
        foreach (var set in sets)
            foreach (var shape in Shapes(set))
                foreach (var e in set.Experiments.Where(runs.ContainsKey))
                {
                    var key = (shape.Name, e);
                    if (v._values.ContainsKey(key)) continue;
                    var bySeed = new SortedDictionary<long, double[]>();
                    foreach (var r in runs[e]) bySeed[r.Config.Seed] = shape.Matrix([r])[0];
                    v._values[key] = bySeed;
                }
        return v;
    }

    /// <summary>The experiments with values for <paramref name="shape"/>.</summary>
    public bool Has(DocumentedLog shape, string experiment) => _values.ContainsKey((shape.Name, experiment));

    /// <summary>The number of seeds stored for <paramref name="experiment"/> under <paramref name="shape"/>.</summary>
    public int SeedCount(DocumentedLog shape, string experiment) => _values.TryGetValue((shape.Name, experiment), out var s) ? s.Count : 0;

    /// <summary>The seeds every experiment of <paramref name="set"/> has (the N the set can be calibrated at).</summary>
    public int SeedsOf(CalibrationSet set)
    {
        var counts = set.Experiments.Where(e => Has(set.ShapeFor(e), e)).Select(e => SeedCount(set.ShapeFor(e), e)).ToArray();
        return counts.Length == 0 ? 0 : counts.Min();
    }

    /// <summary>The first <paramref name="seeds"/> seeds' values of <paramref name="shape"/>'s points on <paramref name="experiment"/> (seed x point).</summary>
    public double[][] Matrix(DocumentedLog shape, string experiment, int seeds)
    {
        if (!_values.TryGetValue((shape.Name, experiment), out var bySeed))
            throw new InvalidDataException($"calibration values: none for log '{shape.Name}' on {experiment}");
        if (bySeed.Count < seeds)
            throw new InvalidDataException($"calibration values: {experiment} has {bySeed.Count} seed(s) for log '{shape.Name}', {seeds} needed");
        var m = bySeed.Values.Take(seeds).ToArray();
        foreach (var row in m)
            if (row.Length != shape.Values.Count)
                throw new InvalidDataException($"calibration values: log '{shape.Name}' has {shape.Values.Count} points, the stored rows {row.Length}");
        return m;
    }

    public void Write(string path)
    {
        var logs = new List<string>(); var exps = new List<string>(); var seeds = new List<long>(); var points = new List<int>(); var values = new List<double>();
        foreach (var ((log, exp), bySeed) in _values.OrderBy(k => k.Key.Log, StringComparer.Ordinal).ThenBy(k => k.Key.Experiment, StringComparer.Ordinal))
            foreach (var (seed, row) in bySeed)
                for (int p = 0; p < row.Length; p++)
                { logs.Add(log); exps.Add(exp); seeds.Add(seed); points.Add(p); values.Add(row[p]); }
        ParquetFile.Write(path, new Table([
            Column.String("log", [.. logs]), Column.String("experiment", [.. exps]), Column.Int64("seed", [.. seeds]),
            Column.Int32("point", [.. points]), Column.Double("value", [.. values])]));
    }

    public static CalibrationValues Read(string path)
    {
        var t = ParquetFile.Read(path);
        Column C(string name) => t.TryGetColumn(name, out var c) ? c : throw new InvalidDataException($"{path}: no column '{name}'");
        var logs = C("log"); var exps = C("experiment"); var seeds = C("seed").Int64Values(); var points = C("point").Int32Values(); var values = C("value").DoubleValues();
        var rows = new Dictionary<(string, string), SortedDictionary<long, List<(int, double)>>>();
        for (int i = 0; i < t.RowCount; i++)
        {
            var key = (logs.GetString(i)!, exps.GetString(i)!);
            if (!rows.TryGetValue(key, out var bySeed)) rows[key] = bySeed = [];
            if (!bySeed.TryGetValue(seeds[i], out var list)) bySeed[seeds[i]] = list = [];
            list.Add((points[i], values[i]));
        }
        var v = new CalibrationValues();
        foreach (var (key, bySeed) in rows)
        {
            var m = new SortedDictionary<long, double[]>();
            foreach (var (seed, list) in bySeed)
            {
                var row = new double[list.Count];
                foreach (var (p, x) in list)
                    row[p < row.Length ? p : throw new InvalidDataException($"{path}: log '{key.Item1}' on {key.Item2} seed {seed}: point {p} out of range")] = x;
                m[seed] = row;
            }
            v._values[key] = m;
        }
        return v;
    }
}
