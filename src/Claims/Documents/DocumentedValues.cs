using System.Globalization;
using MnistClaims.Claims;
using MnistClaims.Claims.Documents;

namespace MnistClaims.Claims.Documents;

/// <summary>A document's reported values of one epoch-table column, to draw as markers over our curves.</summary>
public sealed record DocPoints(string Column, string Label, IReadOnlyList<(int Epoch, double Value)> Points);

/// <summary>Experiments a document compares, drawn in one chart.</summary>
public sealed record ComparisonGroup(string Document, string Id, string Title, string Column, string ColumnLabel, IReadOnlyList<Variant> Variants);

/// <summary>One variant of a comparison and the document's values of the group's column for it.</summary>
public sealed record Variant(string ExperimentId, string Label, IReadOnlyList<(int Epoch, double Value)> Documented);

/// <summary>Where the documents' own tables (the registry's Doc000..Doc004) say something about an experiment's curves.</summary>
public static class DocumentedValues
{
    /// <summary>Columns of the epochs table the report draws.</summary>
    public static readonly string[] Chartable =
        ["train_acc", "val_acc", "test_acc", "train_loss", "train_loss_last", "val_loss", "val_loss_batch_mean", "test_loss"];

    public static IReadOnlyList<DocPoints> For(string experimentId, IEnumerable<Claim> claims)
    {
        var list = new List<DocPoints>();
        if (experimentId.StartsWith("000-batch-", StringComparison.Ordinal)
            && int.TryParse(experimentId["000-batch-".Length..], NumberStyles.Integer, CultureInfo.InvariantCulture, out int b)
            && Doc000.BatchSizes.Contains(b))
            foreach (var c in new[] { "train_acc", "test_acc", "train_loss", "test_loss" })
                list.Add(new DocPoints(c, "document", Doc000.Documented(b, c).ToArray()));

        if (experimentId == Doc001.Exp)
            foreach (var c in new[] { "train_acc", "train_loss_last" })
                list.Add(new DocPoints(c, "document", Doc001.Documented(c).ToArray()));

        foreach (var log in Doc002.Logs.Where(l => l.AsWritten == experimentId || l.AsRun == experimentId))
        {
            string how = log.AsWritten == log.AsRun ? "" : log.AsWritten == experimentId ? " (as written)" : " (as run)";
            foreach (var c in new[] { "train_loss", "val_loss_batch_mean", "train_acc", "val_acc" })
                list.Add(new DocPoints(c, $"document: {log.Section}{how}", Doc002.Documented(log, c).ToArray()));
        }

        foreach (var r in Doc004.Runs.Where(r => r.Id == experimentId || r.Id + "-lr0.001" == experimentId))
        {
            int last = 10;
            double trainAcc = (double)r.TrainCorrect / r.TrainTotal;
            if (trainAcc > 0.5)   // 3134/36000 is the document's typo (see 004-3134-of-36000), not a value to draw
                list.Add(new DocPoints("train_acc", "document", [(last, trainAcc)]));
            list.Add(new DocPoints("test_acc", "document", [(last, r.TestCorrect / 10000.0)]));
            list.Add(new DocPoints("train_loss", "document: 'Total Training Loss' x batch",
                [(last, double.Parse(r.Loss, CultureInfo.InvariantCulture) * r.Batch)]));
        }

        // Any other single reported value of a final epoch-table column (001's test accuracy, 003's table).
        var experiments = Registry.Experiments.ToDictionary(e => e.Id);
        foreach (var claim in claims.Where(c => c.Kind == ClaimKind.Value && c.Experiments.Count == 1 && c.Experiments[0] == experimentId))
        {
            var col = FinalColumn(claim.Metric);
            if (col is null || list.Any(d => d.Column == col) || !experiments.TryGetValue(experimentId, out var exp)) continue;
            if (ParseDocumented(claim.Documented) is double v)
                list.Add(new DocPoints(col, "document", [(exp.Config.Epochs, v)]));
        }
        return list;
    }

    /// <summary>"final val_acc: ..." gives val_acc when it is a chartable column.</summary>
    static string? FinalColumn(string metric)
    {
        if (!metric.StartsWith("final ", StringComparison.Ordinal)) return null;
        var rest = metric["final ".Length..];
        int colon = rest.IndexOf(':');
        var col = (colon < 0 ? rest : rest[..colon]).Trim();
        return Chartable.Contains(col) ? col : null;
    }

    /// <summary>"97.210% (rounded: [...])" gives 0.9721; anything that is not one number is null.</summary>
    public static double? ParseDocumented(string documented)
    {
        var t = documented.Trim();
        int paren = t.IndexOf(" (", StringComparison.Ordinal);
        if (paren >= 0) t = t[..paren].Trim();
        bool pct = t.EndsWith('%');
        if (pct) t = t[..^1];
        return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? (pct ? v / 100 : v) : null;
    }

