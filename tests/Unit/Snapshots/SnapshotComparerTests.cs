using MnistClaims.Storage.Parquet;
using MnistClaims.Snapshots;

namespace MnistClaims.Tests.Unit.Snapshots;

[TestFixture]
public class SnapshotComparerTests
{
    private static readonly ToleranceSet Tol = new ToleranceSet(Tolerance.Exact).With("test_acc", new Tolerance(1e-3, 0)).With("train_loss", new Tolerance(0, 0.01));

    [Test]
    public void Identical_Matches_And_Seconds_Are_Ignored()
    {
        var r = SnapshotComparer.Compare(SnapshotTestData.Epochs(), SnapshotTestData.Epochs(seconds: new[] { 9.0, 9.0, 9.0 }), Tol);
        Assert.That(r.IsMatch, Is.True, r.ToString());
    }

    [Test]
    public void Value_Just_Inside_And_Just_Outside_Atol()
    {
        var inside = SnapshotComparer.Compare(SnapshotTestData.Epochs(), SnapshotTestData.Epochs(acc: new[] { 0.90, 0.95 + 0.0009, 0.97 }), Tol);
        Assert.That(inside.IsMatch, Is.True, inside.ToString());
        var outside = SnapshotComparer.Compare(SnapshotTestData.Epochs(), SnapshotTestData.Epochs(acc: new[] { 0.90, 0.95 - 0.0011, 0.97 }), Tol, "epochs");
        Assert.That(outside.Mismatches, Has.Count.EqualTo(1));
        var m = outside.Mismatches[0];
        Assert.That(m.Kind, Is.EqualTo(MismatchKind.ValueOutsideTolerance));
        Assert.That(m.Table, Is.EqualTo("epochs"));
        Assert.That(m.Column, Is.EqualTo("test_acc"));
        Assert.That(m.RowKey, Is.EqualTo("epoch=2"));
        Assert.That(m.Verified, Is.EqualTo("0.95"));
        Assert.That(m.Delta, Is.EqualTo(-0.0011).Within(1e-12));
        Assert.That(m.Tolerance, Is.EqualTo(new Tolerance(1e-3, 0)));
        Assert.That(m.Verdict, Is.EqualTo(ChangeVerdict.Worse), "accuracy dropped");
    }

    [Test]
    public void Value_Just_Inside_And_Just_Outside_Rtol()
    {
        // rtol 1% of verified 0.15 = 0.0015
        Assert.That(SnapshotComparer.Compare(SnapshotTestData.Epochs(), SnapshotTestData.Epochs(loss: new[] { 0.30, 0.1514, 0.10 }), Tol).IsMatch, Is.True);
        var r = SnapshotComparer.Compare(SnapshotTestData.Epochs(), SnapshotTestData.Epochs(loss: new[] { 0.30, 0.1484, 0.10 }), Tol);
        Assert.That(r.Mismatches.Single().Column, Is.EqualTo("train_loss"));
        Assert.That(r.Mismatches.Single().Verdict, Is.EqualTo(ChangeVerdict.Better), "loss went down");
    }

    [Test]
    public void Missing_And_Extra_Columns_Both_Directions()
    {
        var verified = SnapshotTestData.Epochs();
        var received = new Table(new[]
        {
            verified["epoch"], verified["test_acc"], verified["seconds"],
            Column.Double("test_loss", new[] { 1.0, 2.0, 3.0 }),
        });
        var r = SnapshotComparer.Compare(verified, received, Tol, "epochs");
        Assert.That(r.Mismatches.Select(m => (m.Kind, m.Column)), Is.EquivalentTo(new[]
        {
            (MismatchKind.MissingColumn, "train_loss"),
            (MismatchKind.ExtraColumn, "test_loss"),
        }));
        var text = r.Render();
        Assert.That(text, Does.Contain("(column missing)").And.Contain("(extra column)"));
    }

    [Test]
    public void Type_Change_And_Row_Count_Change()
    {
        var verified = SnapshotTestData.Epochs();
        var received = new Table(new[]
        {
            Column.Int64("epoch", new long[] { 1, 2 }),
            Column.Double("test_acc", new[] { 0.90, 0.95 }),
            Column.Double("train_loss", new[] { 0.30, 0.15 }),
        });
        var r = SnapshotComparer.Compare(verified, received, Tol, "epochs");
        Assert.That(r.Mismatches.Select(m => m.Kind), Does.Contain(MismatchKind.RowCountChanged).And.Contain(MismatchKind.TypeChanged));
        Assert.That(r.Mismatches.Where(m => m.Kind == MismatchKind.ValueOutsideTolerance), Is.Empty, "overlapping rows are equal, int32 vs int64 compares numerically");
    }

    [Test]
    public void NaN_Equals_NaN_Only()
    {
        var v = SnapshotTestData.Epochs(loss: new[] { double.NaN, 0.15, 0.10 });
        Assert.That(SnapshotComparer.Compare(v, SnapshotTestData.Epochs(loss: new[] { double.NaN, 0.15, 0.10 }), Tol).IsMatch, Is.True);
        var r = SnapshotComparer.Compare(v, SnapshotTestData.Epochs(loss: new[] { 0.3, 0.15, double.NaN }), Tol);
        Assert.That(r.Mismatches.Select(m => m.RowKey), Is.EqualTo(new[] { "epoch=1", "epoch=3" }));
        Assert.That(r.Mismatches[1].Received, Is.EqualTo("NaN"));
    }

    [Test]
    public void Nulls_Equal_Only_Nulls()
    {
        Table T(params double?[] v) => new(new[] { Column.Int32("step", new[] { 10, 20, 30 }), Column.Double("grad_norm", v) });
        Assert.That(SnapshotComparer.Compare(T(1, null, 3), T(1, null, 3), Tol).IsMatch, Is.True);
        var r = SnapshotComparer.Compare(T(1, null, 3), T(1, 2, null), new ToleranceSet(new Tolerance(100, 100)));
        Assert.That(r.Mismatches.Select(m => (m.RowKey, m.Verified, m.Received)), Is.EqualTo(new[] { ("step=20", "null", "2"), ("step=30", "3", "null") }));
    }

    [Test]
    public void Strings_And_Booleans_Compare_Exactly_And_Keys_Combine()
    {
        Table T(string s, bool b) => new(new[]
        {
            Column.Int32("epoch", new[] { 1 }), Column.Int32("class", new[] { 7 }),
            Column.String("label", new[] { s }), Column.Boolean("correct", new[] { b }),
        });
        var r = SnapshotComparer.Compare(T("a", true), T("b", false), new ToleranceSet(new Tolerance(1, 1)));
        Assert.That(r.Mismatches, Has.Count.EqualTo(2));
        Assert.That(r.Mismatches[0].RowKey, Is.EqualTo("epoch=1, class=7"));
    }
}
