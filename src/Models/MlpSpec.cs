using System.Globalization;

namespace MnistClaims.Models;

/// <summary>What sits after the last Linear layer.</summary>
public enum OutputHead
{
    /// <summary>Raw outputs (logits); what CrossEntropyLoss, MSELoss and L1Loss usually see.</summary>
    None,
    /// <summary><c>log_softmax(dim=1)</c>: needed by NLLLoss; document 001 also feeds it to CrossEntropyLoss.</summary>
    LogSoftmax,
}

/// <summary>
/// A multilayer perceptron, declaratively: layer widths from input to output
/// (e.g. 784-120-84-10), the hidden activation, the output head and dropout.
/// Layout of the built network, in construction (and therefore RNG) order:
/// <c>Linear(s0,s1), act, [Dropout], Linear(s1,s2), act, [Dropout], ..., Linear(s[n-2], s[n-1]), [LogSoftmax]</c>.
/// </summary>
public sealed record MlpSpec(int[] Sizes, Activation Activation, OutputHead Head = OutputHead.None, double Dropout = 0)
{
    public int Inputs => Sizes[0];
    public int Outputs => Sizes[^1];
    public int HiddenLayers => Sizes.Length - 2;

    /// <summary>Parses "784-128-10" (dash, comma or 'x' separated).</summary>
    public static int[] ParseSizes(string arch)
    {
        var parts = arch.Split(['-', ',', 'x', ' '], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2)
            throw new ArgumentException($"architecture '{arch}' must list at least an input and an output width, e.g. 784-128-10");
        var sizes = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out sizes[i]) || sizes[i] <= 0)
                throw new ArgumentException($"architecture '{arch}': width '{parts[i]}' is not a positive integer");
        }
        return sizes;
    }

    public string Arch => string.Join('-', Sizes);

    /// <summary>Weights plus biases of every Linear layer.</summary>
    public long ParameterCount => CountParameters(Sizes);

    public static long CountParameters(IReadOnlyList<int> sizes)
    {
        long total = 0;
        for (int i = 0; i + 1 < sizes.Count; i++) total += (long)sizes[i] * sizes[i + 1] + sizes[i + 1];
        return total;
    }

    /// <summary>FLOPs of one forward pass per sample (multiply-adds counted as 2), for benchmarks.</summary>
    public long ForwardFlopsPerSample()
    {
        long f = 0;
        for (int i = 0; i + 1 < Sizes.Length; i++) f += 2L * Sizes[i] * Sizes[i + 1];
        return f;
    }

    public void Validate()
    {
        if (Sizes.Length < 2) throw new ArgumentException("an MLP needs at least an input and an output width");
        if (Sizes.Any(s => s <= 0)) throw new ArgumentException($"architecture {Arch}: widths must be positive");
        if (Dropout is < 0 or >= 1 || double.IsNaN(Dropout)) throw new ArgumentException($"dropout {Dropout} must be in [0, 1)");
    }

    public override string ToString() =>
        $"{Arch} {Activation.Name()}" + (Head == OutputHead.LogSoftmax ? " +log_softmax" : "") + (Dropout > 0 ? $" dropout={Dropout.ToString(CultureInfo.InvariantCulture)}" : "");

    public bool Equals(MlpSpec? other) =>
        other is not null && Sizes.SequenceEqual(other.Sizes) && Activation == other.Activation && Head == other.Head && Dropout.Equals(other.Dropout);

    public override int GetHashCode() => HashCode.Combine(Arch, Activation, Head, Dropout);
}
