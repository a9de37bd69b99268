using MnistClaims.Data;
using MnistClaims.Torch;

namespace MnistClaims.Core.Training;

/// <summary>MNIST as libtorch tensors, ready for index_select: images [N,784] float32, labels [N] int64, one-hot [N,10] float32.</summary>
public sealed record DataTensors(Tensor TrainX, Tensor TrainY, Tensor TrainOneHot, Tensor TestX, Tensor TestY, Tensor TestOneHot) : IDisposable
{
    public void Dispose()
    {
        foreach (var t in new[] { TrainX, TrainY, TrainOneHot, TestX, TestY, TestOneHot }) t.Dispose();
    }
}

/// <summary>
/// The MNIST train and test sets, loaded once, with tensors cached per (normalisation, device)
/// so experiments that share them (all seeds, all variants) pay the conversion once.
/// </summary>
public sealed class MnistData : IDisposable
{
    public const int TrainCount = 60000, TestCount = 10000, Pixels = 784, Classes = 10;

    public MnistDataset Train { get; }
    public MnistDataset Test { get; }
    public string Directory { get; }
    readonly Dictionary<(Normalization, Device), DataTensors> _cache = [];
    IReadOnlyDictionary<string, string>? _checksums;

    /// <summary>
    /// SHA-256 of the four files in <see cref="Directory"/>, for run manifests: hashed once per loaded data set (55 MB,
    /// about 0.15 s), not once per run of a worker that trains hundreds.
    /// </summary>
    public IReadOnlyDictionary<string, string> Checksums => _checksums ??= MnistFiles.Checksums(Directory);

    public MnistData(MnistDataset train, MnistDataset test, string directory)
    {
        if (train.Count != TrainCount) throw new InvalidDataException($"{directory}: expected {TrainCount} training images, found {train.Count}");
        if (test.Count != TestCount) throw new InvalidDataException($"{directory}: expected {TestCount} test images, found {test.Count}");
        Train = train; Test = test; Directory = directory;
    }

    /// <summary>Resolves (and if needed acquires and verifies) the MNIST files, then loads them.</summary>
    public static MnistData Load(string? dataDir = null, Action<string>? log = null)
    {
        var dir = MnistFiles.Ensure(dataDir, log);
        return new MnistData(MnistDataset.Load(dir, MnistSplit.Train), MnistDataset.Load(dir, MnistSplit.Test), dir);
    }

    public DataTensors Tensors(Normalization normalization, Device device)
    {
        lock (_cache)
        {
            if (_cache.TryGetValue((normalization, device), out var t)) return t;
            t = new DataTensors(
                Images(Train, normalization, device), Labels(Train, device), OneHot(Train, device),
                Images(Test, normalization, device), Labels(Test, device), OneHot(Test, device));
            _cache[(normalization, device)] = t;
            return t;
        }
    }

    static Tensor Images(MnistDataset d, Normalization n, Device device)
    {
        var pixels = Normalizer.Normalize(d.Images, n);
        using var cpu = torch.tensor(pixels, [d.Count, Pixels]);
        return cpu.to(device).DetachFromDisposeScope();
    }

    static Tensor Labels(MnistDataset d, Device device)
    {
        var y = new long[d.Count];
        for (int i = 0; i < y.Length; i++) y[i] = d.Labels[i];
        using var cpu = torch.tensor(y, [d.Count]);
        return cpu.to(device).DetachFromDisposeScope();
    }

    /// <summary>One-hot float targets, as <c>F.one_hot(y, 10).float()</c> gives them.</summary>
    static Tensor OneHot(MnistDataset d, Device device)
    {
        var v = new float[d.Count * Classes];
        for (int i = 0; i < d.Count; i++) v[i * Classes + d.Labels[i]] = 1f;
        using var cpu = torch.tensor(v, [d.Count, Classes]);
        return cpu.to(device).DetachFromDisposeScope();
    }

    public void Dispose()
    {
        foreach (var t in _cache.Values) t.Dispose();
        _cache.Clear();
    }
}
