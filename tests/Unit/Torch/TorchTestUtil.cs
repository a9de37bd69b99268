using NUnit.Framework;

namespace MnistClaims.Tests.Unit.Torch;

internal static class TorchTestUtil
{
    /// <summary>Asserts float32 values are bit-for-bit equal to the expected (float32-exact) doubles.</summary>
    public static void AssertBitwise(float[] actual, double[] expected, string what)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), what + " length");
        for (int i = 0; i < expected.Length; i++)
        {
            int a = BitConverter.SingleToInt32Bits(actual[i]);
            int e = BitConverter.SingleToInt32Bits((float)expected[i]);
            Assert.That(a, Is.EqualTo(e), $"{what}[{i}]: got {actual[i]:R}, expected {(float)expected[i]:R}");
        }
    }

    public static void CollectGarbage()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
