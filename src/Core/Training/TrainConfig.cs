using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using MnistClaims.Data;
using MnistClaims.Models;

namespace MnistClaims.Core.Training;

/// <summary>
/// Everything that determines a training run except where it is written. Serialises to canonical
/// JSON (sorted keys, invariant numbers); <see cref="Hash"/> identifies the experiment independently
/// of the seed, so results can be cached per (config hash, seed, hardware profile).
/// </summary>
public sealed record TrainConfig
{
    public string Arch { get; init; } = "784-128-10";
    public string Activation { get; init; } = "relu";
    /// <summary>"none" or "log_softmax".</summary>
    public string Head { get; init; } = "none";
    public double Dropout { get; init; }
    /// <summary>"cross-entropy", "nll", "mse" or "l1".</summary>
    public string Loss { get; init; } = "cross-entropy";
    /// <summary>"index" (class indices) or "onehot" (float one-hot vectors; always used by mse and l1).</summary>
    public string Targets { get; init; } = "index";
    /// <summary>"adam" or "sgd".</summary>
    public string Optimizer { get; init; } = "adam";
    public double Lr { get; init; } = 1e-3;
    public double Momentum { get; init; }
    public double Dampening { get; init; }
    public bool Nesterov { get; init; }
    public double WeightDecay { get; init; }
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
    public double Eps { get; init; } = 1e-8;
    public int BatchSize { get; init; } = 64;
    public int Epochs { get; init; } = 10;
    public long Seed { get; init; } = 1;
    /// <summary>Fraction of the 60k training images held out for validation (0 = none).</summary>
    public double ValFraction { get; init; }
    /// <summary>
    /// How the validation split is drawn: "seeded" (randperm on the run's data generator, so each seed has its own split)
    /// or "sklearn:S" (scikit-learn's <c>train_test_split(test_size=val_fraction, random_state=S)</c> of the 60k images
    /// in IDX order, numpy's legacy MT19937 permutation: the same split for every seed, as a document that fixed it ran).
    /// </summary>
    public string Split { get; init; } = "seeded";
    /// <summary>"none" (raw 0..255), "scale" (/255, ToTensor), "mnist" (0.1307, 0.3081), "half" (0.5, 0.5).</summary>
    public string Normalize { get; init; } = "scale";
    /// <summary>Keep only the first N training indices after the split (0 = all).</summary>
    public int MaxTrainSamples { get; init; }
    /// <summary>Stop after this many optimizer steps in total, then evaluate (0 = full run). Used for short deterministic slices.</summary>
    public long MaxSteps { get; init; }
    public int EvalBatchSize { get; init; } = 1000;
    /// <summary>The most intra-op threads a configuration may ask for.</summary>
    public const int MaxThreads = 1024;

    /// <summary>Intra-op threads for libtorch (0 = leave libtorch's default). Part of the identity: results differ bitwise across thread counts.</summary>
    public int Threads { get; init; } = 1;
    public string Device { get; init; } = "cpu";
    /// <summary>"auto" (fused where supported, else libtorch), "fused" or "libtorch"; see src/Harness/Engines. Part of the hash.</summary>
    public string Engine { get; init; } = "auto";

    public MlpSpec ModelSpec() => new(
        MlpSpec.ParseSizes(Arch),
        Models.Activations.Parse(Activation),
        Head == "log_softmax" ? OutputHead.LogSoftmax : OutputHead.None,
        Dropout);

