using MnistClaims.Claims.Rule;
using MnistClaims.Core.Runs;
using MnistClaims.Core.Training;
using static MnistClaims.Claims.ClaimFactory;

namespace MnistClaims.Claims.Documents;

/// <summary>
/// 000_ada6b3bd180a7438.txt, "Pytorch": a class-count table and a batch-size table
/// (784-64-128-254-10, ReLU, cross-entropy, Adam), 10 epochs at batch 2, 8, 16 and 64.
/// </summary>
public static class Doc000
{
    public const string File = "000_ada6b3bd180a7438.txt";

    static readonly string[] Assumed =
    [
        "code not found; setup inferred (NOTES.md): Adam lr 1e-3 (epoch-1 figures fit Adam, not SGD)",
        "trained on the 60k training set, tested on the 10k test set after every epoch, no validation split",
        "ToTensor only (pixels /255), no normalisation",
        "'254' kept as written",
        "training accuracy and loss are running values accumulated during the epoch (mean of batch means)",
    ];

    static Experiment Batch(int b) => new($"000-batch-{b}", File, $"784-64-128-254-10, Adam 1e-3, batch {b}",
        new TrainConfig
        {
            Arch = "784-64-128-254-10", Activation = "relu", Loss = "cross-entropy", Optimizer = "adam", Lr = 1e-3,
            BatchSize = b, Epochs = 10, Normalize = "scale",
        }, Assumed);

    public static readonly int[] BatchSizes = [2, 8, 16, 64];

    /// <summary>Alternative readings of the inferred learning rate and optimizer (the document names Adam; code not found), judged on the batch-64 table.</summary>
    static readonly (string Suffix, string Title, Func<TrainConfig, TrainConfig> Change)[] OptimizerReadings =
    [
        ("adam-1e-4", "Adam lr 1e-4 at batch 64", c => c with { Lr = 1e-4 }),
        ("sgd-0.01", "plain SGD lr 0.01 at batch 64", c => c with { Optimizer = "sgd", Lr = 0.01 }),
        ("sgd-0.01-m0.9", "SGD lr 0.01, momentum 0.9 at batch 64", c => c with { Optimizer = "sgd", Lr = 0.01, Momentum = 0.9 }),
        ("sgd-0.1", "plain SGD lr 0.1 at batch 64", c => c with { Optimizer = "sgd", Lr = 0.1 }),
    ];

    public static IReadOnlyList<Experiment> Experiments { get; } =
    [
        .. BatchSizes.Select(Batch),
        .. OptimizerReadings.Select(r => Batch(64).Reading(r.Suffix, r.Title, r.Change, $"alternative reading: {r.Title} instead of Adam lr 1e-3")),
    ];

    // | Batch Size | Epoch | Training Accuracy | Testing Accuracy | Training Loss | Testing Loss |
    static readonly (int Batch, int Epoch, double TrainAcc, double TestAcc, double TrainLoss, double TestLoss)[] Table =
    [
        (2, 1, 0.92, 0.95, 0.27, 0.17), (2, 2, 0.96, 0.96, 0.16, 0.16), (2, 3, 0.96, 0.94, 0.15, 0.24), (2, 4, 0.97, 0.97, 0.13, 0.16),
        (2, 5, 0.97, 0.97, 0.12, 0.15), (2, 6, 0.97, 0.96, 0.12, 0.21), (2, 7, 0.97, 0.96, 0.11, 0.24), (2, 8, 0.97, 0.96, 0.11, 0.20),
        (2, 9, 0.98, 0.97, 0.10, 0.15), (2, 10, 0.98, 0.97, 0.09, 0.17),
        (8, 1, 0.93, 0.96, 0.24, 0.12), (8, 2, 0.96, 0.97, 0.12, 0.11), (8, 3, 0.97, 0.97, 0.09, 0.11), (8, 4, 0.98, 0.97, 0.08, 0.10),
        (8, 5, 0.98, 0.97, 0.07, 0.12), (8, 6, 0.98, 0.97, 0.06, 0.11), (8, 7, 0.98, 0.97, 0.06, 0.13), (8, 8, 0.98, 0.98, 0.05, 0.13),
        (8, 9, 0.99, 0.97, 0.05, 0.14), (8, 10, 0.99, 0.97, 0.05, 0.13),
        (16, 1, 0.92, 0.96, 0.25, 0.14), (16, 2, 0.96, 0.96, 0.12, 0.12), (16, 3, 0.97, 0.97, 0.09, 0.10), (16, 4, 0.98, 0.97, 0.07, 0.10),
        (16, 5, 0.98, 0.97, 0.06, 0.09), (16, 6, 0.98, 0.98, 0.05, 0.09), (16, 7, 0.99, 0.97, 0.05, 0.09), (16, 8, 0.99, 0.98, 0.04, 0.09),
        (16, 9, 0.99, 0.97, 0.04, 0.12), (16, 10, 0.99, 0.98, 0.03, 0.10),
        (64, 1, 0.90, 0.95, 0.34, 0.17), (64, 2, 0.96, 0.96, 0.14, 0.13), (64, 3, 0.97, 0.96, 0.10, 0.11), (64, 4, 0.97, 0.97, 0.08, 0.10),
        (64, 5, 0.98, 0.97, 0.07, 0.09), (64, 6, 0.98, 0.97, 0.06, 0.09), (64, 7, 0.98, 0.97, 0.05, 0.09), (64, 8, 0.99, 0.97, 0.04, 0.09),
        (64, 9, 0.99, 0.98, 0.04, 0.08), (64, 10, 0.99, 0.97, 0.03, 0.10),
    ];

