using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using MnistClaims.Core.Training;
using MnistClaims.Torch;

namespace MnistClaims.Core.Runs;

/// <summary>Provenance of one run: written as manifest.json and embedded in every Parquet file's metadata.</summary>
public sealed record Manifest
{
    public required string HarnessVersion { get; init; }
    public required string Engine { get; init; }
    public required string ConfigJson { get; init; }
    public required string ConfigHash { get; init; }
    public required long Seed { get; init; }
    public required int Threads { get; init; }
    public required string Device { get; init; }
    public required string Profile { get; init; }
    public required HardwareInfo Hardware { get; init; }
    /// <summary>The native kernel sets the libtorch results came from (null in manifests written before they were recorded).</summary>
    public KernelChoice? Kernels { get; init; }
    public required string LibtorchVersion { get; init; }
    public required string LibtorchConfig { get; init; }
    public required string ParallelInfo { get; init; }
    public required IReadOnlyDictionary<string, string> Determinism { get; init; }
    public required string GitCommit { get; init; }
    public required bool GitDirty { get; init; }
    public required IReadOnlyDictionary<string, string> MnistSha256 { get; init; }
    public required DateTimeOffset Started { get; init; }
    public required DateTimeOffset Finished { get; init; }
    public required int TrainCount { get; init; }
    public required int ValCount { get; init; }
    public required long ParameterCount { get; init; }
    public long? DivergedAtStep { get; init; }
    public string? ExperimentId { get; init; }

    public static string HarnessVersionString =>
        typeof(Manifest).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    public static Manifest For(RunResult r, IReadOnlyDictionary<string, string> mnistSha256, string? experimentId = null)
    {
        var (commit, dirty) = GitInfo.Read();
        var hw = HardwareInfo.Detect(r.Config.Device);
        var engine = r.Engine;   // the engine that actually ran, not the one asked for
        return new Manifest
        {
            HarnessVersion = HarnessVersionString,
            Engine = engine,
            ConfigJson = r.Config.ToCanonicalJson(),
            ConfigHash = r.Config.Hash,
            Seed = r.Config.Seed,
            Threads = torch.get_num_threads(),
            Device = r.Config.Device,
            Profile = HardwareProfile.Current(r.Config.Device, engine),
            Hardware = hw,
            Kernels = KernelChoice.Detect(),
            LibtorchVersion = torch.version,
            LibtorchConfig = torch.show_config(),
            ParallelInfo = torch.parallel_info(),
            Determinism = Devices.DeterminismSettings(r.Config.Device),
            GitCommit = commit,
            GitDirty = dirty,
            MnistSha256 = mnistSha256,
            Started = r.Started,
            Finished = r.Finished,
            TrainCount = r.TrainCount,
            ValCount = r.ValCount,
            ParameterCount = r.ParameterCount,
            DivergedAtStep = r.DivergedAtStep,
            ExperimentId = experimentId,
        };
    }

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    static readonly JsonSerializerOptions Compact = new(Json) { WriteIndented = false };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static Manifest FromJson(string json, string nameForErrors)
    {
        try { return JsonSerializer.Deserialize<Manifest>(json, Json) ?? throw new InvalidDataException($"{nameForErrors}: empty manifest"); }
        catch (JsonException e) { throw new InvalidDataException($"{nameForErrors}: not a valid run manifest ({e.Message})", e); }
    }

    /// <summary>The flat key/value pairs embedded in each Parquet file (<c>mnist_claims.*</c>).</summary>
    public IReadOnlyDictionary<string, string> ToKeyValueMetadata() => new Dictionary<string, string>
    {
        ["mnist_claims.manifest"] = JsonSerializer.Serialize(this, Compact),
        ["mnist_claims.config_hash"] = ConfigHash,
        ["mnist_claims.seed"] = Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["mnist_claims.profile"] = Profile,
        ["mnist_claims.engine"] = Engine,
        ["mnist_claims.git_commit"] = GitCommit + (GitDirty ? "-dirty" : ""),
    };
}