    /// <summary>Throws <see cref="ConfigException"/> naming the offending field and what was expected.</summary>
    public void Validate()
    {
        static void Need(bool ok, string field, string expected, object? got)
        {
            if (!ok) throw new ConfigException(field, $"expected {expected}, got {Convert.ToString(got, CultureInfo.InvariantCulture)}");
        }
        try { MlpSpec.ParseSizes(Arch); } catch (ArgumentException e) { throw new ConfigException("arch", e.Message); }
        // The written form is hashed: one model, one spelling (784-128-10, not 784x128,10 or 0784-128-10).
        Need(string.Join("-", MlpSpec.ParseSizes(Arch)) == Arch, "arch", "widths joined by '-' with no spaces, signs or leading zeros, e.g. 784-128-10", Arch);
        Need(MlpSpec.ParseSizes(Arch)[0] == 784, "arch", "an input width of 784 (28x28 MNIST pixels)", Arch);
        Need(MlpSpec.ParseSizes(Arch)[^1] == 10, "arch", "an output width of 10 (MNIST classes)", Arch);
        Need(Models.Activations.TryParse(Activation, out _), "activation", "one of " + string.Join(", ", Models.Activations.CanonicalNames), Activation);
        Need(Head is "none" or "log_softmax", "head", "none or log_softmax", Head);
        Need(Dropout is >= 0 and < 1, "dropout", "a probability in [0, 1)", Dropout);
        Need(Loss is "cross-entropy" or "nll" or "mse" or "l1", "loss", "cross-entropy, nll, mse or l1", Loss);
        Need(Targets is "index" or "onehot", "targets", "index or onehot", Targets);
        Need(!(Loss is "mse" or "l1") || Targets == "onehot", "targets", "onehot for mse and l1 losses", Targets);
        Need(!(Loss == "nll") || Targets == "index", "targets", "index for the nll loss", Targets);
        Need(!(Loss == "nll") || Head == "log_softmax", "head", "log_softmax for the nll loss (NLLLoss needs log-probabilities)", Head);
        Need(Optimizer is "adam" or "sgd", "optimizer", "adam or sgd", Optimizer);
        Need(Lr > 0 && double.IsFinite(Lr), "lr", "a positive learning rate", Lr);
        Need(Momentum is >= 0 and < 1, "momentum", "a value in [0, 1)", Momentum);
        Need(!Nesterov || (Momentum > 0 && Dampening == 0), "nesterov", "momentum > 0 and dampening 0", Nesterov);
        Need(Optimizer == "sgd" || (Momentum == 0 && !Nesterov), "momentum", "0 unless the optimizer is sgd", Momentum);
        Need(WeightDecay >= 0, "weight-decay", "a non-negative value", WeightDecay);
        Need(BatchSize >= 1, "batch-size", "a positive integer", BatchSize);
        Need(Epochs >= 1, "epochs", "a positive integer", Epochs);
        Need(ValFraction is >= 0 and < 1, "val-fraction", "a fraction in [0, 1)", ValFraction);
        Need(Split == "seeded" || SklearnRandomState is not null, "split", "seeded or sklearn:<random_state> (an integer in [0, 2^32))", Split);
        Need(Split == "seeded" || ValFraction > 0, "split", "seeded unless --val-fraction is above 0 (sklearn:S splits off a validation set)", Split);
        Need(Normalizer.TryParse(Normalize, out _), "normalize", "none, scale, mnist or half", Normalize);
        Need(MaxTrainSamples >= 0, "max-train-samples", "a non-negative integer", MaxTrainSamples);
        Need(MaxSteps >= 0, "max-steps", "a non-negative integer", MaxSteps);
        Need(EvalBatchSize >= 1, "eval-batch-size", "a positive integer", EvalBatchSize);
        // libtorch starts that many threads: a typo such as 100000 would hang starting them, not fail.
        Need(Threads is >= 0 and <= MaxThreads, "threads", $"an integer from 0 to {MaxThreads}", Threads);
        Need(Engine is "auto" or "fused" or "libtorch", "engine", "auto, fused or libtorch", Engine);
        Need(Device is "cpu" || Device.StartsWith("cuda", StringComparison.Ordinal), "device", "cpu, cuda or cuda:N", Device);
    }

    [JsonIgnore] public Normalization NormalizationKind => Normalizer.Parse(Normalize);

