using MnistClaims.Data;

namespace MnistClaims.Tests.Unit.Data;

[TestFixture]
public class MnistDatasetTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = IdxTestFiles.NewTempDir();

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void Load_SmallSplit_HasImagesLabelsAndClassCounts()
    {
        byte[] labels = [0, 1, 1, 9, 9, 9];
        IdxTestFiles.Write(_dir, MnistFiles.TestImages, IdxTestFiles.ImagesBytes(6, 28, 28));
        IdxTestFiles.Write(_dir, MnistFiles.TestLabels, IdxTestFiles.LabelsBytes(labels));
        var ds = MnistDataset.Load(_dir, MnistSplit.Test);
        Assert.Multiple(() =>
        {
            Assert.That(ds.Split, Is.EqualTo(MnistSplit.Test));
            Assert.That(ds.Count, Is.EqualTo(6));
            Assert.That(ds.Images, Has.Length.EqualTo(6 * 784));
            Assert.That(ds.Labels, Is.EqualTo(labels));
            Assert.That(ds.ClassCounts(), Is.EqualTo(new[] { 1, 2, 0, 0, 0, 0, 0, 0, 0, 3 }));
            Assert.That(ds.Image(1)[0], Is.EqualTo((byte)(784 % 251)));
        });
    }

    [Test]
    public void Load_FallsBackToGzFiles()
    {
        IdxTestFiles.WriteGz(_dir, MnistFiles.TrainImages + ".gz", IdxTestFiles.ImagesBytes(2, 28, 28));
        IdxTestFiles.WriteGz(_dir, MnistFiles.TrainLabels + ".gz", IdxTestFiles.LabelsBytes([4, 5]));
        var ds = MnistDataset.Load(_dir, MnistSplit.Train);
        Assert.That(ds.Count, Is.EqualTo(2));
        Assert.That(ds.Labels, Is.EqualTo(new byte[] { 4, 5 }));
    }

    [Test]
    public void Load_CountMismatch_NamesBothFiles()
    {
        IdxTestFiles.Write(_dir, MnistFiles.TestImages, IdxTestFiles.ImagesBytes(3, 28, 28));
        IdxTestFiles.Write(_dir, MnistFiles.TestLabels, IdxTestFiles.LabelsBytes([1, 2]));
        var ex = Assert.Throws<InvalidDataException>(() => MnistDataset.Load(_dir, MnistSplit.Test));
        Assert.That(ex!.Message, Is.EqualTo(
            "t10k-labels-idx1-ubyte: expected 3 labels to match t10k-images-idx3-ubyte, found 2"));
    }

    [Test]
    public void Load_WrongImageSize_IsAnError()
    {
        IdxTestFiles.Write(_dir, MnistFiles.TestImages, IdxTestFiles.ImagesBytes(1, 32, 32));
        IdxTestFiles.Write(_dir, MnistFiles.TestLabels, IdxTestFiles.LabelsBytes([1]));
        var ex = Assert.Throws<InvalidDataException>(() => MnistDataset.Load(_dir, MnistSplit.Test));
        Assert.That(ex!.Message, Is.EqualTo("t10k-images-idx3-ubyte: expected 28x28 images, found 32x32"));
    }

    [Test]
    public void Load_MissingFiles_SaysHowToGetThem()
    {
        var ex = Assert.Throws<FileNotFoundException>(() => MnistDataset.Load(_dir, MnistSplit.Train));
        Assert.That(ex!.Message, Does.Contain("train-images-idx3-ubyte"));
        Assert.That(ex.Message, Does.Contain("fetch-mnist.sh"));
    }
}
