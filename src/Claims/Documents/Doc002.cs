using MnistClaims.Claims.Rule;
using MnistClaims.Core.Runs;
using MnistClaims.Core.Training;
using MnistClaims.Models;
using static MnistClaims.Claims.ClaimFactory;

namespace MnistClaims.Claims.Documents;

/// <summary>
/// 002_4c43f2e48fe00e08.txt, EARIN lab 1 (code found: VolodymyrSeniv/EARIN lab5/commented_lab5.py).
/// Fifteen 10-epoch training logs varying lr, batch size, depth, width and loss, and conclusions drawn from them.
/// </summary>
public static class Doc002
{
    public const string File = "002_4c43f2e48fe00e08.txt";

    static readonly string[] Assumed =
    [
        "Model(num_hidden_layers, width, activation): Linear(784,w)+act, nhl x (Linear(w,w)+act), Linear(w,10); '0 hidden layers' is 784-w-10 with ReLU",
        "Keras MNIST /255, flattened; one-hot float targets for all three losses (CE with probability targets; MSE/L1 average over the 10 outputs)",
        "Adam with default betas; PyTorch default init; no dropout; batch 64",
        "validation = 20% of the 60k training set split as the document did, sklearn train_test_split(test_size=0.2, random_state=42) on the IDX-order training set (reproduced index for index), the same split for every seed",
        "train loss/accuracy are running means over the epoch's batches; validation loss is the mean of per-batch means at batch 64 (eval batch 64)",
    ];

    static Experiment Earin(string id, string title, int nhl = 1, int width = 128, double lr = 0.01, string loss = "cross-entropy", int batch = 64) =>
        new(id, File, title, new TrainConfig
        {
            Arch = DocumentModels.Earin(nhl, width).Arch, Activation = "relu", Loss = loss, Targets = "onehot",
            Optimizer = "adam", Lr = lr, BatchSize = batch, Epochs = 10, ValFraction = 0.2, Split = "sklearn:42", Normalize = "scale", EvalBatchSize = 64,
        }, Assumed);

    public const string Base = "002-base";

    public static IReadOnlyList<Experiment> Experiments { get; } =
    [
        Earin(Base, "nhl 1, width 128, CE, lr 0.01, batch 64 (ran 7 times in the document)"),
        Earin("002-lr-0.001", "lr 0.001", lr: 0.001),
        Earin("002-lr-0.1", "lr 0.1", lr: 0.1),
        Earin("002-batch-16", "batch 16 as written (the document's run used 64)", batch: 16),
        Earin("002-batch-256", "batch 256 as written (the document's run used 64)", batch: 256),
        Earin("002-hidden-0", "0 hidden layers (784-128-10 with ReLU)", nhl: 0),
        Earin("002-hidden-2", "2 hidden layers", nhl: 2),
        Earin("002-width-32", "width 32", width: 32),
        Earin("002-width-64", "width 64", width: 64),
        Earin("002-loss-mse", "MSELoss on one-hot targets", loss: "mse"),
        Earin("002-loss-l1", "L1Loss on one-hot targets", loss: "l1"),
        Earin("002-hidden-0", "", nhl: 0).Reading("linear", "0 hidden layers as written: a linear model 784-10", c => c with { Arch = "784-10" },
            "alternative reading: '0 hidden layers' as the linear model the text describes, not Model(0, 128)"),
    ];

    /// <summary>A printed training log: where it is in the document, what it ran as written, and what it ran in fact.</summary>
    public sealed record Log(string Name, string Section, string AsWritten, string AsRun, (int Epoch, double TrainLoss, double ValLoss, double TrainAcc, double ValAcc)[] Rows);