    /// <summary>The random_state of a "sklearn:S" split, else null.</summary>
    [JsonIgnore] public uint? SklearnRandomState =>
        Split.StartsWith("sklearn:", StringComparison.Ordinal) && uint.TryParse(Split["sklearn:".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : null;

    static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>Canonical JSON: keys sorted, no whitespace, numbers in shortest round-trip form.</summary>
    public string ToCanonicalJson(bool includeSeed = true)
    {
        var node = JsonSerializer.SerializeToNode(this, JsonOptions)!.AsObject();
        if (!includeSeed) node.Remove("seed");
        return Canonical(node).ToJsonString();
    }

    /// <summary>The canonical configuration keys (those of <c>config_json</c> in a manifest).</summary>
    public static IReadOnlyList<string> Keys { get; } = JsonSerializer.SerializeToNode(new TrainConfig(), JsonOptions)!.AsObject().Select(kv => kv.Key).Order(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// This configuration with <c>key=value</c> overrides, keys as in <c>config_json</c> (<c>lr</c>, <c>batch_size</c>,
    /// <c>dropout</c>, <c>normalize</c>, <c>optimizer</c>, ...), each value parsed as its key's type; validated. An unknown key or a
    /// value of the wrong type is a <see cref="ConfigException"/> naming the key.
    /// </summary>
    public TrainConfig With(IEnumerable<(string Key, string Value)> overrides)
    {
        var node = JsonSerializer.SerializeToNode(this, JsonOptions)!.AsObject();
        foreach (var (key, value) in overrides)
        {
            if (!node.TryGetPropertyValue(key, out var current))
                throw new ConfigException(key, $"not a configuration key; expected one of {string.Join(", ", Keys)}");
            JsonNode parsed = current!.GetValueKind() switch
            {
                JsonValueKind.Number => long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) ? JsonValue.Create(l)
                    : double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? JsonValue.Create(d)
                    : throw new ConfigException(key, $"expected a number, got '{value}'"),
                JsonValueKind.True or JsonValueKind.False => bool.TryParse(value, out var b) ? JsonValue.Create(b) : throw new ConfigException(key, $"expected true or false, got '{value}'"),
                _ => JsonValue.Create(value),
            };
            node[key] = parsed;
        }
        TrainConfig cfg;
        try { cfg = JsonSerializer.Deserialize<TrainConfig>(node.ToJsonString(), JsonOptions)!; }
        catch (JsonException e) { throw new ConfigException(overrides.First().Key, $"cannot apply the overrides ({e.Message})"); }
        cfg.Validate();
        return cfg;
    }

    public static TrainConfig FromJson(string json) =>
        JsonSerializer.Deserialize<TrainConfig>(json, JsonOptions) ?? throw new ConfigException("config", "empty JSON");

    static readonly Dictionary<string, Type> KeyTypes = typeof(TrainConfig).GetProperties()
        .Where(p => p.CanWrite && p.GetCustomAttributes(typeof(JsonIgnoreAttribute), true).Length == 0)
        .ToDictionary(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name), p => p.PropertyType, StringComparer.Ordinal);

    /// <summary>
    /// A configuration file (<c>--config</c>), strictly: a JSON object whose keys are configuration keys exactly as in
    /// <c>config_json</c> (case-sensitive), each of its key's type, and the result valid (<see cref="Validate"/>). Every
    /// failure is a <see cref="ConfigException"/> whose one-line message names <paramref name="file"/> and the key.
    /// </summary>
    public static TrainConfig FromConfigFile(string json, string file)
    {
        if (string.IsNullOrWhiteSpace(json)) throw new ConfigException("config", "empty file; expected a JSON object of configuration keys", file);
        JsonNode? root;
        try { root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false }); }
        catch (JsonException e) { throw new ConfigException("config", $"not valid JSON ({e.Message.ReplaceLineEndings(" ")})", file); }
        if (root is not JsonObject obj) throw new ConfigException("config", $"expected a JSON object of configuration keys, got {(root is null ? "null" : root.GetValueKind().ToString().ToLowerInvariant())}", file);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        IEnumerable<KeyValuePair<string, JsonNode?>> props;
        try { props = obj.ToList(); }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException) { throw new ConfigException("config", $"duplicate key ({e.Message.ReplaceLineEndings(" ")})", file); }
        foreach (var (key, value) in props)
        {
            if (!seen.Add(key)) throw new ConfigException(key, "duplicate key", file);
            if (!KeyTypes.TryGetValue(key, out var type))
            {
                var near = Keys.FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase) || string.Equals(k.Replace("_", ""), key.Replace("-", "").Replace("_", ""), StringComparison.OrdinalIgnoreCase));
                throw new ConfigException(key, near is null
                    ? $"unknown key; expected one of {string.Join(", ", Keys)}"
                    : $"unknown key (keys are case-sensitive snake_case: did you mean '{near}'?)", file);
            }
            string expected = type == typeof(string) ? "a string" : type == typeof(bool) ? "true or false" : type == typeof(double) ? "a number" : "an integer";
            string got = value is null ? "null" : value.ToJsonString();
            if (value is null) throw new ConfigException(key, $"expected {expected}, got null", file);
            var kind = value.GetValueKind();
            bool kindOk = type == typeof(string) ? kind == JsonValueKind.String
                : type == typeof(bool) ? kind is JsonValueKind.True or JsonValueKind.False
                : kind == JsonValueKind.Number;
            if (!kindOk) throw new ConfigException(key, $"expected {expected}, got {got}", file);
            try { _ = value.Deserialize(type, JsonOptions); }
            catch (Exception e) when (e is JsonException or FormatException or OverflowException or InvalidOperationException)
            {
                bool integral = value is JsonValue v && v.TryGetValue<double>(out var d) && Math.Floor(d) == d;
                throw new ConfigException(key, $"expected {expected}{(integral ? $" in the range of a {(type == typeof(int) ? "32" : "64")}-bit integer" : "")}, got {got}", file);
            }
        }
        TrainConfig cfg;
        try { cfg = obj.Deserialize<TrainConfig>(JsonOptions)!; }
        catch (JsonException e) { throw new ConfigException("config", $"not a configuration ({e.Message.ReplaceLineEndings(" ")})", file); }
        try { cfg.Validate(); }
        catch (ConfigException e) { throw new ConfigException(e.Field.Replace('-', '_'), e.Detail, file); }
        return cfg;
    }

    /// <summary>SHA-256 (first 16 hex digits) of the canonical JSON without the seed.</summary>
    [JsonIgnore] public string Hash => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ToCanonicalJson(includeSeed: false))))[..16];

    static JsonNode Canonical(JsonNode node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => KeyValuePair.Create(kv.Key, kv.Value is null ? null : Canonical(kv.Value)))),
        JsonArray a => new JsonArray(a.Select(x => x is null ? null : Canonical(x)).ToArray()),
        _ => JsonNode.Parse(node.ToJsonString())!,
    };
}

/// <summary>
/// An invalid configuration value; <see cref="Field"/> is the CLI flag / JSON field name. With a <c>file</c> (a
/// <c>--config</c> file) the message names the file and the key instead of the flag.
/// </summary>
public sealed class ConfigException : Exception
{
    public ConfigException(string field, string message) : base($"--{field}: {message}") { Field = field; Detail = message; }
    public ConfigException(string field, string message, string file)
        : base(field == "config" ? $"{file}: {message}" : $"{file}: key '{field}': {message}") { Field = field; Detail = message; File = file; }

    public string Field { get; }
    /// <summary>What was expected and what was given, without the flag or file.</summary>
    public string Detail { get; }
    /// <summary>The configuration file the value came from, or null for a flag.</summary>
    public string? File { get; }
}
