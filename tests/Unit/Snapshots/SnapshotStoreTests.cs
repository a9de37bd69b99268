using MnistClaims.Storage.Parquet;
using MnistClaims.Snapshots;

namespace MnistClaims.Tests.Unit.Snapshots;

[TestFixture]
public class SnapshotStoreTests
{
    private string _root = null!;
    private static readonly ToleranceSet Tol = new ToleranceSet(new Tolerance(1e-9, 0));

    [SetUp]
    public void SetUp() => _root = SnapshotTestData.TempDir();

    [TearDown]
    public void TearDown()
    {
        try { Directory.Delete(_root, true); } catch { }
    }

    private string Dir => Path.Combine(_root, "cpu", "exp-001");

    private VerifyResult Verify(Table t, AcceptMode mode = AcceptMode.None) =>
        SnapshotStore.Verify(_root, "cpu", "exp-001", "epochs", t, Tol, mode);

    [Test]
    public void Missing_Baseline_Fails_Writes_Received_And_Says_How_To_Accept()
    {
        var r = Verify(SnapshotTestData.Epochs());
        Assert.That(r.Passed, Is.False);
        Assert.That(r.Status, Is.EqualTo(VerifyStatus.MissingBaseline));
        Assert.That(File.Exists(Path.Combine(Dir, "epochs.received.parquet")), Is.True);
        Assert.That(File.Exists(Path.Combine(Dir, "epochs.received.txt")), Is.True);
        Assert.That(File.Exists(Path.Combine(Dir, "epochs.verified.parquet")), Is.False);
        Assert.That(r.Message, Does.Contain("dotnet run --project src/Harness -- accept exp-001 --profile cpu"));
        Assert.That(r.Message, Does.Contain("make accept ID=exp-001"));
        Assert.That(r.Message, Does.Contain("no verified baseline"));
        var ex = Assert.Throws<SnapshotMismatchException>(() => r.ThrowIfFailed());
        Assert.That(ex!.Message, Is.EqualTo(r.Message));
    }

    [Test]
    public void Accept_Moves_Received_To_Verified_Then_Verify_Passes()
    {
        Verify(SnapshotTestData.Epochs());
        var acc = SnapshotStore.Accept(_root, "cpu", "exp-001");
        Assert.That(acc.Accepted.Select(a => (a.ExperimentId, a.Name, a.HadPreviousVerified)), Is.EqualTo(new[] { ("exp-001", "epochs", false) }));
        Assert.That(acc.Message, Does.Contain("exp-001/epochs: new"));
        Assert.That(Directory.GetFiles(Dir).Select(Path.GetFileName).Order(), Is.EqualTo(new[] { "epochs.verified.parquet", "epochs.verified.txt" }));
        Assert.That(Verify(SnapshotTestData.Epochs()).Status, Is.EqualTo(VerifyStatus.Matched));
        Assert.That(SnapshotStore.Accept(_root, "cpu", null).Accepted, Is.Empty);
    }

    [Test]
    public void Accept_All_Experiments_Of_A_Profile()
    {
        SnapshotStore.Verify(_root, "cpu", "exp-001", "epochs", SnapshotTestData.Epochs(), Tol, AcceptMode.None);
        SnapshotStore.Verify(_root, "cpu", "exp-002", "epochs", SnapshotTestData.Epochs(), Tol, AcceptMode.None);
        SnapshotStore.Verify(_root, "cpu", "exp-002", "classes", SnapshotTestData.Epochs(), Tol, AcceptMode.None);
        SnapshotStore.Verify(_root, "gpu", "exp-001", "epochs", SnapshotTestData.Epochs(), Tol, AcceptMode.None);
        var acc = SnapshotStore.Accept(_root, "cpu", null);
        Assert.That(acc.Accepted.Select(a => $"{a.ExperimentId}/{a.Name}"), Is.EqualTo(new[] { "exp-001/epochs", "exp-002/classes", "exp-002/epochs" }));
        Assert.That(File.Exists(Path.Combine(_root, "gpu", "exp-001", "epochs.received.parquet")), Is.True, "other profiles untouched");
    }