    // Epoch N/10: Train Loss=.., Val Loss=.., Train Acc=.., Val Acc=..
    public static readonly Log[] Logs =
    [
        new("lr-0.001", "Learning rate(0.001)", "002-lr-0.001", "002-lr-0.001", [
            (1, 0.3603, 0.1807, 0.8989, 0.9483), (2, 0.1450, 0.1204, 0.9564, 0.9646), (3, 0.1012, 0.1047, 0.9693, 0.9669), (4, 0.0743, 0.0916, 0.9770, 0.9733), (5, 0.0577, 0.0985, 0.9820, 0.9720),
            (6, 0.0454, 0.0891, 0.9855, 0.9741), (7, 0.0370, 0.0808, 0.9883, 0.9772), (8, 0.0281, 0.0938, 0.9905, 0.9747), (9, 0.0253, 0.1050, 0.9914, 0.9712), (10, 0.0202, 0.1110, 0.9933, 0.9740)]),
        new("lr-0.01", "Learning rate(0.01)", Base, Base, [
            (1, 0.2668, 0.1564, 0.9181, 0.9566), (2, 0.1569, 0.1611, 0.9545, 0.9537), (3, 0.1364, 0.1530, 0.9618, 0.9588), (4, 0.1266, 0.1585, 0.9647, 0.9603), (5, 0.1094, 0.1644, 0.9700, 0.9648),
            (6, 0.1017, 0.1699, 0.9718, 0.9643), (7, 0.0980, 0.1633, 0.9749, 0.9610), (8, 0.0910, 0.1795, 0.9763, 0.9613), (9, 0.0894, 0.1977, 0.9765, 0.9613), (10, 0.0830, 0.1624, 0.9789, 0.9698)]),
        new("lr-0.1", "Learning rate(0.1)", "002-lr-0.1", "002-lr-0.1", [
            (1, 1.9700, 1.6535, 0.3074, 0.3471), (2, 1.4846, 1.5274, 0.4125, 0.3838), (3, 1.4511, 1.4339, 0.4186, 0.4158), (4, 1.5591, 1.6656, 0.3710, 0.3244), (5, 1.6349, 1.5836, 0.3099, 0.3096),
            (6, 1.6115, 1.5434, 0.3226, 0.3282), (7, 1.6128, 1.5584, 0.3183, 0.3257), (8, 1.5930, 1.5585, 0.3305, 0.3474), (9, 1.6355, 1.5746, 0.3199, 0.3212), (10, 1.5746, 1.5472, 0.3305, 0.3438)]),
        new("batch-16", "Batch size (16)", "002-batch-16", Base, [
            (1, 0.2624, 0.2083, 0.9206, 0.9387), (2, 0.1589, 0.1635, 0.9556, 0.9577), (3, 0.1343, 0.1894, 0.9620, 0.9496), (4, 0.1246, 0.1525, 0.9653, 0.9627), (5, 0.1208, 0.1719, 0.9676, 0.9586),
            (6, 0.1021, 0.1416, 0.9721, 0.9668), (7, 0.1014, 0.1399, 0.9730, 0.9685), (8, 0.0931, 0.2067, 0.9758, 0.9591), (9, 0.0856, 0.1652, 0.9769, 0.9680), (10, 0.0851, 0.2032, 0.9770, 0.9623)]),
        new("batch-64", "Batch size (64)", Base, Base, [
            (1, 0.2595, 0.1520, 0.9224, 0.9548), (2, 0.1614, 0.1516, 0.9540, 0.9579), (3, 0.1401, 0.1568, 0.9609, 0.9593), (4, 0.1193, 0.1583, 0.9670, 0.9619), (5, 0.1075, 0.1687, 0.9704, 0.9589),
            (6, 0.1035, 0.1773, 0.9724, 0.9582), (7, 0.0974, 0.1649, 0.9749, 0.9657), (8, 0.0934, 0.2357, 0.9751, 0.9556), (9, 0.0875, 0.1947, 0.9782, 0.9574), (10, 0.0816, 0.1678, 0.9788, 0.9664)]),
        new("batch-256", "Batch size (256)", "002-batch-256", Base, [
            (1, 0.2650, 0.1548, 0.9200, 0.9567), (2, 0.1576, 0.1331, 0.9557, 0.9617), (3, 0.1289, 0.1837, 0.9643, 0.9548), (4, 0.1239, 0.1541, 0.9664, 0.9577), (5, 0.1150, 0.1491, 0.9675, 0.9644),
            (6, 0.1070, 0.1813, 0.9717, 0.9527), (7, 0.0951, 0.1545, 0.9742, 0.9647), (8, 0.0866, 0.1802, 0.9775, 0.9657), (9, 0.0944, 0.1749, 0.9754, 0.9648), (10, 0.0956, 0.1847, 0.9759, 0.9652)]),
        new("hidden-0", "Hidden Layers (0)", "002-hidden-0", "002-hidden-0", [
            (1, 0.2436, 0.1508, 0.9262, 0.9563), (2, 0.1367, 0.1413, 0.9587, 0.9592), (3, 0.1098, 0.1467, 0.9674, 0.9607), (4, 0.1022, 0.1721, 0.9695, 0.9606), (5, 0.0912, 0.1964, 0.9745, 0.9582),
            (6, 0.0875, 0.2064, 0.9764, 0.9616), (7, 0.0842, 0.1830, 0.9782, 0.9619), (8, 0.0726, 0.2015, 0.9798, 0.9665), (9, 0.0767, 0.2328, 0.9803, 0.9604), (10, 0.0783, 0.2290, 0.9801, 0.9663)]),
        new("hidden-1", "Hidden Layers (1)", Base, Base, [
            (1, 0.2668, 0.1942, 0.9197, 0.9450), (2, 0.1589, 0.1528, 0.9541, 0.9564), (3, 0.1372, 0.1514, 0.9620, 0.9573), (4, 0.1185, 0.1747, 0.9662, 0.9525), (5, 0.1167, 0.1753, 0.9684, 0.9610),
            (6, 0.1059, 0.1700, 0.9714, 0.9623), (7, 0.0979, 0.1730, 0.9736, 0.9583), (8, 0.0971, 0.2298, 0.9736, 0.9537), (9, 0.0988, 0.2012, 0.9748, 0.9617), (10, 0.0824, 0.1892, 0.9780, 0.9654)]),
        new("hidden-2", "Hidden Layers (2)", "002-hidden-2", "002-hidden-2", [
            (1, 0.3107, 0.1700, 0.9091, 0.9530), (2, 0.1806, 0.1567, 0.9514, 0.9529), (3, 0.1505, 0.1686, 0.9602, 0.9571), (4, 0.1409, 0.2001, 0.9627, 0.9523), (5, 0.1305, 0.1592, 0.9663, 0.9617),
            (6, 0.1163, 0.1477, 0.9699, 0.9647), (7, 0.1060, 0.1543, 0.9731, 0.9637), (8, 0.1024, 0.1578, 0.9735, 0.9663), (9, 0.0945, 0.1691, 0.9753, 0.9642), (10, 0.1076, 0.1609, 0.9744, 0.9633)]),
        new("width-32", "Neurons in hidden layers (32)", "002-width-32", "002-width-32", [
            (1, 0.3248, 0.2273, 0.9022, 0.9353), (2, 0.1879, 0.2197, 0.9445, 0.9334), (3, 0.1658, 0.1661, 0.9507, 0.9513), (4, 0.1487, 0.1945, 0.9564, 0.9467), (5, 0.1458, 0.1576, 0.9574, 0.9568),
            (6, 0.1266, 0.1833, 0.9624, 0.9490), (7, 0.1330, 0.1792, 0.9614, 0.9491), (8, 0.1235, 0.1576, 0.9643, 0.9576), (9, 0.1167, 0.1811, 0.9655, 0.9537), (10, 0.1121, 0.2008, 0.9667, 0.9501)]),
        new("width-64", "Neurons in hidden layers (64)", "002-width-64", "002-width-64", [
            (1, 0.2711, 0.1701, 0.9167, 0.9514), (2, 0.1566, 0.1700, 0.9549, 0.9509), (3, 0.1297, 0.1751, 0.9615, 0.9541), (4, 0.1209, 0.1805, 0.9655, 0.9548), (5, 0.1094, 0.1552, 0.9688, 0.9588),
            (6, 0.1039, 0.1591, 0.9700, 0.9613), (7, 0.1011, 0.1705, 0.9721, 0.9603), (8, 0.0918, 0.1691, 0.9745, 0.9603), (9, 0.0865, 0.1763, 0.9763, 0.9645), (10, 0.0915, 0.1612, 0.9754, 0.9627)]),
        new("width-128", "Neurons in hidden layers (128)", Base, Base, [
            (1, 0.2707, 0.1442, 0.9193, 0.9573), (2, 0.1547, 0.2186, 0.9546, 0.9428), (3, 0.1337, 0.1642, 0.9621, 0.9586), (4, 0.1227, 0.1372, 0.9659, 0.9635), (5, 0.1057, 0.1618, 0.9706, 0.9623),
            (6, 0.1070, 0.1832, 0.9716, 0.9552), (7, 0.0971, 0.1457, 0.9739, 0.9680), (8, 0.0891, 0.1661, 0.9760, 0.9660), (9, 0.0895, 0.1829, 0.9761, 0.9606), (10, 0.0787, 0.1843, 0.9790, 0.9629)]),
        new("loss-mse", "MSELoss loss function", "002-loss-mse", "002-loss-mse", [
            (1, 0.0205, 0.0148, 0.8877, 0.9175), (2, 0.0145, 0.0141, 0.9230, 0.9230), (3, 0.0132, 0.0133, 0.9285, 0.9256), (4, 0.0127, 0.0133, 0.9302, 0.9282), (5, 0.0125, 0.0125, 0.9323, 0.9287),
            (6, 0.0124, 0.0128, 0.9334, 0.9289), (7, 0.0121, 0.0138, 0.9346, 0.9248), (8, 0.0119, 0.0131, 0.9351, 0.9310), (9, 0.0119, 0.0129, 0.9371, 0.9253), (10, 0.0113, 0.0125, 0.9376, 0.9294)]),
        new("loss-l1", "L1Loss loss function", "002-loss-l1", "002-loss-l1", [
            (1, 0.1031, 0.1010, 0.0984, 0.0978), (2, 0.1011, 0.1012, 0.1040, 0.0980), (3, 0.1012, 0.1013, 0.0966, 0.0981), (4, 0.1011, 0.1012, 0.0993, 0.1102), (5, 0.1011, 0.1015, 0.1015, 0.0980),
            (6, 0.1012, 0.1011, 0.0999, 0.0995), (7, 0.1011, 0.1012, 0.1003, 0.0967), (8, 0.1011, 0.1014, 0.0993, 0.1102), (9, 0.1012, 0.1008, 0.0981, 0.0967), (10, 0.1012, 0.1011, 0.0986, 0.0978)]),
        new("loss-ce", "CrossEntropyLoss loss function", Base, Base, [
            (1, 0.2703, 0.1480, 0.9187, 0.9566), (2, 0.1599, 0.1779, 0.9545, 0.9495), (3, 0.1333, 0.2008, 0.9619, 0.9585), (4, 0.1223, 0.2215, 0.9661, 0.9507), (5, 0.1105, 0.1633, 0.9691, 0.9608),
            (6, 0.1006, 0.1654, 0.9725, 0.9594), (7, 0.0971, 0.1679, 0.9738, 0.9613), (8, 0.1023, 0.1718, 0.9742, 0.9624), (9, 0.0835, 0.1877, 0.9772, 0.9632), (10, 0.0850, 0.1501, 0.9779, 0.9681)]),
    ];

