using MnistClaims.Core.Training;

namespace MnistClaims.Tests.Unit.Core.Training;

public sealed class MetricsTests
{
    [Test]
    public void Confusion_matrix_precision_recall_and_f1_match_a_hand_computation()
    {
        // labels/predictions over 3 classes:   true 0 0 0 1 1 2   pred 0 0 1 1 2 2
        int[] labels = [0, 0, 0, 1, 1, 2], pred = [0, 0, 1, 1, 2, 2];
        var eval = new EvalResult(0, 0, 3, 6, pred, [0.9f, 0.8f, 0.7f, 0.6f, 0.99f, 0.5f], labels);
        var f = FinalReport.From(eval, classes: 3);
        Assert.That(f.Confusion[0, 0], Is.EqualTo(2)); Assert.That(f.Confusion[0, 1], Is.EqualTo(1));
        Assert.That(f.Confusion[1, 2], Is.EqualTo(1));
        // class 0: P = 2/2, R = 2/3, F1 = 0.8; class 1: P = 1/2, R = 1/2, F1 = 0.5; class 2: P = 1/2, R = 1, F1 = 2/3
        Assert.That(f.Classes[0].F1, Is.EqualTo(0.8).Within(1e-12));
        Assert.That(f.Classes[1].F1, Is.EqualTo(0.5).Within(1e-12));
        Assert.That(f.Classes[2].F1, Is.EqualTo(2.0 / 3).Within(1e-12));
        Assert.That(f.MacroF1, Is.EqualTo((0.8 + 0.5 + 2.0 / 3) / 3).Within(1e-12));
        Assert.That(f.WeightedF1, Is.EqualTo((3 * 0.8 + 2 * 0.5 + 1 * 2.0 / 3) / 6).Within(1e-12));
        Assert.That(f.Misses.Select(m => m.Index), Is.EqualTo(new[] { 2, 4 }));
        Assert.That(f.WorstMisses(1).Single().Index, Is.EqualTo(4), "the most confident wrong prediction comes first");
    }

    [Test]
    public void A_class_never_predicted_counts_zero_precision_like_scikit_learn()
    {
        var eval = new EvalResult(0, 0, 1, 2, [0, 0], [1f, 1f], [0, 1]);
        var f = FinalReport.From(eval, classes: 2);
        Assert.That(f.Classes[1].Precision, Is.Zero);
        Assert.That(f.Classes[1].F1, Is.Zero);
    }
}
