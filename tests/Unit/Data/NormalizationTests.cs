using MnistClaims.Data;

namespace MnistClaims.Tests.Unit.Data;

[TestFixture]
public class NormalizationTests
{
    private static readonly byte[] Bytes = [0, 1, 2, 3, 7, 13, 50, 100, 127, 128, 200, 254, 255];

    // The same ops as torchvision's ToTensor (img.float().div(255)) and Normalize (tensor.sub_(mean).div_(std)),
    // computed live by python3-torch on this machine (tests/Common/PyTorch.cs), in that order: scale, mnist, half.
    private static readonly Lazy<float[]> Torch = new(() => PyTorch.Floats("""
        b = torch.tensor([0,1,2,3,7,13,50,100,127,128,200,254,255], dtype=torch.uint8)
        s = b.to(torch.float32).div(255)
        emit(s, s.sub(torch.tensor([0.1307])).div(torch.tensor([0.3081])), (s - 0.5) / 0.5)
        """));

    private static uint[] TorchBits(int which) => Bits(Torch.Value[(which * Bytes.Length)..((which + 1) * Bytes.Length)]);
    private static uint[] ScaleBits => TorchBits(0);
    private static uint[] MnistBits => TorchBits(1);
    private static uint[] HalfBits => TorchBits(2);

    private static uint[] Bits(float[] values) => values.Select(BitConverter.SingleToUInt32Bits).ToArray();

    [Test]
    [Category("Integration")] // python3-torch
    public void Scale_IsBitwiseEqualToTorchToTensor() =>
        Assert.That(Bits(Normalizer.Normalize(Bytes, Normalization.Scale)), Is.EqualTo(ScaleBits));

    [Test]
    [Category("Integration")] // python3-torch
    public void MeanStd_IsBitwiseEqualToTorchvisionNormalize() =>
        Assert.That(Bits(Normalizer.Normalize(Bytes, Normalization.MeanStd)), Is.EqualTo(MnistBits));

    [Test]
    [Category("Integration")] // python3-torch
    public void Half_IsBitwiseEqualToTorch() =>
        Assert.That(Bits(Normalizer.Normalize(Bytes, Normalization.Half)), Is.EqualTo(HalfBits));

    [Test]
    public void None_IsTheRawByteValue() =>
        Assert.That(Normalizer.Normalize(Bytes, Normalization.None), Is.EqualTo(Bytes.Select(b => (float)b).ToArray()));

    [Test]
    public void SpanOverload_MatchesArrayOverload_AndApply()
    {
        var all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        foreach (var n in Enum.GetValues<Normalization>())
        {
            var dest = new float[256];
            Normalizer.Normalize(all, dest, n);
            Assert.That(dest, Is.EqualTo(Normalizer.Normalize(all, n)));
            Assert.That(dest, Is.EqualTo(all.Select(b => Normalizer.Apply(b, n)).ToArray()));
        }
    }

    [Test]
    public void SpanOverload_LengthMismatch_Throws() =>
        Assert.Throws<ArgumentException>(() => Normalizer.Normalize(new byte[3], new float[2], Normalization.Scale));

    [TestCase("none", Normalization.None)]
    [TestCase("scale", Normalization.Scale)]
    [TestCase("mnist", Normalization.MeanStd)]
    [TestCase("half", Normalization.Half)]
    [TestCase(" MNIST ", Normalization.MeanStd)]
    public void Parse_AcceptsNames(string s, Normalization expected) =>
        Assert.That(Normalizer.Parse(s), Is.EqualTo(expected));

    [Test]
    public void FormatAndParse_RoundTrip()
    {
        foreach (var n in Enum.GetValues<Normalization>())
        {
            Assert.That(Normalizer.Parse(n.ToName()), Is.EqualTo(n));
            Assert.That(Normalizer.Format(n), Is.EqualTo(n.ToName()));
        }
        Assert.That(Normalizer.Names, Is.EqualTo(new[] { "none", "scale", "mnist", "half" }));
    }

    [Test]
    public void Parse_Unknown_NamesValueAndAllowedNames()
    {
        var ex = Assert.Throws<FormatException>(() => Normalizer.Parse("meanstd"));
        Assert.That(ex!.Message, Is.EqualTo("unknown normalization 'meanstd'; expected one of: none, scale, mnist, half"));
        Assert.That(Normalizer.TryParse(null, out _), Is.False);
    }
}
