using MnistClaims.Data;
using MnistClaims.Core.Runs;
using MnistClaims.Core.Training;
using MnistClaims.Torch;

namespace MnistClaims.Tests.Unit.Core.Training;

/// <summary>Trainer behaviour on the real MNIST files (category Integration: needs `make setup`).</summary>
[Category("Integration")]
public sealed class TrainerTests
{
    static MnistData? _data;
    static MnistData Data => _data ??= MnistData.Load();

    [OneTimeTearDown] public void Dispose() => _data?.Dispose();

    [Test]
    public void Split_is_seeded_disjoint_and_sized_like_pythons_round()
    {
        var cfg = new TrainConfig { ValFraction = 0.3, MaxTrainSamples = 1000 };
        using var g1 = new Generator(5);
        using var g2 = new Generator(5);
        var (t1, v1) = Trainer.Split(cfg, g1);
        var (t2, v2) = Trainer.Split(cfg, g2);
        Assert.That(v1, Has.Length.EqualTo(18000));
        Assert.That(t1, Has.Length.EqualTo(1000));
        Assert.That(t1.Intersect(v1), Is.Empty);
        Assert.That(t1, Is.EqualTo(t2)); Assert.That(v1, Is.EqualTo(v2));
        using var g3 = new Generator(6);
        Assert.That(Trainer.Split(cfg, g3).Val, Is.Not.EqualTo(v1));
    }

    [Test]
    public void No_native_tensor_outlives_a_run()
    {
        _ = Data.Tensors(Normalization.Scale, Device.CPU);   // the cached data tensors are long-lived by design
        long before = Tensor.LiveCount;
        new Trainer(Data).Run(new TrainConfig { Arch = "784-32-10", Dropout = 0.2, BatchSize = 128, MaxSteps = 120, ValFraction = 0.1 });
        Assert.That(Tensor.LiveCount, Is.EqualTo(before), "live tensor handles after the run");
    }

    [Test]
    public void A_diverging_run_is_recorded_not_crashed()
    {
        var r = new Trainer(Data).Run(new TrainConfig { Arch = "784-64-10", Optimizer = "sgd", Lr = 1e12, BatchSize = 64, Normalize = "none", MaxSteps = 200 });
        Assert.That(r.DivergedAtStep, Is.Not.Null);
        Assert.That(r.Steps.Count, Is.EqualTo(r.DivergedAtStep));
        Assert.That(float.IsFinite(r.Steps.Loss(r.Steps.Count - 1)), Is.False);
    }

    [Test]
    public void Requesting_cuda_without_cuda_is_a_one_line_error_naming_the_flag()
    {
        Assume.That(torch.cuda.is_available(), Is.False, "this machine has CUDA");
        var e = Assert.Throws<ConfigException>(() => new Trainer(Data).Run(new TrainConfig { Device = "cuda", MaxSteps = 1 }))!;
        Assert.That(e.Message, Does.StartWith("--device"));
        Assert.That(e.Message, Does.Not.Contain("\n"));
    }

    [Test]
    public void A_run_record_round_trips_and_is_never_overwritten_silently()
    {
        var r = new Trainer(Data).Run(new TrainConfig { Arch = "784-16-10", BatchSize = 256, MaxSteps = 20 });
        var dir = Path.Combine(Path.GetTempPath(), $"run-{Guid.NewGuid():N}");
        try
        {
            var manifest = Manifest.For(r, MnistFiles.Checksums(Data.Directory));
            RunStore.Write(dir, r, manifest);
            var back = RunStore.Read(dir);
            Assert.That(back.Manifest.ConfigHash, Is.EqualTo(r.Config.Hash));
            Assert.That(back.Steps.Count, Is.EqualTo(20));
            Assert.That(back.Steps.Losses, Is.EqualTo(r.Steps.Losses), "step losses read back bit for bit");
            Assert.That(back.Epochs, Is.EqualTo(r.Epochs), "every epoch field read back as written");
            Assert.That(back.Final.Confusion, Is.EqualTo(r.Final.Confusion));
            Assert.That(back.Final.Classes, Is.EqualTo(r.Final.Classes));
            Assert.That(back.Final.Misses, Is.EqualTo(r.Final.Misses));
            Assert.That(back.Final.WeightedF1, Is.EqualTo(r.Final.WeightedF1));
            Assert.That(back.Table(RunTables.Epochs).Metadata["mnist_claims.config_hash"], Is.EqualTo(r.Config.Hash));
            Assert.That(back.Manifest.MnistSha256["train-images-idx3-ubyte"], Is.EqualTo("ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"));
            var stamp = File.GetLastWriteTimeUtc(Path.Combine(dir, "manifest.json"));
            Assert.Throws<IOException>(() => RunStore.Write(dir, r, manifest));
            Assert.That(File.GetLastWriteTimeUtc(Path.Combine(dir, "manifest.json")), Is.EqualTo(stamp), "the existing run is untouched");
            Assert.That(Directory.GetDirectories(Path.GetDirectoryName(dir)!, $".{Path.GetFileName(dir)}.tmp-*"), Is.Empty, "no temp directory left behind");
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }
}