    static readonly (EpochColumn Column, string Label, string Definition, Func<(int, double, double, double, double), double> Pick)[] Columns =
    [
        (EpochColumns.TrainLoss, "Train Loss", "running mean of the epoch's batch losses", r => r.Item2),
        (EpochColumns.ValLossBatchMean, "Val Loss", "mean of per-batch mean losses over the validation set at batch 64", r => r.Item3),
        (EpochColumns.TrainAcc, "Train Acc", "running accuracy over the epoch's batches", r => r.Item4),
        (EpochColumns.ValAcc, "Val Acc", "accuracy on the 12k validation split after the epoch", r => r.Item5),
    ];

    /// <summary>The line that opens a log ("Training model with learning rate: 0.001").</summary>
    public static string Header(Log log) => log.Name switch
    {
        var n when n.StartsWith("lr-", StringComparison.Ordinal) => $"Training model with learning rate: {n[3..]}",
        var n when n.StartsWith("batch-", StringComparison.Ordinal) => $"Training model with batch size: {n[6..]}",
        var n when n.StartsWith("hidden-", StringComparison.Ordinal) => $"Training model with {n[7..]} hidden layers",
        var n when n.StartsWith("width-", StringComparison.Ordinal) => $"Training model with {n[6..]} neurons in the hidden layers",
        "loss-mse" => "Training model with MSELoss loss function",
        "loss-l1" => "Training model with L1Loss loss function",
        "loss-ce" => "Training model with CrossEntropyLoss loss function",
        _ => throw new ArgumentException(log.Name),
    };

