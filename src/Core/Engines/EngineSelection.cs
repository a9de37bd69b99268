using MnistClaims.Core.Engines.Fused;
using MnistClaims.Core.Training;

namespace MnistClaims.Core.Engines;

/// <summary>
/// Which engine trains a configuration. <c>TrainConfig.Engine</c>: "libtorch" always uses libtorch;
/// "fused" requires the fused engine (a config it cannot run, e.g. a CUDA device, falls back to libtorch
/// with a notice); "auto" (the default) uses the fused engine where supported, else libtorch with a
/// one-line notice on stderr. A CUDA device always uses libtorch.
/// </summary>
public static class EngineSelection
{
    public static readonly string[] Names = ["auto", "fused", "libtorch"];

    /// <summary>The engine that will run <paramref name="cfg"/> and, when it is not the one asked for, why.</summary>
    public static (string Engine, string? Notice) Resolve(TrainConfig cfg)
    {
        if (cfg.Engine == "libtorch") return ("libtorch", null);
        var why = FusedTrainer.Unsupported(cfg);
        if (why is null) return (FusedTrainer.EngineName, null);
        return ("libtorch", $"engine {cfg.Engine}: using libtorch ({why})");
    }

    /// <summary>Notice sink; stderr by default (tests replace it).</summary>
    public static Action<string> Notify { get; set; } = msg => Console.Error.WriteLine(msg);
}
