using MnistClaims.Core.Engines.Fused;
using MnistClaims.Core.Engines.Libtorch;
using MnistClaims.Core.Training;

namespace MnistClaims.Core.Engines;

/// <summary>
/// The one place an engine is chosen. <c>TrainConfig.Engine</c>: "libtorch" always uses libtorch; "fused" and
/// "auto" (the default) use the fused engine where it can run the configuration, else libtorch with a one-line
/// notice on stderr (a CUDA device, a CPU without AVX2/FMA, a shim without the dropout-mask export).
/// </summary>
public static class EngineSelection
{
    public static readonly string[] Names = ["auto", FusedEngine.EngineName, LibtorchEngine.EngineName];

    static readonly IEngineFactory Libtorch = new LibtorchEngine.Factory(), Fused = new FusedEngine.Factory();

    /// <summary>The engine that will run <paramref name="cfg"/> and, when it is not the one asked for, why.</summary>
    public static (IEngineFactory Engine, string? Notice) Resolve(TrainConfig cfg)
    {
        if (cfg.Engine == LibtorchEngine.EngineName) return (Libtorch, null);
        var why = Fused.Unsupported(cfg);
        if (why is null) return (Fused, null);
        return (Libtorch, $"engine {cfg.Engine}: using libtorch ({why})");
    }

    /// <summary>The name of the engine that will run <paramref name="cfg"/>.</summary>
    public static string NameFor(TrainConfig cfg) => Resolve(cfg).Engine.Name;

    /// <summary>Notice sink; stderr by default (tests replace it).</summary>
    public static Action<string> Notify { get; set; } = msg => Console.Error.WriteLine(msg);
}
