using MnistClaims.Torch;

namespace MnistClaims.Models;

/// <summary>
/// Builds an <see cref="MlpSpec"/> as an <c>nn.Sequential</c>, layers created in order so the
/// default generator is consumed exactly as a PyTorch script constructing the same modules in
/// the same order would (each <c>nn.Linear</c> draws its weight, then its bias).
/// </summary>
public static class MlpBuilder
{
    public static nn.Sequential Build(MlpSpec spec, Device? device = null)
    {
        spec.Validate();
        var layers = new List<nn.Module>();
        for (int i = 0; i + 1 < spec.Sizes.Length; i++)
        {
            // Weights are drawn on the CPU generator and then moved, so CPU and CUDA runs start identical.
            layers.Add(new nn.Linear(spec.Sizes[i], spec.Sizes[i + 1], hasBias: true, device: device));
            bool hidden = i + 2 < spec.Sizes.Length;
            if (hidden)
            {
                layers.Add(spec.Activation.Module());
                if (spec.Dropout > 0) layers.Add(new nn.Dropout(spec.Dropout));
            }
        }
        if (spec.Head == OutputHead.LogSoftmax) layers.Add(new nn.LogSoftmax(1));
        return new nn.Sequential(layers.ToArray());
    }
}
