using MnistClaims.Claims.Rule;
using MnistClaims.Core.Runs;
using System.Globalization;
using MnistClaims.Core.Training;
using MnistClaims.Models;
using static MnistClaims.Claims.ClaimFactory;

namespace MnistClaims.Claims.Documents;

/// <summary>
/// 001_04012bbf75cbfaf2.txt, Valentin Gundorov: 784-120-84-10 with a log_softmax output, a training
/// log of 11 epochs, a parameter count, a test accuracy and a miss count.
/// </summary>
public static class Doc001
{
    public const string File = "001_04012bbf75cbfaf2.txt";
    public const string Exp = "001-ann-120-84";

    static readonly string[] Assumed =
    [
        "code not found; the text follows the 'MNIST code-along with ANN' template (NOTES.md)",
        "784-120-84-10, ReLU, log_softmax output fed to CrossEntropyLoss (log-softmax applied twice), Adam lr 1e-3",
        "batch 100 for training, test evaluated after training; ToTensor only (pixels /255)",
        "11 epochs, as the log shows epochs 0-10",
        "dropout p = 0.5 after each hidden ReLU: inferred from the text ('dropout regularization') and the low running train accuracy, weak",
        "'Training Loss' is the LAST batch's loss of each epoch; 'Training Accuracy' is the running accuracy",
    ];

    static readonly Experiment Main = new(Exp, File, "784-120-84-10 log_softmax + CE, dropout 0.5, Adam 1e-3, batch 100, 11 epochs",
        new TrainConfig
        {
            Arch = "784-120-84-10", Activation = "relu", Head = "log_softmax", Dropout = 0.5, Loss = "cross-entropy",
            Optimizer = "adam", Lr = 1e-3, BatchSize = 100, Epochs = 11, Normalize = "scale",
        }, Assumed);

    /// <summary>Alternative readings of the inferred dropout and split.</summary>
    static readonly (string Suffix, string Title, Func<TrainConfig, TrainConfig> Change)[] DropoutReadings =
    [
        ("no-dropout", "no dropout (the template as published)", c => c with { Dropout = 0 }),
        ("dropout-0.2", "dropout 0.2", c => c with { Dropout = 0.2 }),
        ("val-0.2", "dropout 0.5 on 48k images (the text's 80/20 split as train/validation)", c => c with { ValFraction = 0.2 }),
    ];

    public static IReadOnlyList<Experiment> Experiments { get; } =
        [Main, .. DropoutReadings.Select(r => Main.Reading(r.Suffix, r.Title, r.Change, $"alternative reading: {r.Title}"))];

    // Epoch N Training Loss: X Training Accuracy: Y%   (the document numbers epochs from 0)
    static readonly (int Epoch, string Loss, string Acc)[] Log =
    [
        (0, "0.33522", "79.83"), (1, "0.36547", "90.51"), (2, "0.27985", "92.32"), (3, "0.25639", "93.23"),
        (4, "0.25415", "93.65"), (5, "0.18530", "94.14"), (6, "0.23994", "94.42"), (7, "0.32552", "94.63"),
        (8, "0.14443", "94.94"), (9, "0.07804", "95.06"), (10, "0.12332", "95.18"),
    ];

    public static IEnumerable<(int Epoch, double Value)> Documented(string column) => Log.Select(r => (r.Epoch + 1, column switch
    {
        "train_acc" => double.Parse(r.Acc, CultureInfo.InvariantCulture) / 100,
        "train_loss_last" => double.Parse(r.Loss, CultureInfo.InvariantCulture),
        _ => throw new ArgumentException(column),
    }));

    const int Misses = 569;
    const double TestAccPercent = 97.210;

    /// <summary>The printed training log, both columns over the 11 epochs, judged as one log.</summary>
    public static readonly DocumentedLog TrainingLog = new("001 training log", Exp, [
        .. DocumentedLog.Column(EpochColumns.TrainAcc, MetricScale.Proportion(60000), Documented("train_acc").Select(p => (p.Epoch, Printed.Rounded(p.Value * 100, 2, 0.01)))),
        .. DocumentedLog.Column(EpochColumns.TrainLossLast, MetricScale.Log, Documented("train_loss_last").Select(p => (p.Epoch, Printed.Rounded(p.Value, 5)))),
    ]);

