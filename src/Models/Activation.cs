using MnistClaims.Torch;

namespace MnistClaims.Models;

/// <summary>Hidden-layer nonlinearities the documents use, named as in PyTorch's <c>torch.nn</c>.</summary>
public enum Activation { ReLU, Sigmoid, Tanh, LeakyReLU, ELU }

public static class Activations
{
    static readonly Dictionary<string, Activation> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["relu"] = Activation.ReLU,
        ["sigmoid"] = Activation.Sigmoid,
        ["tanh"] = Activation.Tanh,
        ["leaky_relu"] = Activation.LeakyReLU,
        ["leaky-relu"] = Activation.LeakyReLU,
        ["leakyrelu"] = Activation.LeakyReLU,
        ["elu"] = Activation.ELU,
    };

    public static IReadOnlyCollection<string> CanonicalNames { get; } = ["relu", "sigmoid", "tanh", "leaky_relu", "elu"];

    public static bool TryParse(string text, out Activation activation) => Names.TryGetValue(text.Trim(), out activation);

    public static Activation Parse(string text) =>
        TryParse(text, out var a)
            ? a
            : throw new ArgumentException($"unknown activation '{text}'; expected one of {string.Join(", ", CanonicalNames)}");

    public static string Name(this Activation a) => a switch
    {
        Activation.ReLU => "relu",
        Activation.Sigmoid => "sigmoid",
        Activation.Tanh => "tanh",
        Activation.LeakyReLU => "leaky_relu",
        Activation.ELU => "elu",
        _ => throw new ArgumentOutOfRangeException(nameof(a)),
    };

    /// <summary>The module PyTorch's <c>getattr(nn, name)()</c> would give, with PyTorch's default arguments.</summary>
    public static nn.Module Module(this Activation a) => a switch
    {
        Activation.ReLU => new nn.ReLU(),
        Activation.Sigmoid => new nn.Sigmoid(),
        Activation.Tanh => new nn.Tanh(),
        Activation.LeakyReLU => new nn.LeakyReLU(0.01),
        Activation.ELU => new nn.ELU(1.0),
        _ => throw new ArgumentOutOfRangeException(nameof(a)),
    };
}