    public static readonly int[] TrainCounts = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
    public static readonly int[] TestCounts = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

    /// <summary>The document's table, for reports that draw its points over our curves.</summary>
    public static IEnumerable<(int Epoch, double Value)> Documented(int batch, string column) => Table.Where(r => r.Batch == batch)
        .Select(r => (r.Epoch, column switch
        {
            "train_acc" => r.TrainAcc, "test_acc" => r.TestAcc, "train_loss" => r.TrainLoss, "test_loss" => r.TestLoss,
            _ => throw new ArgumentException(column),
        }));

    public static IEnumerable<Claim> Claims()
    {
        yield return Exact("000-train-class-counts", File,
            "Training Samples | 5,923 | 6,742 | 5,958 | 6,131 | 5,842 | 5,421 | 5,918 | 6,265 | 5,851 | 5,949 | 60,000",
            "images per class in train-images-idx3-ubyte / train-labels-idx1-ubyte", string.Join(", ", TrainCounts),
            ctx => CountsEqual(ctx.Data.Train.ClassCounts(), TrainCounts));
        yield return Exact("000-test-class-counts", File,
            "Testing Samples  | 980   | 1,135 | 1,032 | 1,010 | 982   | 892   | 958   | 1,028 | 974   | 1,009 | 10,000",
            "images per class in the 10k test set", string.Join(", ", TestCounts),
            ctx => CountsEqual(ctx.Data.Test.ClassCounts(), TestCounts));
        yield return Consistency("000-class-count-totals", File, "TOTAL ... 60,000 ... 10,000",
            "the per-class counts add up to the printed totals",
            () => (TrainCounts.Sum() == 60000 && TestCounts.Sum() == 10000, $"{string.Join("+", TrainCounts)} = {TrainCounts.Sum()}; {string.Join("+", TestCounts)} = {TestCounts.Sum()}"));

        yield return Consistency("000-five-tables", File,
            "the results are presented in five tables showing training accuracy, testing accuracy, training loss, and testing loss across multiple epochs",
            "the document holds five tables of training/testing accuracy and loss over epochs",
            () => (false, $"the document holds one such table (batch size x epoch, {Table.Length} rows in {BatchSizes.Length} batch-size groups) and one class-count table; " +
                "assumed the stored document is complete (its heading 'Change in batch size' suggests an original with further sections)"));
        yield return Exact("000-image-greyscale", File, "Color: Grey-scale",
            "IDX image headers: element type unsigned byte (0x08), 3 dimensions (N, rows, cols), so no channel dimension: one 8-bit intensity per pixel",
            "grey-scale: one channel", ctx =>
            {
                var (train, test) = (IdxHeader(ctx.Data, train: true), IdxHeader(ctx.Data, train: false));
                bool ok = new[] { train, test }.All(h => (h.Magic >> 8 & 0xFF) == 0x08 && (h.Magic & 0xFF) == 3);
                return (ok, $"train magic 0x{train.Magic:X8} ({string.Join(" x ", train.Dims)}), test magic 0x{test.Magic:X8} ({string.Join(" x ", test.Dims)})");
            }) with { Assumptions = ["'Grey-scale' means one intensity channel; nothing is claimed about the value range"] };
        yield return Exact("000-image-size", File, "Sample Size: 28x28", "rows and columns in both IDX image headers", "28 x 28", ctx =>
            {
                var (train, test) = (IdxHeader(ctx.Data, train: true), IdxHeader(ctx.Data, train: false));
                bool ok = new[] { train, test }.All(h => h.Dims.Length == 3 && h.Dims[1] == 28 && h.Dims[2] == 28);
                return (ok, $"train {train.Dims[1]} x {train.Dims[2]}, test {test.Dims[1]} x {test.Dims[2]}");
            }) with { Assumptions = ["'Sample Size' means the image dimensions, not a number of samples (the next section gives the counts)"] };

        foreach (var b in BatchSizes)
        {
            var log = Log(b);
            foreach (var (column, label, def) in Columns)
                yield return LogClaim($"000-batch-{b}-{column.Name.Replace('_', '-')}", File, TableQuote(b),
                    log, column.Name, $"the table's '{label}' column at batch {b}, epochs 1-10: {def}", [.. Assumed, "values printed to 2 decimals, taken as rounded"]);
        }
        foreach (var c in Readings()) yield return c;
    }