    public static IEnumerable<Claim> Claims()
    {
        yield return Exact("001-parameter-count", File, "sum of those 105,214 total parameters that are being adjusted by the network",
            "weights + biases of 784-120-84-10, counted from the built libtorch model", "105,214",
            _ =>
            {
                long fromSpec = DocumentModels.Gundorov001().ParameterCount;
                long fromModel;
                using (var m = MlpBuilder.Build(DocumentModels.Gundorov001()))
                    fromModel = m.parameters().Sum(p => p.numel());
                return (fromSpec == 105214 && fromModel == 105214, $"{fromModel:N0} (model) / {fromSpec:N0} (spec)");
            });
        yield return Consistency("001-parameter-breakdown", File,
            "94080 94080: all conections from 784 to 120 120 120: biases 10080 all connectors into next layer 84: biases 84 840:all connections into the next layer 84 prevolus to 10 output neurons 10: output neurons",
            "the printed parts add up to the total",
            () => (94080 + 120 + 10080 + 84 + 840 + 10 == 105214, "94080 + 120 + 10080 + 84 + 840 + 10 = " + (94080 + 120 + 10080 + 84 + 840 + 10)));

        yield return Value("001-test-accuracy", File, "Test accuracy: 97.210%", Exp, Metrics.Final(EpochColumns.TestAcc),
            "correct / 10000 on the test set after the last epoch", Printed.Rounded(TestAccPercent, 3, 0.01, "97.210%"), MetricScale.Proportion(10000), Assumed);
        yield return Value("001-miss-count", File, "Total number of misses: 569", Exp, Metrics.MissCount,
            "misclassified test images after training", Printed.Exactly(Misses, "569"), MetricScale.Count(10000), Assumed);

        yield return LogClaim("001-train-accuracy-log", File, "Epoch 0 ... Training Accuracy: 79.83% ... Epoch 10 ... 95.18%", TrainingLog, EpochColumns.TrainAcc.Name,
            "running accuracy over the epoch", Assumed);
        yield return LogClaim("001-train-loss-log", File, "Epoch 0 Training Loss: 0.33522 ... Epoch 10 Training Loss: 0.12332", TrainingLog, EpochColumns.TrainLossLast.Name,
            "the last batch's loss of the epoch", Assumed);

        // The training log and the test accuracy together decide which dropout/split reading ran.
        var evidence = TrainingLog with
        {
            Name = "001 training log and test accuracy",
            Values = [.. TrainingLog.Values, new LoggedValue("test_acc", "test_acc", Metrics.Final(EpochColumns.TestAcc), Printed.Rounded(TestAccPercent, 3, 0.01, "97.210%"), MetricScale.Proportion(10000))],
        };
        yield return WhichReading("001-dropout-reading", File, "Epoch 0 ... Training Accuracy: 79.83% ... Epoch 10 ... 95.18% ... Test accuracy: 97.210%",
            "which dropout and split the training log and test accuracy fit: dropout 0.5 on 60k (inferred) or an alternative",
            [("dropout 0.5", evidence), .. DropoutReadings.Select(r => (r.Title, evidence with { Experiment = $"{Exp}-{r.Suffix}" }))], Assumed);

        yield return Consistency("001-misses-vs-accuracy", File, "Total number of misses: 569 ... Test accuracy: 97.210%",
            "569 misses out of 10,000 agree with 97.210% accuracy",
            () => (10000 - Misses == (int)Math.Round(TestAccPercent * 100),
                $"569 misses imply {Pct(10000 - Misses, 10000)} accuracy; 97.210% implies {10000 - (int)Math.Round(TestAccPercent * 100)} misses"));
        yield return Consistency("001-split-80-20", File, "The data was divided into training and testing sets with an 80% to 20% ratio.",
            "an 80/20 split agrees with the printed datasets (60,000 train / 10,000 test)",
            () => (60000.0 / 70000 == 0.8, $"60000 / (60000 + 10000) = {Pct(60000, 70000)}, not 80%"));
        yield return Consistency("001-first-misses-lists", File, "First 10 misses indices: [ 18 33 62 72 83 84 124 133 175 195] ... misses[:20] array([ 18, 62, 72, 83, 84, 124, 133, 175, 245, 257, 259, 264, 266, 290, 313, 321], dtype=int64)",
            "the two printed lists of first misses agree",
            () =>
            {
                int[] first10 = [18, 33, 62, 72, 83, 84, 124, 133, 175, 195];
                int[] first20 = [18, 62, 72, 83, 84, 124, 133, 175, 245, 257, 259, 264, 266, 290, 313, 321];
                var missing = first10.Except(first20).ToArray();
                return (missing.Length == 0, $"first-10 list has {string.Join(", ", missing)} which the misses[:20] printout lacks (it also skips from 175 to 245)");
            });
        yield return Consistency("001-train-accuracy-96", File, "The increase in training accuracy to 96% by the 10th epoch",
            "the text's 96% agrees with the log's final training accuracy",
            () => (Math.Round(95.18) == 96, "the log's last training accuracy is 95.18%, which rounds to 95%, not 96%"));
        yield return Consistency("001-validation-80-94", File, "The initial value of validation accuracy at 80%, which increases to 94% by the 6th epoch",
            "the 'validation' figures quoted come from a validation curve",
            () => (false, "80% and 94% are the training log's epoch-0 (79.83%) and epoch-6 (94.42%) TRAINING accuracies; no validation figures are printed"));
    }
}