    [Test]
    public void Match_Never_Rewrites_Verified_And_Deletes_Stale_Received()
    {
        Verify(SnapshotTestData.Epochs(), AcceptMode.New);
        var vp = Path.Combine(Dir, "epochs.verified.parquet");
        var vt = Path.Combine(Dir, "epochs.verified.txt");
        var bytes = File.ReadAllBytes(vp);
        var text = File.ReadAllText(vt);
        var old = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(vp, old);
        File.SetLastWriteTimeUtc(vt, old);

        // a failing run leaves received files behind
        Assert.That(Verify(SnapshotTestData.Epochs(acc: new[] { 0.1, 0.2, 0.3 })).Status, Is.EqualTo(VerifyStatus.Mismatch));
        Assert.That(File.Exists(Path.Combine(Dir, "epochs.received.parquet")), Is.True);

        // within tolerance (and different seconds) -> match, verified untouched, received removed
        var r = Verify(SnapshotTestData.Epochs(acc: new[] { 0.90, 0.95 + 1e-12, 0.97 }, seconds: new[] { 5.0, 5.0, 5.0 }), AcceptMode.All);
        Assert.That(r.Status, Is.EqualTo(VerifyStatus.Matched), r.Message);
        Assert.That(File.ReadAllBytes(vp), Is.EqualTo(bytes));
        Assert.That(File.ReadAllText(vt), Is.EqualTo(text));
        Assert.That(File.GetLastWriteTimeUtc(vp), Is.EqualTo(old));
        Assert.That(File.GetLastWriteTimeUtc(vt), Is.EqualTo(old));
        Assert.That(File.Exists(Path.Combine(Dir, "epochs.received.parquet")), Is.False);
        Assert.That(File.Exists(Path.Combine(Dir, "epochs.received.txt")), Is.False);
    }

    [Test]
    public void Mismatch_Message_Has_Aligned_Table_And_Accept_Command()
    {
        Verify(SnapshotTestData.Epochs(), AcceptMode.New);
        var r = Verify(SnapshotTestData.Epochs(acc: new[] { 0.90, 0.93, 0.97 }, loss: new[] { 0.30, 0.15, 0.05 }));
        Assert.That(r.Status, Is.EqualTo(VerifyStatus.Mismatch));
        TestContext.Out.WriteLine(r.Message);
        var lines = r.Message.Split('\n');
        var header = lines.Single(l => l.StartsWith("table"));
        Assert.That(header, Does.Contain("metric").And.Contain("key").And.Contain("verified").And.Contain("received").And.Contain("delta").And.Contain("tolerance"));
        var accLine = lines.Single(l => l.Contains("test_acc"));
        var lossLine = lines.Single(l => l.Contains("train_loss"));
        Assert.That(accLine, Does.Contain("epoch=2").And.Contain("0.95").And.Contain("0.93").And.Contain("worse"));
        Assert.That(lossLine, Does.Contain("epoch=3").And.Contain("better"));
        Assert.That(accLine.IndexOf("epoch=", StringComparison.Ordinal), Is.EqualTo(lossLine.IndexOf("epoch=", StringComparison.Ordinal)), "aligned");
        Assert.That(r.Message, Does.Contain("dotnet run --project src/Harness -- accept exp-001 --profile cpu"));
        Assert.That(ParquetFile.Read(Path.Combine(Dir, "epochs.received.parquet"))["test_acc"].GetDouble(1), Is.EqualTo(0.93));
    }

    [Test]
    public void AcceptMode_New_Only_Creates_Missing_Baselines()
    {
        var first = Verify(SnapshotTestData.Epochs(), AcceptMode.New);
        Assert.That(first.Status, Is.EqualTo(VerifyStatus.Accepted));
        Assert.That(first.Passed, Is.True);
        Assert.That(File.Exists(Path.Combine(Dir, "epochs.verified.parquet")), Is.True);
        var changed = Verify(SnapshotTestData.Epochs(acc: new[] { 0.5, 0.5, 0.5 }), AcceptMode.New);
        Assert.That(changed.Status, Is.EqualTo(VerifyStatus.Mismatch));
        Assert.That(ParquetFile.Read(Path.Combine(Dir, "epochs.verified.parquet"))["test_acc"].GetDouble(0), Is.EqualTo(0.90));
    }

    [Test]
    public void AcceptMode_All_Accepts_Changes()
    {
        Verify(SnapshotTestData.Epochs(), AcceptMode.New);
        var r = Verify(SnapshotTestData.Epochs(acc: new[] { 0.5, 0.5, 0.5 }), AcceptMode.All);
        Assert.That(r.Status, Is.EqualTo(VerifyStatus.Accepted));
        Assert.That(r.Message, Does.Contain("test_acc"));
        Assert.That(ParquetFile.Read(Path.Combine(Dir, "epochs.verified.parquet"))["test_acc"].GetDouble(0), Is.EqualTo(0.5));
        Assert.That(File.ReadAllText(Path.Combine(Dir, "epochs.verified.txt")), Does.Contain("0.5"));
        Assert.That(File.Exists(Path.Combine(Dir, "epochs.received.parquet")), Is.False);
    }

