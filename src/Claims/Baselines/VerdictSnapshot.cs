using System.Text;
using System.Text.Json;
using MnistClaims.Claims;
using MnistClaims.Common;
using MnistClaims.Snapshots;

namespace MnistClaims.Claims.Baselines;

/// <summary>
/// Verdicts are snapshots too: <c>baselines/&lt;profile&gt;/verdicts-&lt;tier&gt;.verified.json</c> maps claim id to
/// verdict. A claim whose verdict flips (a library upgrade makes "REPRODUCED" turn into "NOT REPRODUCED")
/// fails its test, writes <c>.received.json</c>, and says how to accept. Profile-independent claims (exact
/// facts, document consistency) use the profile name <c>any</c>.
/// </summary>
public sealed class VerdictSnapshot(string path)
{
    public string VerifiedPath { get; } = path;
    public string ReceivedPath => VerifiedPath.Replace(".verified.json", ".received.json");

    public static VerdictSnapshot For(string baselinesRoot, string profile, string tier) =>
        new(Path.Combine(baselinesRoot, profile, $"verdicts-{tier}.verified.json"));

    string ProfileDir => Path.GetDirectoryName(Path.GetFullPath(VerifiedPath))!;
    string Root => Path.GetDirectoryName(ProfileDir)!;
    string Profile => Path.GetFileName(ProfileDir);

    public IReadOnlyDictionary<string, string> Verified() => File.Exists(VerifiedPath)
        ? ReadMap(VerifiedPath) ?? new SortedDictionary<string, string>()
        : new SortedDictionary<string, string>();

    /// <summary>Checks one verdict; on a change or a missing entry records it as received. Returns null when it matches.</summary>
    public string? Check(VerdictRow row)
    {
        // A verification run: received verdicts from an earlier run are stale from now on (accept refuses them).
        var started = SnapshotStore.BeginVerification(Root, Profile);
        var verified = Verified();
        var mode = AcceptModes.FromEnvironment();
        verified.TryGetValue(row.Id, out var expected);
        if (expected == row.Verdict) return null;
        if (mode == AcceptMode.All || (mode == AcceptMode.New && expected is null))
        {
            Update(VerifiedPath, row);
            return null;
        }
        Update(ReceivedPath, row, freshSince: started);
        var sb = new StringBuilder();
        sb.AppendLine(expected is null
            ? $"claim {row.Id}: no verified verdict yet (received {row.Verdict})."
            : $"claim {row.Id}: verdict changed from {expected} to {row.Verdict}.");
        sb.AppendLine($"  measured: {row.Measured}");
        sb.AppendLine($"  evidence: {row.Evidence}");
        sb.AppendLine($"  received verdicts are in {ReceivedPath}; if the change is intended, accept with:");
        sb.AppendLine($"    dotnet run --project src/Harness -- accept --verdicts {Path.GetFileName(Path.GetDirectoryName(VerifiedPath))}");
        return sb.ToString();
    }

    static readonly object Gate = new();

    /// <summary>A verdict file: a JSON object of claim id to verdict; anything else is an error naming the file.</summary>
    static SortedDictionary<string, string>? ReadMap(string path)
    {
        try { return JsonSerializer.Deserialize<SortedDictionary<string, string>>(File.ReadAllText(path)); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not a verdict file (expected a JSON object of claim id to verdict: {e.Message})", e); }
    }

    /// <summary>Sets one verdict in the file at <paramref name="path"/>; entries written before <paramref name="freshSince"/> (an earlier run's) are dropped.</summary>
    static void Update(string path, VerdictRow row, DateTime? freshSince = null)
    {
        lock (Gate)
        {
            var map = File.Exists(path) && !(freshSince is { } t && File.GetLastWriteTimeUtc(path) < t)
                ? ReadMap(path) ?? new SortedDictionary<string, string>()
                : new SortedDictionary<string, string>();
            map[row.Id] = row.Verdict;
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            AtomicFile.WriteAllText(path, JsonSerializer.Serialize(map, new JsonSerializerOptions { WriteIndented = true }) + "\n");
        }
    }

    /// <summary>Merges received verdicts into the verified file; returns how many were accepted.</summary>
    public int Accept()
    {
        if (!File.Exists(ReceivedPath)) return 0;
        if (SnapshotStore.LastVerificationRun(Root, Profile) is { } t && File.GetLastWriteTimeUtc(ReceivedPath) < t)
            throw new InvalidDataException($"{ReceivedPath}: older than the last verification run of profile {Profile} ({t:O}), so stale; rerun the tests and review the new received verdicts");
        var received = ReadMap(ReceivedPath) ?? [];
        var verified = new SortedDictionary<string, string>(Verified().ToDictionary());
        foreach (var (k, v) in received) verified[k] = v;
        AtomicFile.WriteAllText(VerifiedPath, JsonSerializer.Serialize(verified, new JsonSerializerOptions { WriteIndented = true }) + "\n");
        File.Delete(ReceivedPath);
        return received.Count;
    }
}
