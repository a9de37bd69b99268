using MnistClaims.Torch;
using NUnit.Framework;

namespace MnistClaims.Tests.Unit.Torch;

[TestFixture]
public class NativeLoaderTests
{
    [Test]
    public void Candidate_paths_follow_resolution_order()
    {
        var bogus = Path.Combine(Path.GetTempPath(), "mc-no-such-dir-" + Guid.NewGuid().ToString("N"));
        var baseDir = Path.Combine(Path.GetTempPath(), "mc-app", "bin");
        var cwd = Path.Combine(Path.GetTempPath(), "mc-cwd");
        var file = NativeLibraryLoader.LibraryFileName;
        var paths = NativeLibraryLoader.CandidatePaths(bogus, baseDir, cwd);

        Assert.That(paths[0], Is.EqualTo(Path.Combine(bogus, file)), "env var (directory) first");
        Assert.That(paths[1], Is.EqualTo(Path.Combine(baseDir, file)), "then the app base directory");
        Assert.That(paths, Does.Contain(Path.Combine(baseDir, "build", "native", file)));
        Assert.That(paths, Does.Contain(Path.Combine(Path.GetTempPath(), "mc-app", "build", "native", file)));
        Assert.That(paths, Does.Contain(Path.Combine(cwd, "build", "native", file)));
        Assert.That(paths, Is.Unique);

        var explicitFile = Path.Combine(bogus, "custom.so");
        Assert.That(NativeLibraryLoader.CandidatePaths(explicitFile, baseDir, cwd)[0], Is.EqualTo(explicitFile), "env var (file)");
        Assert.That(NativeLibraryLoader.CandidatePaths(null, baseDir, cwd)[0], Is.EqualTo(Path.Combine(baseDir, file)));
    }

    [Test]
    public void Not_found_message_lists_every_path_and_the_fix()
    {
        var paths = NativeLibraryLoader.CandidatePaths("/nonexistent/dir", "/tmp/a/b", "/tmp/c");
        var msg = NativeLibraryLoader.FormatNotFoundMessage(paths.Select(p => (p, "not found")));
        foreach (var p in paths) Assert.That(msg, Does.Contain(p));
        Assert.That(msg, Does.Contain("make native"));
        Assert.That(msg, Does.Contain(NativeLibraryLoader.EnvNative));
    }

    [Test]
    public void Loaded_shim_path_is_recorded()
    {
        _ = torch.version; // forces the load
        Assert.That(NativeLibraryLoader.LoadedPath, Is.Not.Null.And.EndsWith(NativeLibraryLoader.LibraryFileName));
    }
}
