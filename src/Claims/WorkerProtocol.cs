using System.Text.Json;
using System.Text.Json.Serialization;
using MnistClaims.Core.Training;

namespace MnistClaims.Claims;

/// <summary>
/// What the scheduler and its worker processes (<c>harness worker</c>) say to each other, one JSON object per line: the
/// scheduler writes a <see cref="WorkerRequest"/> to the worker's stdin, the worker trains it and answers with
/// <see cref="Reply"/>'s line on stdout, then reads the next request; end of input ends the worker. One worker trains
/// many runs, so libtorch is loaded, MNIST read and the JIT warmed once per worker instead of once per run (about 2.5 s
/// of a 2-core machine's time per run, measured with strace and time on a 2-core EPYC: 1.5 s of it loading libtorch).
/// </summary>
public sealed record WorkerRequest(
    [property: JsonPropertyName("out")] string OutDir,
    [property: JsonPropertyName("experiment")] string? Experiment,
    [property: JsonPropertyName("config")] string ConfigJson)
{
    public string ToLine() => JsonSerializer.Serialize(this);

    /// <summary>Parses one request line; a malformed line is an <see cref="InvalidDataException"/> naming what is wrong.</summary>
    public static WorkerRequest Parse(string line)
    {
        WorkerRequest? r;
        try { r = JsonSerializer.Deserialize<WorkerRequest>(line); }
        catch (JsonException e) { throw new InvalidDataException($"worker request: not a JSON request ({e.Message})", e); }
        if (r is null || string.IsNullOrEmpty(r.OutDir) || string.IsNullOrEmpty(r.ConfigJson))
            throw new InvalidDataException("worker request: expected {\"out\": DIR, \"experiment\": ID, \"config\": JSON}");
        return r;
    }

    public TrainConfig Config() => TrainConfig.FromConfigFile(ConfigJson, "worker request");
}

/// <summary>A worker's answer to one request: the run directory, and the one-line error when it was not written.</summary>
public sealed record WorkerReply(
    [property: JsonPropertyName("out")] string OutDir,
    [property: JsonPropertyName("error")] string? Error)
{
    /// <summary>Marks a reply among anything else a worker might print on stdout.</summary>
    public const string Prefix = "@done ";

    public string ToLine() => Prefix + JsonSerializer.Serialize(this);

    public static WorkerReply? TryParse(string line)
    {
        if (!line.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        try { return JsonSerializer.Deserialize<WorkerReply>(line[Prefix.Length..]); }
        catch (JsonException) { return null; }
    }
}