    /// <summary>The table's header and a batch size's first and last rows, as the document prints them (whitespace collapsed).</summary>
    static string TableQuote(int b)
    {
        static string Row((int Batch, int Epoch, double TrainAcc, double TestAcc, double TrainLoss, double TestLoss) r) =>
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"| {r.Batch} | {r.Epoch} | {r.TrainAcc:F2} | {r.TestAcc:F2} | {r.TrainLoss:F2} | {r.TestLoss:F2} |");
        var rows = Table.Where(r => r.Batch == b).ToArray();
        return $"| Batch Size | Epoch | Training Accuracy | Testing Accuracy | Training Loss | Testing Loss | ... {Row(rows[0])} ... {Row(rows[^1])}";
    }

    static IEnumerable<Claim> Readings()
    {
        var log = Log(64);
        yield return WhichReading("000-optimizer-lr-reading", File, "Optimizer: Adam",
            "which optimizer and learning rate the batch-64 table fits: Adam 1e-3 (inferred) or an alternative",
            [("Adam lr 1e-3", log), .. OptimizerReadings.Select(r => (r.Title, log with { Experiment = $"000-batch-64-{r.Suffix}" }))],
            [.. Assumed, "the batch-64 table alone decides (the other batch sizes would cost up to 300,000 steps per alternative run)"]);
    }

    static readonly (EpochColumn Column, string Label, string Definition)[] Columns =
    [
        (EpochColumns.TrainAcc, "Training Accuracy", "running accuracy over the epoch's batches"),
        (EpochColumns.TestAcc, "Testing Accuracy", "accuracy on the 10k test set after the epoch"),
        (EpochColumns.TrainLoss, "Training Loss", "mean of the epoch's batch losses"),
        (EpochColumns.TestLoss, "Testing Loss", "sample-weighted mean cross-entropy on the test set"),
    ];

    /// <summary>The judging scale of each column: accuracies as proportions of the images they count, losses on the log.</summary>
    internal static MetricScale ScaleOf(EpochColumn c) =>
        c == EpochColumns.TrainAcc ? MetricScale.Proportion(60000) : c == EpochColumns.TestAcc ? MetricScale.Proportion(10000) : MetricScale.Log;

    static readonly Dictionary<int, DocumentedLog> Logs = [];

    /// <summary>One batch size's table (four columns x ten epochs), judged as one log.</summary>
    public static DocumentedLog Log(int batch)
    {
        lock (Logs)
            return Logs.TryGetValue(batch, out var l) ? l : Logs[batch] = new DocumentedLog($"000 batch {batch} table", $"000-batch-{batch}",
                Columns.SelectMany(c => DocumentedLog.Column(c.Column, ScaleOf(c.Column),
                    Documented(batch, c.Column.Name).Select(p => (p.Epoch, Printed.Rounded(p.Value, 2))))).ToArray());
    }

    /// <summary>The IDX header of a split's image file: its magic number (type code and number of dimensions) and its dimensions.</summary>
    internal static (int Magic, int[] Dims) IdxHeader(MnistData data, bool train)
    {
        var name = MnistClaims.Data.MnistDataset.ImageFileName(train ? MnistClaims.Data.MnistSplit.Train : MnistClaims.Data.MnistSplit.Test);
        var path = Path.Combine(data.Directory, name);
        using Stream raw = System.IO.File.Exists(path) ? System.IO.File.OpenRead(path) : System.IO.File.OpenRead(path + ".gz");
        using Stream s = System.IO.File.Exists(path) ? raw : new System.IO.Compression.GZipStream(raw, System.IO.Compression.CompressionMode.Decompress);
        var head = new byte[4];
        s.ReadExactly(head);
        int magic = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(head);
        var dims = new int[magic & 0xFF];
        for (int i = 0; i < dims.Length; i++) { s.ReadExactly(head); dims[i] = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(head); }
        return (magic, dims);
    }

    static (bool, string) CountsEqual(int[] measured, int[] documented) =>
        (measured.SequenceEqual(documented), string.Join(", ", measured));
}
