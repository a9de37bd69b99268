using MnistClaims.Core.Runs;
using MnistClaims.Core.Training;

namespace MnistClaims.Tests.Regression;

/// <summary>
/// Shared state of the regression suite: MNIST loaded once, the hardware profile, and a scratch directory
/// for the runs the tests train (tests never reuse cached runs: they check the code as it is now).
/// </summary>
[SetUpFixture]
public sealed class Fixture
{
    static MnistData? _data;
    public static MnistData Data => _data ??= MnistData.Load(null, m => TestContext.Progress.WriteLine(m));
    public static string Profile { get; } = HardwareProfile.Current();
    public static string Scratch { get; } = Path.Combine(Path.GetTempPath(), $"mnist-claims-regression-{Environment.ProcessId}");

    [OneTimeTearDown]
    public void TearDown()
    {
        _data?.Dispose();
        if (Directory.Exists(Scratch)) Directory.Delete(Scratch, recursive: true);
    }

    /// <summary>Trains in this process and writes a real run record (Parquet + manifest) to the scratch directory.</summary>
    public static RunRecord Train(string experimentId, TrainConfig cfg)
    {
        var result = new Trainer(Data).Run(cfg);
        var manifest = Manifest.For(result, MnistClaims.Data.MnistFiles.Checksums(Data.Directory), experimentId: experimentId);
        return RunStore.Write(Path.Combine(Scratch, $"{experimentId}-{cfg.Hash}-s{cfg.Seed}"), result, manifest, overwrite: true);
    }
}
