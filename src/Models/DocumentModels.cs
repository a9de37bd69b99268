namespace MnistClaims.Models;

/// <summary>
/// The networks of the five documents in ../shared/seeds, constructed as their authors did
/// (see ../shared/seeds/NOTES.md for what was found and what was inferred).
/// </summary>
public static class DocumentModels
{
    /// <summary>
    /// EARIN lab 1 (002): <c>Model(num_hidden_layers, width, activation)</c> is
    /// <c>Linear(784, width) + act</c>, then <c>num_hidden_layers x (Linear(width, width) + act)</c>,
    /// then <c>Linear(width, 10)</c> without activation. Its "0 hidden layers" model is therefore
    /// 784-width-10 WITH an activation, not a linear model.
    /// </summary>
    public static MlpSpec Earin(int numHiddenLayers, int width, Activation activation = Activation.ReLU)
    {
        if (numHiddenLayers < 0) throw new ArgumentOutOfRangeException(nameof(numHiddenLayers));
        var sizes = new List<int> { 784, width };
        for (int i = 0; i < numHiddenLayers; i++) sizes.Add(width);
        sizes.Add(10);
        return new MlpSpec(sizes.ToArray(), activation);
    }

    /// <summary>Document 000: 28*28 - 64 - 128 - 254 - 10, ReLU ("254" kept as written).</summary>
    public static MlpSpec Pytorch000() => new([784, 64, 128, 254, 10], Activation.ReLU);

    /// <summary>
    /// Document 001 ("code-along" template): 784-120-84-10, ReLU, <c>log_softmax</c> output
    /// (then fed to CrossEntropyLoss). Dropout after each hidden activation is inferred from the
    /// text ("dropout regularization was applied") and the low running train accuracy.
    /// </summary>
    public static MlpSpec Gundorov001(double dropout = 0) => new([784, 120, 84, 10], Activation.ReLU, OutputHead.LogSoftmax, dropout);

    /// <summary>
    /// Document 003 (ANN from scratch): sigmoid hidden layers, softmax output trained with
    /// cross-entropy (we use CE on logits, which is softmax + CE). 1 hidden = 784-30-10,
    /// 2 hidden = 784-40-20-10 (from the diagrams). The 4-hidden-layer widths are not stated
    /// anywhere; we assume 784-40-30-20-20-10 (recorded as an assumption of its claims).
    /// </summary>
    public static MlpSpec Scratch003(int hiddenLayers) => hiddenLayers switch
    {
        1 => new([784, 30, 10], Activation.Sigmoid),
        2 => new([784, 40, 20, 10], Activation.Sigmoid),
        4 => new([784, 40, 30, 20, 20, 10], Activation.Sigmoid),
        _ => throw new ArgumentOutOfRangeException(nameof(hiddenLayers), "document 003 has 1, 2 and 4 hidden layers"),
    };

    /// <summary>
    /// Document 004: <c>nn.Sequential(Linear, ReLU, ..., Linear, LogSoftmax)</c> for NLLLoss.
    /// The document's neuron lists count the output layer ([512,256,128,64,10] is 4 hidden layers).
    /// </summary>
    public static MlpSpec Akram004(params int[] layerList)
    {
        if (layerList.Length == 0 || layerList[^1] != 10)
            throw new ArgumentException("document 004 lists end with the 10 output units");
        return new MlpSpec([784, .. layerList], Activation.ReLU, OutputHead.LogSoftmax);
    }
}
