using MnistClaims.Data;

namespace MnistClaims.Tests.Unit.Data;

[TestFixture]
public class NormalizationTests
{
    private static readonly byte[] Bytes = [0, 1, 2, 3, 7, 13, 50, 100, 127, 128, 200, 254, 255];

    // Expected float32 bits computed by PyTorch 1.13 (/usr/bin/python3), the same ops torchvision's
    // ToTensor (img.float().div(255)) and Normalize (tensor.sub_(mean).div_(std)) perform:
    //
    //   import torch, numpy as np
    //   b = torch.tensor([0,1,2,3,7,13,50,100,127,128,200,254,255], dtype=torch.uint8)
    //   s = b.to(torch.float32).div(255)
    //   m = s.sub(torch.tensor([0.1307])).div(torch.tensor([0.3081]))   # == (s - 0.1307) / 0.3081
    //   h = (s - 0.5) / 0.5
    //   hx = lambda t: ",".join("0x%08X" % x for x in t.numpy().view(np.uint32))
    //   print(hx(s)); print(hx(m)); print(hx(h))
    private static readonly uint[] ScaleBits =
    [
        0x00000000, 0x3B808081, 0x3C008081, 0x3C40C0C1, 0x3CE0E0E1, 0x3D50D0D1, 0x3E48C8C9, 0x3EC8C8C9,
        0x3EFEFEFF, 0x3F008081, 0x3F48C8C9, 0x3F7EFEFF, 0x3F800000,
    ];

    private static readonly uint[] MnistBits =
    [
        0xBED93271, 0xBED2AE20, 0xBECC29D0, 0xBEC5A57F, 0xBEAB943D, 0xBE847A59, 0x3E594AA0, 0x3F593E88,
        0x3F989C64, 0x3F9A3D7A, 0x4007C593, 0x4033C2B3, 0x4034933D,
    ];

    private static readonly uint[] HalfBits =
    [
        0xBF800000, 0xBF7DFDFE, 0xBF7BFBFC, 0xBF79F9FA, 0xBF71F1F2, 0xBF65E5E6, 0xBF1B9B9C, 0xBE5CDCDC,
        0xBB808080, 0x3B808100, 0x3F119192, 0x3F7DFDFE, 0x3F800000,
    ];

    private static uint[] Bits(float[] values) => values.Select(BitConverter.SingleToUInt32Bits).ToArray();

    [Test]
    public void Scale_IsBitwiseEqualToTorchToTensor() =>
        Assert.That(Bits(Normalizer.Normalize(Bytes, Normalization.Scale)), Is.EqualTo(ScaleBits));

    [Test]
    public void MeanStd_IsBitwiseEqualToTorchvisionNormalize() =>
        Assert.That(Bits(Normalizer.Normalize(Bytes, Normalization.MeanStd)), Is.EqualTo(MnistBits));

    [Test]
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