    /// <summary>One epoch's line of a log, as printed.</summary>
    public static string Line(Log log, int epoch)
    {
        var r = log.Rows.Single(x => x.Epoch == epoch);
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"Epoch {r.Epoch}/10: Train Loss={r.TrainLoss:F4}, Val Loss={r.ValLoss:F4}, Train Acc={r.TrainAcc:F4}, Val Acc={r.ValAcc:F4}");
    }

    /// <summary>A log's quote: its header, its first and its last line (the claim's metric names the column).</summary>
    public static string LogQuote(Log log) => $"{Header(log)} ... {Line(log, 1)} ... {Line(log, 10)}";

    /// <summary>A log's header and its last line.</summary>
    static string FinalQuote(Log log) => $"{Header(log)} ... {Line(log, 10)}";

    static Log L(string name) => Logs.Single(l => l.Name == name);

    public static IEnumerable<(int Epoch, double Value)> Documented(Log log, string column)
    {
        var c = Columns.Single(x => x.Column.Name == column);
        return log.Rows.Select(r => (r.Epoch, c.Pick(r)));
    }


    /// <summary>The judging scale of each column: accuracies as proportions (48,000 training, 12,000 validation images), losses on the log.</summary>
    static MetricScale ScaleOf(EpochColumn c) =>
        c == EpochColumns.TrainAcc ? MetricScale.Proportion(48000) : c == EpochColumns.ValAcc ? MetricScale.Proportion(12000) : MetricScale.Log;

    static readonly Dictionary<(string, string), DocumentedLog> LogCache = [];

    /// <summary>A printed training log (four columns x ten epochs) as one documented log, judged against <paramref name="experiment"/>'s runs.</summary>
    public static DocumentedLog AsLog(Log log, string experiment)
    {
        lock (LogCache)
            return LogCache.TryGetValue((log.Name, experiment), out var l) ? l : LogCache[(log.Name, experiment)] = new DocumentedLog(
                $"002 log {log.Name}", experiment,
                Columns.SelectMany(c => DocumentedLog.Column(c.Column, ScaleOf(c.Column), log.Rows.Select(r => (r.Epoch, Printed.Rounded(c.Pick(r), 4))))).ToArray());
    }

    /// <summary>The calibration material (reports/calibration.md): the fifteen logs with the configuration that ran each, the seven base-configuration logs as replicates.</summary>
    public static Calibration.CalibrationSet CalibrationSet => new(File,
        Logs.Select(l => new Calibration.CalibrationLog(l.Name, AsLog(l, l.AsRun), l.AsRun, Replicate: l.AsRun == Base)).ToArray(),
        Experiments.Where(e => !e.Alternative).Select(e => e.Id).ToArray(), e => AsLog(Logs[0], e));

    static RunMetric FinalVal => Metrics.Final(EpochColumns.ValAcc);
    static readonly MetricScale ValScale = MetricScale.Proportion(12000);

    static RelationPart Below(string statement, string a, string b) => RelationPart.Compare(statement, a, FinalVal, -1, b, FinalVal, ValScale);
    static RelationPart Above(string statement, string a, string b) => RelationPart.Compare(statement, a, FinalVal, +1, b, FinalVal, ValScale);

    public static IEnumerable<Claim> Claims()
    {
        foreach (var log in Logs)
            foreach (var c in Columns)
            {
                var quote = LogQuote(log);
                var idBase = $"002-{log.Name}-{c.Column.Name.Replace("_batch_mean", "").Replace('_', '-')}";
                var definition = $"the '{c.Label}' column of the log under '{log.Section}': {c.Definition}";
                if (log.AsWritten == log.AsRun)
                    yield return LogClaim(idBase, File, quote, AsLog(log, log.AsRun), c.Column.Name, definition, Assumed);
                else
                {
                    yield return LogClaim(idBase + "-as-written", File, quote, AsLog(log, log.AsWritten), c.Column.Name, definition,
                        [.. Assumed, $"as written: trained at {log.Name.Replace('-', ' ')}"]);
                    yield return LogClaim(idBase + "-as-run", File, quote, AsLog(log, log.AsRun), c.Column.Name, definition,
                        [.. Assumed, "as run: the document's code never passed the batch size on, so every batch-size run trained at 64 (NOTES.md)"]);
                }
            }

        // --- relations the document states --------------------------------------------------------
        yield return Relation("002-lr-0.1-fails", File, "A learning rate of 0.1 may lead to unstable training or overshooting the optimal solution.",
            ["002-lr-0.1", Base], "lr 0.1 ends far below lr 0.01 and below 50% validation accuracy (the document: 34.38%)",
            [RelationPart.Against("final val_acc at lr 0.1 below 50%", "002-lr-0.1", FinalVal, -1, 0.5, ValScale), Below("final val_acc at lr 0.1 below lr 0.01", "002-lr-0.1", Base)], Assumed);
        yield return Relation("002-lr-0.001-suboptimal", File, "A learning rate of 0.001 results in slow convergence and possibly suboptimal performance.",
            ["002-lr-0.001", Base], "final validation accuracy at lr 0.001 is below lr 0.01's", [Below("final val_acc at lr 0.001 below lr 0.01", "002-lr-0.001", Base)], Assumed);
        yield return Relation("002-batch-16-faster", File, "A smaller batch size, such as 16, may result in faster convergence",
            ["002-batch-16", "002-batch-256"], "as written: after epoch 1, batch 16 has a higher validation accuracy than batch 256",
            [RelationPart.Compare("epoch-1 val_acc at batch 16 above batch 256", "002-batch-16", Metrics.AtEpoch(EpochColumns.ValAcc, 1), +1, "002-batch-256", Metrics.AtEpoch(EpochColumns.ValAcc, 1), ValScale)], Assumed);
        yield return Relation("002-batch-256-stable", File, "A larger batch size, such as 256, can provide more stable updates",
            ["002-batch-256", "002-batch-16"], "as written: validation accuracy varies less between epochs at batch 256 than at batch 16 (volatility)",
            [RelationPart.Compare("volatility at batch 256 below batch 16", "002-batch-256", Volatility, -1, "002-batch-16", Volatility, MetricScale.Log)],
            [.. Assumed, .. SpeedAssumptions, "not the spread of step losses: that falls like 1/sqrt(batch) by averaging alone, whatever the dynamics, so it was true by the metric's definition"]);
        yield return Relation("002-hidden-0-poor", File, "A model without hidden layers (linear model) performs poorly on complex tasks like MNIST.",
            ["002-hidden-0", Base], "the '0 hidden layers' model ends clearly below the 1-hidden-layer model", [Below("final val_acc with 0 hidden layers below 1", "002-hidden-0", Base)], Assumed);
        yield return Relation("002-hidden-more-better", File, "Adding one or two hidden layers improves the model's performance",
            ["002-hidden-0", Base, "002-hidden-2"], "1 and 2 hidden layers both end above 0 hidden layers",
            [Above("final val_acc with 1 hidden layer above 0", Base, "002-hidden-0"), Above("final val_acc with 2 hidden layers above 0", "002-hidden-2", "002-hidden-0")], Assumed);
        yield return Relation("002-wider-better", File, "Models with wider hidden layers generally have better performance compared to narrower layers.",
            ["002-width-32", "002-width-64", Base], "final validation accuracy increases with width 32 < 64 < 128",
            [Above("final val_acc at width 64 above 32", "002-width-64", "002-width-32"), Above("final val_acc at width 128 above 64", Base, "002-width-64")], Assumed);
        yield return Relation("002-l1-stalls", File, FinalQuote(L("loss-l1")),
            ["002-loss-l1"], "L1 on logits vs one-hot stalls as the L1 log's last line shows (Val Acc 0.0978, Val Loss 0.1011): final validation accuracy between 7% and 13%, " +
                "and the final validation loss, the mean of per-batch means at batch 64 as 002 defines it (val_loss /= len(val_loader)), still at the all-zero-output level 0.1 (at least 0.095)",
            [RelationPart.Against("final val_acc with L1 above 7%", "002-loss-l1", FinalVal, +1, 0.07, ValScale),
             RelationPart.Against("final val_acc with L1 below 13%", "002-loss-l1", FinalVal, -1, 0.13, ValScale),
             RelationPart.Against("final val_loss_batch_mean with L1 at least 0.095", "002-loss-l1", Metrics.Final(EpochColumns.ValLossBatchMean), +1, 0.095, MetricScale.Log)],
            [.. Assumed, "the document writes no prose about L1; this claim encodes what its L1 log prints (Val Acc 0.0967-0.1102 and Val Loss 0.1008-0.1015 over all ten epochs)",
             "an output of all zeros gives L1 = 1/10 = 0.1 against a one-hot target, so a loss that stays at 0.1 means the network never learned; 0.095 allows 5% below that level",
             "the loss is read as the mean of per-batch means (val_loss_batch_mean), not the sample-weighted val_loss: 12,000 = 187 x 64 + 32, so the two differ"]);
        yield return Relation("002-mse-below-ce", File, $"{FinalQuote(L("loss-mse"))} ... {FinalQuote(L("loss-ce"))}",
            ["002-loss-mse", Base], "MSE ends below cross-entropy in validation accuracy (the two logs' last lines: Val Acc 0.9294 vs 0.9681)",
            [Below("final val_acc with MSE below cross-entropy", "002-loss-mse", Base)],
            [.. Assumed, "the document states no MSE-vs-CE comparison in words; this is the comparison its two logs print, and one part of 002-ce-best-loss ('provides good performance'), reported with it"]);
        yield return Relation("002-ce-best-loss", File, "CrossEntropyLoss is commonly used for multi-class classification tasks like MNIST and provides good performance.",
            ["002-loss-mse", "002-loss-l1", Base], "cross-entropy ends above both MSE and L1",
            [Above("final val_acc with cross-entropy above MSE", Base, "002-loss-mse"), Above("final val_acc with cross-entropy above L1", Base, "002-loss-l1")], Assumed);

        var h0 = Logs.Single(l => l.Name == "hidden-0");
        yield return WhichFits("002-hidden-0-reading", File, "Training model with 0 hidden layers",
            "which model the 'Hidden Layers (0)' log fits: Model(0, 128) = 784-128-10 with ReLU (the code) or a linear 784-10 model (the text)",
            AsLog(h0, "002-hidden-0"), "784-128-10 (as the code builds it)", AsLog(h0, "002-hidden-0-linear"), "linear 784-10 (as the text describes it)", Assumed);

        foreach (var n in new[] { "batch-16", "batch-256" })
        {
            var log = Logs.Single(l => l.Name == n);
            string b = n.Split('-')[1];
            yield return WhichFits($"002-{log.Name}-as-written-or-as-run", File, $"Training model with batch size: {b}",
                $"which configuration the documented log fits: batch {b} as written, or batch 64 as run",
                AsLog(log, log.AsWritten), $"batch {b} (as written)", AsLog(log, log.AsRun), "batch 64 (as run)",
                [.. Assumed, "as run = batch 64, because the document's train_model never passed batch_size to its DataLoader"]);
        }

        // --- the document against itself ----------------------------------------------------------
        yield return Consistency("002-batch-1-never-run", File, "Evaluate at least 3 different numbers/values/types of: ... - mini-batch size (including batch containing only 1 example)",
            "the required batch size 1 was run", () => (false, "the results list batch sizes 16, 64 and 256 only; batch size 1 was required and never run"));
        foreach (var c in NoiseChecks()) yield return c;
        foreach (var c in ConclusionRelations()) yield return c;
    }

    // --- the document's own noise: seven logs of one configuration ---------------------------------

    /// <summary>
    /// The seven logs that ran the base configuration (lr 0.01, 1 hidden, width 128, CE, batch 64 as run): the document's
    /// own replicates, all on one validation split, so their spread is the training-seed noise of a single run.
    /// </summary>
    public static Log[] Replicates => Logs.Where(l => l.AsRun == Base).ToArray();

    static double Sd(IReadOnlyList<double> x)
    {
        double m = x.Average();
        return Math.Sqrt(x.Sum(v => (v - m) * (v - m)) / (x.Count - 1));
    }

    /// <summary>Final validation accuracy.</summary>
    static double F(Log l) => l.Rows[^1].ValAcc;
    /// <summary>Speed: mean validation accuracy over epochs 1-5.</summary>
    static double S(Log l) => l.Rows.Where(r => r.Epoch <= 5).Average(r => r.ValAcc);
    /// <summary>Volatility: mean |change of validation accuracy| between successive epochs.</summary>
    static double V(Log l) => l.Rows.Zip(l.Rows.Skip(1), (a, b) => Math.Abs(b.ValAcc - a.ValAcc)).Average();
    /// <summary>Fit after 10 epochs (the capacity proxy): final training loss.</summary>
    static double C(Log l) => l.Rows[^1].TrainLoss;

    /// <summary>The single-run difference margin 1.96 sqrt(2) s of a statistic over the seven replicates: two single runs differing by less are within noise.</summary>
    static double Margin(Func<Log, double> stat) => 1.96 * Math.Sqrt(2) * Sd(Replicates.Select(stat).ToArray());

    /// <summary>The half-width of a one-run prediction interval around the replicates' mean: t(0.975, 6) s sqrt(1 + 1/7).</summary>
    static double PredictionHalfWidth(Func<Log, double> stat)
    {
        var x = Replicates.Select(stat).ToArray();
        return MathNet.Numerics.Distributions.StudentT.InvCDF(0, 1, x.Length - 1, 0.975) * Sd(x) * Math.Sqrt(1 + 1.0 / x.Length);
    }

    static string N4(double x) => x.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture);
    static string D4(double x) => x.ToString("+0.0000;-0.0000", System.Globalization.CultureInfo.InvariantCulture);

    static string NoiseNote(string stat, Func<Log, double> f) =>
        $"margin 1.96 sqrt(2) s = {N4(Margin(f))} for {stat}, s over the document's 7 replicate logs of the base configuration ({string.Join(", ", Replicates.Select(l => N4(f(l))))})";

    /// <summary>
    /// Steps a conclusion claims, each as a difference signed so that positive is the claimed direction, judged against
    /// the replicates' single-run margin: INCONSISTENT when a step goes the other way by more than the margin;
    /// CONSISTENT when some step goes the claimed way by more than it and none against; WITHIN NOISE otherwise.
    /// </summary>
    static (Verdict, string) Steps(string stat, Func<Log, double> f, params (string Label, double Diff)[] steps)
    {
        double m = Margin(f);
        string Judge(double d) => d > m ? "as claimed" : d < -m ? "against the claim" : "within noise";
        var v = steps.Any(x => x.Diff < -m) ? Verdict.Inconsistent : steps.Any(x => x.Diff > m) ? Verdict.Consistent : Verdict.WithinNoise;
        return (v, $"{string.Join("; ", steps.Select(x => $"{x.Label}: {D4(x.Diff)} ({Judge(x.Diff)})"))}; {NoiseNote(stat, f)}");
    }

    const string BatchReplicates = "the three batch-size logs all trained at batch 64 (the code never passed batch_size on), so they are replicates of one configuration and every difference between them is noise";

    static IEnumerable<Claim> NoiseChecks()
    {
        Log lr0001 = L("lr-0.001"), lr001 = L("lr-0.01"), lr01 = L("lr-0.1"), b16 = L("batch-16"), b64 = L("batch-64"), b256 = L("batch-256"),
            h0 = L("hidden-0"), h1 = L("hidden-1"), h2 = L("hidden-2"), w32 = L("width-32"), w64 = L("width-64"), w128 = L("width-128"),
            mse = L("loss-mse"), l1 = L("loss-l1"), ce = L("loss-ce");
        double RepMean(Func<Log, double> f) => Replicates.Average(f);

        yield return Consistency("002-linear-model-poor", File, "A model without hidden layers (linear model) performs poorly on complex tasks like MNIST.",
            "the conclusion agrees with the 0-hidden-layer log, against the spread of the document's 7 replicate logs", () =>
            {
                double d = F(h0) - RepMean(F), half = PredictionHalfWidth(F);
                var v = d < -half ? Verdict.Consistent : Verdict.Inconsistent;
                return (v, $"0 hidden layers ends at Val Acc {N4(F(h0))}, {D4(d)} from the replicates' mean {N4(RepMean(F))} (one-run 95% prediction half-width {N4(half)}): " +
                    $"not below the other runs, so not 'poor' by the document's own numbers; its Val Loss {N4(h0.Rows[^1].ValLoss)} is above the replicates' {N4(Replicates.Min(l => l.Rows[^1].ValLoss))}-{N4(Replicates.Max(l => l.Rows[^1].ValLoss))}, " +
                    "the only figure that is worse outside noise; that the model is not linear is 002-zero-hidden-not-linear");
            });
        yield return Consistency("002-hidden-layers-improve", File, "Adding one or two hidden layers improves the model's performance",
            "the conclusion agrees with the hidden-layer logs (final Val Acc), differences inside the replicates' noise counting as no evidence",
            () => Steps("final Val Acc", F, ("0 -> 1 hidden", F(h1) - F(h0)), ("0 -> 2 hidden", F(h2) - F(h0))));
        yield return Consistency("002-lr-0.001-best", File, "A learning rate of 0.001 results in slow convergence and possibly suboptimal performance.",
            "the 'possibly suboptimal' half agrees with the learning-rate logs, against the replicates' spread", () =>
            {
                double d = F(lr0001) - RepMean(F), half = PredictionHalfWidth(F);
                int above = lr0001.Rows.Count(r => r.Epoch >= 2 && r.ValAcc > Replicates.Max(l => l.Rows.Single(x => x.Epoch == r.Epoch).ValAcc));
                var v = d > half ? Verdict.Inconsistent : d < -half ? Verdict.Consistent : Verdict.WithinNoise;
                return (v, $"lr 0.001 ends at Val Acc {N4(F(lr0001))}, {D4(d)} above the lr-0.01 replicates' mean {N4(RepMean(F))} (one-run 95% prediction half-width {N4(half)}; " +
                    $"the single lr-0.01 log's {N4(F(lr001))} alone would be within noise); it is above every replicate's Val Acc at {above} of epochs 2-10 and its final Val Loss {N4(lr0001.Rows[^1].ValLoss)} " +
                    $"is below all seven ({N4(Replicates.Min(l => l.Rows[^1].ValLoss))}-{N4(Replicates.Max(l => l.Rows[^1].ValLoss))}): the best, not suboptimal");
            });
        yield return Consistency("002-batch-conclusions", File, "A smaller batch size, such as 16, may result in faster convergence ... A batch size of 64 often strikes a reasonable balance",
            "the batch-size conclusions agree with the batch-size logs", () =>
                (Verdict.WithinNoise, $"{BatchReplicates}: final Val Acc {N4(F(b16))} / {N4(F(b64))} / {N4(F(b256))} spans less than the 7 replicates ({N4(Replicates.Min(F))}-{N4(Replicates.Max(F))}); " +
                    $"speed (mean Val Acc over epochs 1-5) {N4(S(b16))} / {N4(S(b64))} / {N4(S(b256))}, {NoiseNote("speed", S)}; the epoch-1 Val Acc 0.9387 (16) < 0.9567 (256) lies inside the replicates' epoch-1 range " +
                    $"{N4(Replicates.Min(l => l.Rows[0].ValAcc))}-{N4(Replicates.Max(l => l.Rows[0].ValAcc))}"));
        yield return Consistency("002-wider-better-doc", File, "Models with wider hidden layers generally have better performance compared to narrower layers.",
            "the conclusion agrees with the width logs (final Val Acc), differences inside the replicates' noise counting as no evidence",
            () => Steps("final Val Acc", F, ("32 -> 64", F(w64) - F(w32)), ("64 -> 128", F(w128) - F(w64))));

        // statements not encoded before (issue 12, item 5)
        yield return Consistency("002-zero-hidden-not-linear", File,
            "- number of hidden layers (including 0 hidden layers - linear model) ... A neural network with zero hidden layers is essentially a linear model. ... The input tensor is first passed through the input layer with the specified activation function applied.",
            "the '0 hidden layers' model is the linear model the task and the background describe",
            () => (false, $"the model description applies the activation after the input layer, then the output layer: Model(0, 128) is 784-128-10 with ReLU, " +
                $"{MlpSpec.CountParameters([784, 128, 10]):N0} parameters and nonlinear; a linear model 784-10 has {MlpSpec.CountParameters([784, 10]):N0} (the found code builds the former)"));
        yield return Consistency("002-batch-speed-prose", File,
            "Larger mini-batches can provide a smoother estimate of the gradient, leading to faster convergence. ... A smaller batch size, such as 16, may result in faster convergence ... A larger batch size, such as 256, can provide more stable updates but at the cost of slower convergence.",
            "the background and the conclusions agree on which batch size converges faster",
            () => (false, "the background says larger mini-batches lead to faster convergence; the conclusions say the smaller batch may converge faster and the larger one converges slower (both sentences are hedged: 'can', 'may')"));
        yield return Consistency("002-lr-significant-doc", File, "The learning rate has a significant impact on model training.",
            "the learning-rate logs differ by more than the replicates' noise (final Val Acc)",
            () => Steps("final Val Acc", F, ("range over lr 0.001 / 0.01 / 0.1", new[] { F(lr0001), F(lr001), F(lr01) }.Max() - new[] { F(lr0001), F(lr001), F(lr01) }.Min())));
        yield return Consistency("002-lr-0.001-slow-doc", File, "A learning rate of 0.001 results in slow convergence",
            "lr 0.001 converges more slowly than lr 0.01 by the document's numbers: speed = mean Val Acc over epochs 1-5, against the lr-0.01 replicates", () =>
            {
                double d = RepMean(S) - S(lr0001), half = PredictionHalfWidth(S);
                var v = d > half ? Verdict.Consistent : d < -half ? Verdict.Inconsistent : Verdict.WithinNoise;
                return (v, $"speed at lr 0.001 {N4(S(lr0001))} vs the lr-0.01 replicates' mean {N4(RepMean(S))} (one-run 95% prediction half-width {N4(half)}): lr 0.001 is faster by {N4(-d)}; " +
                    $"only within epoch 1 is it slower (running Train Loss {N4(lr0001.Rows[0].TrainLoss)} vs the replicates' {N4(Replicates.Min(l => l.Rows[0].TrainLoss))}-{N4(Replicates.Max(l => l.Rows[0].TrainLoss))})");
            });
        yield return Consistency("002-lr-0.01-balance-doc", File, "A learning rate of 0.01 tends to provide a good balance between convergence speed and stability.",
            "lr 0.01 is not beaten on both speed (mean Val Acc over epochs 1-5) and stability (volatility: mean |change of Val Acc| between epochs) by another learning rate", () =>
            {
                double sHalf = PredictionHalfWidth(S), vHalf = PredictionHalfWidth(V);
                bool faster = S(lr0001) - RepMean(S) > sHalf, notLessStable = V(lr0001) - RepMean(V) < vHalf;
                var v = faster && notLessStable ? Verdict.Inconsistent : Verdict.Consistent;
                return (v, $"speed {N4(S(lr0001))} (0.001) vs {N4(RepMean(S))} (0.01, replicates' mean; half-width {N4(sHalf)}); volatility {N4(V(lr0001))} (0.001), {N4(RepMean(V))} (0.01; half-width {N4(vHalf)}), {N4(V(lr01))} (0.1): " +
                    (v == Verdict.Inconsistent ? "lr 0.001 is faster outside noise and as stable within noise, so it dominates 0.01" : "no learning rate beats 0.01 on both"));
            });
        yield return Consistency("002-lr-0.1-unstable-doc", File, "A learning rate of 0.1 may lead to unstable training or overshooting the optimal solution.",
            "lr 0.1 is less stable (volatility: mean |change of Val Acc| between epochs) and ends lower than lr 0.01, outside the replicates' noise",
            () => Steps("volatility", V, ("volatility lr 0.1 - lr 0.01 replicates' mean", V(lr01) - RepMean(V))) is var (v, a)
                ? (v, $"{a}; final Val Acc {N4(F(lr01))} vs {N4(F(lr001))}; Train Loss rises from {N4(lr01.Rows[2].TrainLoss)} (epoch 3) to {N4(lr01.Rows[4].TrainLoss)} (epoch 5)") : default);
        yield return ByConstruction(Consistency("002-batch-affects-doc", File, "The mini-batch size affects the speed and stability of training.",
            "the batch-size logs show an effect of batch size on speed or stability",
            () => (Verdict.WithinNoise, $"{BatchReplicates}; speed {N4(S(b16))} / {N4(S(b64))} / {N4(S(b256))} and volatility {N4(V(b16))} / {N4(V(b64))} / {N4(V(b256))} (16 / 64 / 256) lie inside the replicates' ranges " +
                $"{N4(Replicates.Min(S))}-{N4(Replicates.Max(S))} and {N4(Replicates.Min(V))}-{N4(Replicates.Max(V))}")),
            "all three logs ran batch 64, so the document's data cannot show any batch-size effect");
        yield return Consistency("002-batch-16-variable-doc", File, "but with higher variability in the training process",
            "batch 16's log varies more between epochs than batch 256's (volatility: mean |change of Val Acc|)",
            () => Steps("volatility", V, ("volatility 16 - 256", V(b16) - V(b256))) is var (v, a) ? (v, $"{a}; {BatchReplicates}") : default);
        yield return Consistency("002-batch-64-balance-doc", File, "A batch size of 64 often strikes a reasonable balance between convergence speed and stability.",
            "batch 64 lies between 16 and 256 on speed and volatility, outside noise",
            () => (Verdict.WithinNoise, $"{BatchReplicates}: speed {N4(S(b16))} / {N4(S(b64))} / {N4(S(b256))}, volatility {N4(V(b16))} / {N4(V(b64))} / {N4(V(b256))} (16 / 64 / 256); {NoiseNote("speed", S)}; {NoiseNote("volatility", V)}"));
        yield return Consistency("002-depth-capacity-doc", File, "Adding more hidden layers generally increases the model's capacity to learn complex patterns.",
            "deeper models fit the training set better (final Train Loss, the capacity proxy), outside the replicates' noise",
            () => Steps("final Train Loss", C, ("0 -> 1 hidden (loss fall)", C(h0) - C(h1)), ("1 -> 2 hidden (loss fall)", C(h1) - C(h2))));
        yield return Consistency("002-depth-diminishing-doc", File, "but there may be diminishing returns beyond a certain number of layers.",
            "the gain from the first hidden layer is positive and the gain from the second is smaller (final Val Acc)",
            () => Steps("final Val Acc", F, ("gain 0 -> 1 hidden", F(h1) - F(h0)), ("gain 0 -> 1 minus gain 1 -> 2", (F(h1) - F(h0)) - (F(h2) - F(h1)))) is var (v, a)
                ? (v == Verdict.Consistent && F(h1) - F(h0) <= Margin(F) ? Verdict.WithinNoise : v, $"{a}; without a positive first gain there are no returns to diminish ('may be' is a hedge)") : default);
        yield return Consistency("002-width-capacity-doc", File, "Increasing the width (number of neurons) in the hidden layers can increase the model's capacity.",
            "wider models fit the training set better (final Train Loss, the capacity proxy), outside the replicates' noise",
            () => Steps("final Train Loss", C, ("32 -> 64 (loss fall)", C(w32) - C(w64)), ("64 -> 128 (loss fall)", C(w64) - C(w128))));
        yield return Consistency("002-ce-good-doc", File, "CrossEntropyLoss is commonly used for multi-class classification tasks like MNIST and provides good performance.",
            "cross-entropy ends above MSE and L1 (final Val Acc), outside the replicates' noise",
            () => Steps("final Val Acc", F, ("CE - MSE", F(ce) - F(mse)), ("CE - L1", F(ce) - F(l1))));
    }

    // --- run-side relations for the conclusions not encoded before -----------------------------------

    /// <summary>Speed: mean validation accuracy over epochs 1-5 of a run.</summary>
    static readonly RunMetric Speed = new("mean val_acc over epochs 1-5", r => r.Epochs.Where(e => e.Epoch <= 5).Select(e => EpochColumns.ValAcc.Read(e) ?? double.NaN).DefaultIfEmpty(double.NaN).Average());

    /// <summary>Volatility: mean |change of validation accuracy| between successive epochs of a run.</summary>
    static readonly RunMetric Volatility = new("mean |change of val_acc| between epochs", r =>
    {
        var v = r.Epochs.OrderBy(e => e.Epoch).Select(e => EpochColumns.ValAcc.Read(e) ?? double.NaN).ToArray();
        return v.Length < 2 ? double.NaN : v.Zip(v.Skip(1), (a, b) => Math.Abs(b - a)).Average();
    });

    static readonly RunMetric FinalTrainLoss = Metrics.Final(EpochColumns.TrainLoss);

    static readonly string[] SpeedAssumptions =
    [
        "convergence speed = mean val_acc over epochs 1-5 (the area under the first half of the learning curve; one epoch alone is the noisiest point), per epoch as the logs are",
        "stability = volatility, the mean |change of val_acc| between successive epochs (the trajectory, as in 'unstable training')",
    ];

    static IEnumerable<Claim> ConclusionRelations()
    {
        yield return Relation("002-lr-significant", File, "The learning rate has a significant impact on model training.",
            ["002-lr-0.1", Base], "the learning rate changes the final validation accuracy: lr 0.01 ends above lr 0.1 (the document's largest gap)",
            [Above("final val_acc at lr 0.01 above lr 0.1", Base, "002-lr-0.1")], [.. Assumed, "'significant impact' holds when some pair of the three learning rates differs beyond the margin; the 0.01-vs-0.1 pair is the one the document's logs separate"]);
        yield return Relation("002-lr-0.001-slow", File, "A learning rate of 0.001 results in slow convergence",
            ["002-lr-0.001", Base], "lr 0.001 converges more slowly than lr 0.01: lower mean val_acc over epochs 1-5",
            [RelationPart.Compare("speed at lr 0.01 above lr 0.001", Base, Speed, +1, "002-lr-0.001", Speed, ValScale)], [.. Assumed, .. SpeedAssumptions]);
        yield return Relation("002-lr-0.01-balance", File, "A learning rate of 0.01 tends to provide a good balance between convergence speed and stability.",
            ["002-lr-0.001", Base, "002-lr-0.1"], "lr 0.01 converges faster than lr 0.001 and is more stable than lr 0.1",
            [RelationPart.Compare("speed at lr 0.01 above lr 0.001", Base, Speed, +1, "002-lr-0.001", Speed, ValScale),
             RelationPart.Compare("volatility at lr 0.01 below lr 0.1", Base, Volatility, -1, "002-lr-0.1", Volatility, MetricScale.Log)],
            [.. Assumed, .. SpeedAssumptions, "'balance' = at least as fast as the slow neighbour and more stable than the unstable one; 'tends to' is a hedge"]);
        yield return Relation("002-batch-16-variable", File, "but with higher variability in the training process",
            ["002-batch-16", "002-batch-256"], "as written: batch 16's validation accuracy varies more between epochs than batch 256's",
            [RelationPart.Compare("volatility at batch 16 above batch 256", "002-batch-16", Volatility, +1, "002-batch-256", Volatility, MetricScale.Log)],
            [.. Assumed, .. SpeedAssumptions, "the same comparison as 002-batch-256-stable read the other way; the document's own logs are replicates (002-batch-16-variable-doc)"]);
        yield return Relation("002-depth-capacity", File, "Adding more hidden layers generally increases the model's capacity to learn complex patterns.",
            ["002-hidden-0", Base, "002-hidden-2"], "deeper models fit the training set better: the final training loss falls from 0 to 1 to 2 hidden layers",
            [RelationPart.Compare("final train_loss with 1 hidden layer below 0", Base, FinalTrainLoss, -1, "002-hidden-0", FinalTrainLoss, MetricScale.Log),
             RelationPart.Compare("final train_loss with 2 hidden layers below 1", "002-hidden-2", FinalTrainLoss, -1, Base, FinalTrainLoss, MetricScale.Log)],
            [.. Assumed, "capacity is measured by the fit reached in 10 epochs (final running train_loss), which mixes capacity with ease of optimisation at Adam lr 0.01"]);
        yield return Relation("002-depth-diminishing", File, "Adding one or two hidden layers improves the model's performance, but there may be diminishing returns beyond a certain number of layers.",
            ["002-hidden-0", Base, "002-hidden-2"], "the first hidden layer gains final val_acc, and the second gains less than the first",
            [Above("final val_acc with 1 hidden layer above 0", Base, "002-hidden-0"),
             new RelationPart("gain 0 -> 1 hidden above gain 1 -> 2 hidden (final val_acc, paired by seed)", runs =>
             {
                 double[] f0 = runs("002-hidden-0").Select(FinalVal.Read).ToArray(), f1 = runs(Base).Select(FinalVal.Read).ToArray(), f2 = runs("002-hidden-2").Select(FinalVal.Read).ToArray();
                 int n = Math.Min(f0.Length, Math.Min(f1.Length, f2.Length));
                 var g1 = Enumerable.Range(0, n).Select(i => f1[i] - f0[i]).ToArray();
                 var g2 = Enumerable.Range(0, n).Select(i => f2[i] - f1[i]).ToArray();
                 return EffectTest.Paired("gain 0 -> 1 hidden above gain 1 -> 2 hidden", g1, g2, +1, MetricScale.Identity);
             })],
            [.. Assumed, "diminishing returns presuppose a positive first gain; 'may be' is a hedge"]);
        yield return Relation("002-width-capacity", File, "Increasing the width (number of neurons) in the hidden layers can increase the model's capacity.",
            ["002-width-32", "002-width-64", Base], "wider models fit the training set better: the final training loss falls from width 32 to 64 to 128",
            [RelationPart.Compare("final train_loss at width 64 below 32", "002-width-64", FinalTrainLoss, -1, "002-width-32", FinalTrainLoss, MetricScale.Log),
             RelationPart.Compare("final train_loss at width 128 below 64", Base, FinalTrainLoss, -1, "002-width-64", FinalTrainLoss, MetricScale.Log)],
            [.. Assumed, "capacity is measured by the fit reached in 10 epochs (final running train_loss); 'can' is a hedge"]);
    }

}