    [Test]
    public void Verified_Text_Is_Readable_With_Round_Trip_Precision()
    {
        var t = new Table(new[]
        {
            Column.Int32("epoch", new[] { 1, 2 }),
            Column.Double("acc", new[] { 0.1, 1.0 / 3 }),
            Column.Float("f", new[] { 0.1f, 2f }),
            Column.OptionalString("note", new[] { "a b", null }),
        }, new Dictionary<string, string> { ["seed"] = "42" });
        var text = TableText.Render(t);
        TestContext.Out.WriteLine(text);
        var lines = text.TrimEnd('\n').Split('\n');
        Assert.That(lines[0], Is.EqualTo("# rows: 2"));
        Assert.That(lines[1], Is.EqualTo("# seed: 42"));
        Assert.That(lines[2].Split(' ', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { "epoch", "acc", "f", "note" }));
        Assert.That(lines[3].Split(' ', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { "int32", "double", "float", "string?" }));
        Assert.That(lines[4], Does.Contain("0.1 ").And.Contain("0.100000001").And.Contain("\"a b\""));
        Assert.That(lines[5], Does.Contain("0.3333333333333333").And.EndWith("null"));
        Assert.That(double.Parse("0.3333333333333333", System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(1.0 / 3));
    }

    [Test]
    public void Invalid_Path_Segments_Are_Rejected()
    {
        Assert.Throws<ArgumentException>(() => SnapshotStore.Verify(_root, "cpu", "../evil", "epochs", SnapshotTestData.Epochs(), Tol, AcceptMode.None));
        Assert.Throws<ArgumentException>(() => SnapshotStore.Verify(_root, "", "exp", "epochs", SnapshotTestData.Epochs(), Tol, AcceptMode.None));
    }

    [Test]
    public void Any_verification_marks_the_stamp_so_received_files_an_earlier_run_left_are_refused()
    {
        // Received files of exp-002 left by an earlier run (written directly, an hour ago).
        var old = new SnapshotPaths(Path.Combine(_root, "cpu", "exp-002"), "epochs");
        Directory.CreateDirectory(old.Directory);
        ParquetFile.Write(old.ReceivedParquet, SnapshotTestData.Epochs());
        File.WriteAllText(old.ReceivedText, TableText.Render(SnapshotTestData.Epochs()));
        File.SetLastWriteTimeUtc(old.ReceivedParquet, DateTime.UtcNow.AddHours(-1));
        // This process verifies exp-001 (as the regression tests do, not through `harness snapshot`): that is a verification run.
        Verify(SnapshotTestData.Epochs());
        Assert.That(SnapshotStore.LastVerificationRun(_root, "cpu"), Is.Not.Null, "the verification recorded its stamp");
        var e = Assert.Throws<InvalidDataException>(() => SnapshotStore.Accept(_root, "cpu", "exp-002"))!;
        Assert.That(e.Message, Does.Contain(old.ReceivedParquet).And.Contain("older than the last verification run"));
        // What this run wrote itself is accepted.
        Assert.That(SnapshotStore.Accept(_root, "cpu", "exp-001").Accepted, Has.Count.EqualTo(1));
    }

    [Test]
    public void The_stamp_is_written_once_per_process_so_a_run_never_makes_its_own_received_files_stale()
    {
        Verify(SnapshotTestData.Epochs());
        var first = SnapshotStore.LastVerificationRun(_root, "cpu");
        Thread.Sleep(20);
        SnapshotStore.Verify(_root, "cpu", "exp-002", "epochs", SnapshotTestData.Epochs(), Tol, AcceptMode.None);
        SnapshotStore.WriteReceived(new SnapshotPaths(Path.Combine(_root, "cpu", "exp-003"), "epochs"), SnapshotTestData.Epochs());
        Assert.That(SnapshotStore.LastVerificationRun(_root, "cpu"), Is.EqualTo(first));
        Assert.That(SnapshotStore.Accept(_root, "cpu", null).Accepted, Has.Count.EqualTo(3));
    }
}
