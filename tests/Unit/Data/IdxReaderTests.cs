using MnistClaims.Data;

namespace MnistClaims.Tests.Unit.Data;

[TestFixture]
public class IdxReaderTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = IdxTestFiles.NewTempDir();

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void ReadImages_ValidFile_ReturnsDimsAndRowMajorPixels()
    {
        var path = IdxTestFiles.Write(_dir, "img", IdxTestFiles.ImagesBytes(3, 2, 4, i => (byte)(i * 7)));
        var (pixels, count, rows, cols) = IdxReader.ReadImages(path);
        Assert.Multiple(() =>
        {
            Assert.That(count, Is.EqualTo(3));
            Assert.That(rows, Is.EqualTo(2));
            Assert.That(cols, Is.EqualTo(4));
            Assert.That(pixels, Has.Length.EqualTo(24));
            Assert.That(pixels, Is.EqualTo(Enumerable.Range(0, 24).Select(i => (byte)(i * 7)).ToArray()));
        });
    }

    [Test]
    public void ReadLabels_ValidFile_ReturnsLabels()
    {
        var path = IdxTestFiles.Write(_dir, "lbl", IdxTestFiles.LabelsBytes([0, 9, 3, 3, 7]));
        Assert.That(IdxReader.ReadLabels(path), Is.EqualTo(new byte[] { 0, 9, 3, 3, 7 }));
    }

    [Test]
    public void ReadImages_GzFile_IsDecompressedTransparently()
    {
        var raw = IdxTestFiles.ImagesBytes(2, 3, 3);
        var path = IdxTestFiles.WriteGz(_dir, "img.gz", raw);
        var (pixels, count, rows, cols) = IdxReader.ReadImages(path);
        Assert.That((count, rows, cols), Is.EqualTo((2, 3, 3)));
        Assert.That(pixels, Is.EqualTo(raw[16..]));
    }

    [Test]
    public void ReadLabels_GzFile_IsDecompressedTransparently()
    {
        var path = IdxTestFiles.WriteGz(_dir, "lbl.gz", IdxTestFiles.LabelsBytes([1, 2, 3]));
        Assert.That(IdxReader.ReadLabels(path), Is.EqualTo(new byte[] { 1, 2, 3 }));
    }

    [Test]
    public void ReadImages_NotGzipButNamedGz_NamesFile()
    {
        var path = IdxTestFiles.Write(_dir, "img.gz", IdxTestFiles.ImagesBytes(1, 2, 2));
        var ex = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.That(ex!.Message, Does.StartWith("img.gz: expected a gzip stream"));
    }

    [Test]
    public void ReadImages_LabelMagic_ReportsExpectedAndFound()
    {
        var path = IdxTestFiles.Write(_dir, "train-images-idx3-ubyte", IdxTestFiles.LabelsBytes([1, 2]));
        var ex = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.That(ex!.Message, Does.StartWith("train-images-idx3-ubyte: expected magic 0x00000803"));
        Assert.That(ex.Message, Does.Contain("found 0x00000801"));
        Assert.That(ex.Message, Does.Contain("1 dimension(s) instead of 3"));
    }

    [Test]
    public void ReadLabels_ImageMagic_ReportsExpectedAndFound()
    {
        var path = IdxTestFiles.Write(_dir, "lbl", IdxTestFiles.ImagesBytes(1, 1, 1));
        var ex = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(path));
        Assert.That(ex!.Message, Does.StartWith("lbl: expected magic 0x00000801"));
        Assert.That(ex.Message, Does.Contain("found 0x00000803"));
    }

    [Test]
    public void ReadImages_GarbageMagic_SaysNotIdx()
    {
        var bytes = IdxTestFiles.ImagesBytes(1, 2, 2, magic: 0x1F8B0800);
        var path = IdxTestFiles.Write(_dir, "img", bytes);
        var ex = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.That(ex!.Message, Does.Contain("found 0x1F8B0800 (not an IDX file)"));
    }

    [Test]
    public void ReadImages_WrongElementType_SaysSo()
    {
        var path = IdxTestFiles.Write(_dir, "img", IdxTestFiles.ImagesBytes(1, 2, 2, magic: 0x00000D03));
        var ex = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.That(ex!.Message, Does.Contain("element type code 0x0D instead of 0x08"));
    }

    [Test]
    public void ReadImages_Truncated_ReportsExpectedAndFoundSizes()
    {
        var full = IdxTestFiles.ImagesBytes(60000, 28, 28, _ => 0);
        var path = IdxTestFiles.Write(_dir, "train-images-idx3-ubyte", full[..1000]);
        var ex = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.That(ex!.Message, Does.StartWith(
            "train-images-idx3-ubyte: expected 47040016 bytes for 60000x28x28 images, found 1000"));
        Assert.That(ex.Message, Does.Contain("truncated"));
    }

    [Test]
    public void ReadImages_TrailingBytes_IsAnError()
    {
        var path = IdxTestFiles.Write(_dir, "img", [.. IdxTestFiles.ImagesBytes(2, 2, 2), 0]);
        var ex = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.That(ex!.Message, Is.EqualTo("img: expected 24 bytes for 2x2x2 images, found 25 (trailing bytes after the data)"));
    }

    [Test]
    public void ReadImages_HeaderOnlyPartially_IsAnError()
    {
        var path = IdxTestFiles.Write(_dir, "img", IdxTestFiles.ImagesBytes(1, 1, 1)[..10]);
        var ex = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.That(ex!.Message, Is.EqualTo("img: expected at least a 16-byte IDX3 header, found 10 bytes"));
    }

    [Test]
    public void ReadImages_EmptyFile_IsAnError()
    {
        var path = IdxTestFiles.Write(_dir, "img", []);
        var ex = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.That(ex!.Message, Does.StartWith("img: expected a 4-byte IDX magic number 0x00000803"));
    }

    [TestCase(0, 28, 28, "image count in 1..")]
    [TestCase(5, 0, 28, "row count in 1..4096, found 0")]
    [TestCase(5, 28, 5000, "column count in 1..4096, found 5000")]
    public void ReadImages_InsaneDims_AreErrors(int count, int rows, int cols, string expected)
    {
        var header = IdxTestFiles.ImagesBytes(1, 1, 1)[..16];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), count);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(8), rows);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(12), cols);
        var path = IdxTestFiles.Write(_dir, "img", header);
        var ex = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.That(ex!.Message, Does.Contain(expected));
    }

    [Test]
    public void ReadImages_HugeDimsOverflowingAnArray_IsAnErrorNotACrash()
    {
        var header = IdxTestFiles.ImagesBytes(1, 1, 1)[..16];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), int.MaxValue);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(8), 4096);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(12), 4096);
        var path = IdxTestFiles.Write(_dir, "img", header);
        Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
    }

    [Test]
    public void ReadLabels_LabelOutOfRange_NamesValueAndIndex()
    {
        var path = IdxTestFiles.Write(_dir, "train-labels-idx1-ubyte", IdxTestFiles.LabelsBytes([3, 4, 11, 2]));
        var ex = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(path));
        Assert.That(ex!.Message, Is.EqualTo("train-labels-idx1-ubyte: expected labels in 0..9, found 11 at index 2"));
    }

    [Test]
    public void ReadLabels_Truncated_ReportsSizes()
    {
        var path = IdxTestFiles.Write(_dir, "lbl", IdxTestFiles.LabelsBytes([1, 2, 3, 4])[..10]);
        var ex = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(path));
        Assert.That(ex!.Message, Is.EqualTo("lbl: expected 12 bytes for 4 labels, found 10 (file is truncated)"));
    }

    [Test]
    public void ReadLabels_TrailingBytes_IsAnError()
    {
        var path = IdxTestFiles.Write(_dir, "lbl", [.. IdxTestFiles.LabelsBytes([1, 2]), 9, 9]);
        var ex = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(path));
        Assert.That(ex!.Message, Is.EqualTo("lbl: expected 10 bytes for 2 labels, found 12 (trailing bytes after the data)"));
    }

    [Test]
    public void ReadLabels_MissingFile_IsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => IdxReader.ReadLabels(Path.Combine(_dir, "nope")));
    }
}
