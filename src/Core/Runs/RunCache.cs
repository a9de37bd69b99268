using MnistClaims.Core.Runs;
using MnistClaims.Core.Training;

namespace MnistClaims.Core.Runs;

/// <summary>
/// Finished runs keyed by (hardware profile, experiment, config hash, seed), so experiments shared by
/// several claims, report builds and re-runs train once. Layout:
/// <c>.cache/runs/&lt;profile&gt;/&lt;experiment&gt;/&lt;hash&gt;-s&lt;seed&gt;/</c>, where the profile names the hardware and the
/// engine that runs the config (<see cref="HardwareProfile.For"/>). A cached run whose manifest disagrees with
/// the config it is asked for is never reused. Tests do not use the cache: they check the code as it is.
/// </summary>
public sealed class RunCache(string root)
{
    public const string EnvVar = "MNIST_CLAIMS_RUNS";
    public string Root { get; } = root;

    public static RunCache Default() => new(
        Environment.GetEnvironmentVariable(EnvVar) is { Length: > 0 } r ? r : Path.Combine(RepoPaths.RequireRoot(), ".cache", "runs"));

    public string PathFor(string experimentId, TrainConfig cfg) => Path.Combine(Root, HardwareProfile.For(cfg), experimentId, $"{cfg.Hash}-s{cfg.Seed}");

    public bool TryLoad(string experimentId, TrainConfig cfg, out RunRecord run)
    {
        run = null!;
        var dir = PathFor(experimentId, cfg);
        if (!RunStore.Exists(dir)) return false;
        try
        {
            var r = RunStore.Read(dir);
            if (r.Manifest.ConfigHash != cfg.Hash || r.Manifest.Seed != cfg.Seed) return false;
            run = r;
            return true;
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            return false;   // a damaged cache entry is retrained, never trusted
        }
    }

    /// <summary>Loads the run or trains it here, in this process, and stores it.</summary>
    public RunRecord GetOrTrain(string experimentId, TrainConfig cfg, MnistData data, ITrainObserver? observer = null)
    {
        if (TryLoad(experimentId, cfg, out var cached)) return cached;
        var result = new Trainer(data).Run(cfg, observer);
        var manifest = Manifest.For(result, Data.MnistFiles.Checksums(data.Directory), experimentId: experimentId);
        return RunStore.Write(PathFor(experimentId, cfg), result, manifest, overwrite: true);
    }
}
