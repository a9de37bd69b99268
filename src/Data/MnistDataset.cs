namespace MnistClaims.Data;

/// <summary>Which half of MNIST: the 60,000 training images or the 10,000 test images.</summary>
public enum MnistSplit
{
    Train,
    Test,
}

/// <summary>
/// One MNIST split held in memory as raw bytes: <see cref="Images"/> is Count*784 bytes,
/// image after image, each 28 rows of 28 pixels (row-major); <see cref="Labels"/> is Count bytes in 0..9.
/// </summary>
public sealed class MnistDataset
{
    public const int Rows = 28;
    public const int Cols = 28;
    public const int PixelsPerImage = Rows * Cols;
    public const int NumClasses = IdxReader.NumClasses;

    public byte[] Images { get; }
    public byte[] Labels { get; }
    public int Count { get; }
    public MnistSplit Split { get; }

    public MnistDataset(byte[] images, byte[] labels, MnistSplit split)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        if (images.LongLength != (long)labels.Length * PixelsPerImage)
            throw new ArgumentException(
                $"expected {labels.Length}x{PixelsPerImage} = {(long)labels.Length * PixelsPerImage} image bytes for {labels.Length} labels, found {images.LongLength}");
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] >= NumClasses)
                throw new ArgumentException($"expected labels in 0..{NumClasses - 1}, found {labels[i]} at index {i}");
        }
        Images = images;
        Labels = labels;
        Count = labels.Length;
        Split = split;
    }

    /// <summary>The 784 pixels of image <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> Image(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return Images.AsSpan(index * PixelsPerImage, PixelsPerImage);
    }

    /// <summary>Number of examples of each digit 0..9.</summary>
    public int[] ClassCounts()
    {
        var counts = new int[NumClasses];
        foreach (var l in Labels) counts[l]++;
        return counts;
    }

    /// <summary>File name (without directory or .gz) of the image file of a split.</summary>
    public static string ImageFileName(MnistSplit split) =>
        split == MnistSplit.Train ? MnistFiles.TrainImages : MnistFiles.TestImages;

    /// <summary>File name (without directory or .gz) of the label file of a split.</summary>
    public static string LabelFileName(MnistSplit split) =>
        split == MnistSplit.Train ? MnistFiles.TrainLabels : MnistFiles.TestLabels;

    /// <summary>
    /// Loads a split from <paramref name="dataDir"/> (the raw IDX files, or their ".gz" versions when the raw
    /// file is absent). Does not verify checksums: call <see cref="MnistFiles.Ensure"/> first for genuine MNIST.
    /// </summary>
    public static MnistDataset Load(string dataDir, MnistSplit split)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDir);
        var imagesPath = Locate(dataDir, ImageFileName(split));
        var labelsPath = Locate(dataDir, LabelFileName(split));
        var (pixels, count, rows, cols) = IdxReader.ReadImages(imagesPath);
        if (rows != Rows || cols != Cols)
            throw new InvalidDataException(
                $"{Path.GetFileName(imagesPath)}: expected {Rows}x{Cols} images, found {rows}x{cols}");
        var labels = IdxReader.ReadLabels(labelsPath);
        if (labels.Length != count)
            throw new InvalidDataException(
                $"{Path.GetFileName(labelsPath)}: expected {count} labels to match {Path.GetFileName(imagesPath)}, found {labels.Length}");
        return new MnistDataset(pixels, labels, split);
    }

    private static string Locate(string dir, string name)
    {
        var raw = Path.Combine(dir, name);
        if (File.Exists(raw)) return raw;
        var gz = raw + ".gz";
        if (File.Exists(gz)) return gz;
        throw new FileNotFoundException(
            $"MNIST file {name} (or {name}.gz) not found in {dir}; run `scripts/fetch-mnist.sh`, call MnistFiles.Ensure, or pass --data-dir / set {MnistFiles.DataDirEnvVar}",
            raw);
    }
}
