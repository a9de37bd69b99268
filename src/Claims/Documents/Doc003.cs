using MnistClaims.Claims.Rule;
using MnistClaims.Core.Runs;
using MnistClaims.Core.Training;
using MnistClaims.Models;
using static MnistClaims.Claims.ClaimFactory;

namespace MnistClaims.Claims.Documents;

/// <summary>
/// 003_97a59e76c12ec52d.txt, ANN from scratch (shulavkarki/ANN-Scratch-In-MnsitDigit): sigmoid MLPs
/// trained per sample with plain gradient descent, lr 0.01; a three-row table.
/// </summary>
public static class Doc003
{
    public const string File = "003_97a59e76c12ec52d.txt";

    static readonly string[] Assumed =
    [
        "sigmoid hidden layers, softmax output trained with cross-entropy (= CE on logits), per-sample plain gradient descent (SGD, batch 1, no momentum), lr 0.01",
        "the original used the Kaggle 42,000-image subset split 33,000 / 9,000 (inferred); we hold out 9,000 of the 60k training images (val 0.15) and train on 33,000 of the rest; 'Testing Accuracy' is accuracy on those 9,000",
        "pixels /255; PyTorch's default initialisation (the notebook's own init is not public)",
        "'Training Accuracy' is the running accuracy of the last epoch",
        "their readable notebook has a backprop bug (NOTES.md), so a correct implementation is expected to beat their numbers",
    ];

    static Experiment Net(int hidden, int epochs, string? extra = null) => new($"003-hidden-{hidden}", File,
        $"{DocumentModels.Scratch003(hidden).Arch} sigmoid, per-sample GD lr 0.01, {epochs} epochs",
        new TrainConfig
        {
            Arch = DocumentModels.Scratch003(hidden).Arch, Activation = "sigmoid", Loss = "cross-entropy", Optimizer = "sgd", Lr = 0.01,
            BatchSize = 1, Epochs = epochs, ValFraction = 0.15, MaxTrainSamples = 33000, Normalize = "scale",
        }, extra is null ? Assumed : [.. Assumed, extra]) { FastSteps = 1000 };

    public static IReadOnlyList<Experiment> Experiments { get; } =
    [
        Net(1, 10),
        Net(2, 20),
        Net(4, 50, "the 4-hidden-layer widths are not given anywhere; assumed 784-40-30-20-20-10"),
    ];

    // | Layers | Optimizer | Epoch | Learning Rate | Training Accuracy | Testing Accuracy |
    static readonly (int Layers, int Epochs, string Train, string Test)[] Table =
    [
        (1, 10, "74.56", "73.899"),
        (2, 20, "89.799", "88.9111111"),
        (4, 50, "74.56", "73.899"),
    ];

    public static IEnumerable<Claim> Claims()
    {
        foreach (var row in Table)
        {
            var exp = Experiments.Single(e => e.Id == $"003-hidden-{row.Layers}");
            var quote = $"| {row.Layers} | Gradient Descent | {row.Epochs} | 0.01 | {row.Train}% | {row.Test}%";
            const string buggy = "the document's numbers come from a notebook with a backprop bug (NOTES.md), judged against a correct implementation";
            yield return ByConstruction(Value($"003-hidden-{row.Layers}-train-accuracy", File, quote, exp.Id, Metrics.Final(EpochColumns.TrainAcc),
                "running accuracy of the last epoch", Printed.FromText(row.Train + "%", 0.01), MetricScale.Proportion(33000), exp.Assumptions.ToArray()), buggy);
            yield return ByConstruction(Value($"003-hidden-{row.Layers}-test-accuracy", File, quote, exp.Id, Metrics.Final(EpochColumns.ValAcc),
                "accuracy on the 9,000 held-out images after the last epoch", Printed.FromText(row.Test + "%", 0.01), MetricScale.Proportion(9000), exp.Assumptions.ToArray()), buggy);
        }
        yield return ByConstruction(Relation("003-more-epochs-boost", File, "Epoch : 50 (Accuracy will boost on higher epochs.)",
            ["003-hidden-4"], "held-out accuracy after 50 epochs is higher than after 10",
            [RelationPart.Compare("val_acc at epoch 50 above epoch 10 (same runs)", "003-hidden-4", Metrics.AtEpoch(EpochColumns.ValAcc, 50), +1,
                "003-hidden-4", Metrics.AtEpoch(EpochColumns.ValAcc, 10), MetricScale.Proportion(9000))],
            [.. Assumed, "judged on the 4-hidden network, whose widths are invented"]),
            "any correct implementation's held-out accuracy rises from epoch 10 to 50, so the verdict says nothing about the document; its own table shows no boost (003-more-epochs-boost-doc)");
        yield return Consistency("003-more-epochs-boost-doc", File, "Epoch : 50 (Accuracy will boost on higher epochs.) ... So, if you want to get boost in the accuracy, train the model in more epochs.",
            "the document's own table shows accuracy rising with epochs",
            () => (false, "the 50-epoch row (4 hidden: 74.56% / 73.899%) equals the 10-epoch row (1 hidden) digit for digit, and the 20-epoch row changes depth and epochs together, so the table shows no boost from epochs"));
        yield return Consistency("003-print-lattice", File, "| 1 | Gradient Descent | 10 | 0.01 | 74.56% | 73.899% ... | 2 | Gradient Descent | 20 | 0.01 | 89.799% | 88.9111111%",
            "each printed accuracy is attainable as k / n on the inferred split (33,000 training, 9,000 held-out images)", () =>
            {
                static string Check(string text, int n)
                {
                    var t = text.TrimEnd('%');
                    double v = double.Parse(t, System.Globalization.CultureInfo.InvariantCulture);
                    int dec = t.Length - t.IndexOf('.') - 1;
                    double unit = Math.Pow(10, -dec);
                    int k = (int)Math.Round(v / 100 * n);
                    bool hit = Enumerable.Range(k - 2, 5).Any(j => Math.Abs(Math.Round(100.0 * j / n, dec) - v) < unit / 10 || Math.Abs(Math.Floor(100.0 * j / n / unit + 1e-9) * unit - v) < unit / 10);
                    return $"{text} {(hit ? "is" : "is NOT")} k/{n} printed to {dec} decimals ({k}/{n} = {100.0 * k / n:F7}%)";
                }
                var parts = new[] { Check("74.56%", 33000), Check("73.899%", 9000), Check("89.799%", 33000), Check("88.9111111%", 9000) };
                return (parts.All(p => !p.Contains("NOT")), string.Join("; ", parts) + "; 88.9111111% = 8002/9000 to 7 decimals supports the inferred 9,000 held-out images");
            });
        yield return ByConstruction(Consistency("003-cpu-time", File, "Since i'm using cpu to train the model, it is going to take time(a lot in more layers ANN).",
            "training on the CPU takes long, longer with more layers", () => (Verdict.Inconclusive, "no time is printed; not judged against our runs")),
            "a wall-clock statement about the author's unknown machine");
        yield return Consistency("003-duplicate-row", File, "| 4 | Gradient Descent | 50 | 0.01 | 74.56% | 73.899%",
            "the 4-hidden-layer row reports its own result", () => (false, "the 4-layer row (74.56% / 73.899%) repeats the 1-layer row digit for digit, though it trained 5x longer on a different network"));
        yield return Consistency("003-epochs-50", File, "Epoch : 50 (Accuracy will boost on higher epochs.)",
            "the text's epoch count agrees with the table", () => (false, "the text says 50 epochs; the table lists 10, 20 and 50 for the three networks"));
    }
}