    static IReadOnlyList<(int, double)> Log002(string name, string column) =>
        Doc002.Documented(Doc002.Logs.Single(l => l.Name == name), column).ToArray();

    static IReadOnlyList<(int, double)> Final(string experimentId, string column, IEnumerable<Claim> claims) =>
        For(experimentId, claims).Where(d => d.Column == column).SelectMany(d => d.Points).ToArray();

    /// <summary>The comparisons the documents make, in document order.</summary>
    public static IReadOnlyList<ComparisonGroup> Comparisons(IEnumerable<Claim> claims)
    {
        var cl = claims.ToArray();
        var groups = new List<ComparisonGroup>
        {
            new(Doc000.File, "000-batch", "Batch size 2 / 8 / 16 / 64", "test_acc", "test accuracy",
                Doc000.BatchSizes.Select(b => new Variant($"000-batch-{b}", $"batch {b}", Doc000.Documented(b, "test_acc").ToArray())).ToArray()),
            new(Doc002.File, "002-lr", "Learning rate 0.001 / 0.01 / 0.1", "val_acc", "validation accuracy",
                [new("002-lr-0.001", "lr 0.001", Log002("lr-0.001", "val_acc")), new(Doc002.Base, "lr 0.01", Log002("lr-0.01", "val_acc")), new("002-lr-0.1", "lr 0.1", Log002("lr-0.1", "val_acc"))]),
            new(Doc002.File, "002-batch", "Batch size 16 / 64 / 256 (as written)", "val_acc", "validation accuracy",
                [new("002-batch-16", "batch 16", Log002("batch-16", "val_acc")), new(Doc002.Base, "batch 64", Log002("batch-64", "val_acc")), new("002-batch-256", "batch 256", Log002("batch-256", "val_acc"))]),
            new(Doc002.File, "002-depth", "Hidden layers 0 / 1 / 2", "val_acc", "validation accuracy",
                [new("002-hidden-0", "0 hidden", Log002("hidden-0", "val_acc")), new(Doc002.Base, "1 hidden", Log002("hidden-1", "val_acc")), new("002-hidden-2", "2 hidden", Log002("hidden-2", "val_acc"))]),
            new(Doc002.File, "002-width", "Hidden width 32 / 64 / 128", "val_acc", "validation accuracy",
                [new("002-width-32", "width 32", Log002("width-32", "val_acc")), new("002-width-64", "width 64", Log002("width-64", "val_acc")), new(Doc002.Base, "width 128", Log002("width-128", "val_acc"))]),
            new(Doc002.File, "002-loss", "Loss MSE / L1 / cross-entropy", "val_acc", "validation accuracy",
                [new("002-loss-mse", "MSE", Log002("loss-mse", "val_acc")), new("002-loss-l1", "L1", Log002("loss-l1", "val_acc")), new(Doc002.Base, "cross-entropy", Log002("loss-ce", "val_acc"))]),
            new(Doc003.File, "003-depth", "1 / 2 / 4 hidden layers", "val_acc", "held-out accuracy",
                Doc003.Experiments.Select(e => new Variant(e.Id, e.Id["003-".Length..].Replace('-', ' '), Final(e.Id, "val_acc", cl))).ToArray()),
            new(Doc004.File, "004-variants", "All variants", "test_acc", "test accuracy",
                Doc004.Experiments.Select(e => new Variant(e.Id, e.Id["004-".Length..], Final(e.Id, "test_acc", cl))).ToArray()),
        };
        return groups;
    }

    /// <summary>Short titles for the documents (their file names are hashes).</summary>
    public static string Title(string document) => document switch
    {
        Doc000.File => "“Pytorch”: class counts and a batch-size table (784-64-128-254-10, Adam)",
        Doc001.File => "Valentin Gundorov: ANN 784-120-84-10 with dropout, a training log and misses",
        Doc002.File => "EARIN lab 1: learning rate, batch size, depth, width and loss",
        Doc003.File => "ANN from scratch: sigmoid MLPs, per-sample gradient descent",
        Doc004.File => "Sumbal Akram: LogSoftmax + NLL MLPs, normalisation, splits, learning rates",
        _ => document,
    };

    /// <summary>MNIST's class counts (train, test) as a document prints them, which the report draws beside the data's own; null when it prints none.</summary>
    public static (int[] Train, int[] Test)? PrintedClassCounts(string document) =>
        document == Doc000.File ? (Doc000.TrainCounts, Doc000.TestCounts) : null;

    /// <summary>The experiment per document whose test-set errors the report shows in detail.</summary>
    public static readonly string[] Showcase = ["000-batch-64", Doc001.Exp, Doc002.Base, "003-hidden-2", "004-d-3hidden"];
}
