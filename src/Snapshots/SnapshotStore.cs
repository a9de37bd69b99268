using MnistClaims.Common;
using System.Text;
using MnistClaims.Storage.Parquet;

namespace MnistClaims.Snapshots;

public enum VerifyStatus
{
    /// <summary>Received matches verified within tolerance; nothing written.</summary>
    Matched,
    /// <summary>Mismatch or missing baseline was auto-accepted (MNIST_CLAIMS_ACCEPT=new/all).</summary>
    Accepted,
    /// <summary>Received differs from verified beyond tolerance; received files written.</summary>
    Mismatch,
    /// <summary>No verified snapshot exists; received files written.</summary>
    MissingBaseline,
}

public sealed class VerifyResult
{
    internal VerifyResult(VerifyStatus status, string message, SnapshotPaths paths, ComparisonResult? comparison)
    {
        Status = status;
        Message = message;
        Paths = paths;
        Comparison = comparison;
    }

    public VerifyStatus Status { get; }
    public bool Passed => Status is VerifyStatus.Matched or VerifyStatus.Accepted;
    public string Message { get; }
    public SnapshotPaths Paths { get; }
    public ComparisonResult? Comparison { get; }

    /// <summary>Throws <see cref="SnapshotMismatchException"/> with <see cref="Message"/> unless <see cref="Passed"/>.</summary>
    public void ThrowIfFailed()
    {
        if (!Passed) throw new SnapshotMismatchException(this);
    }

    public override string ToString() => $"{Status}: {Message}";

    /// <summary>
    /// A received table checked against ANOTHER profile's verified snapshot (this profile has none) that differs
    /// beyond the cross-profile tolerances; <paramref name="own"/> is where the received files were written.
    /// </summary>
    public static VerifyResult CrossProfileMismatch(SnapshotPaths own, SnapshotPaths theirs, string experimentId, string profile, string nearest, ComparisonResult comparison)
    {
        var sb = new StringBuilder();
        sb.Append($"Snapshot {experimentId}/{own.Name}: profile {profile} has no baseline of its own; compared with profile {nearest} ")
          .Append($"({theirs.VerifiedParquet}) under cross-hardware tolerances: {comparison.Mismatches.Count} mismatch(es).\n\n");
        sb.Append(comparison.Render());
        sb.Append($"\nReceived written to:\n  {own.ReceivedParquet}\n  {own.ReceivedText}\n");
        sb.Append($"Compare: diff {theirs.VerifiedText} {own.ReceivedText}\n");
        sb.Append("\nIf this machine's results are right, pin them as its own baseline:\n");
        sb.Append($"  {SnapshotStore.AcceptCommand(experimentId, profile)}\n  (or: {SnapshotStore.MakeAcceptCommand(experimentId, profile)})\n");
        return new VerifyResult(VerifyStatus.Mismatch, sb.ToString(), own, comparison);
    }
}

public sealed class SnapshotMismatchException : Exception
{
    public SnapshotMismatchException(VerifyResult result) : base(result.Message) => Result = result;
    public VerifyResult Result { get; }
}

/// <summary>Where a snapshot lives: baselines/&lt;profile&gt;/&lt;experiment-id&gt;/&lt;name&gt;.{verified,received}.{parquet,txt}.</summary>
public sealed record SnapshotPaths(string Directory, string Name)
{
    public string VerifiedParquet => Path.Combine(Directory, Name + ".verified.parquet");
    public string VerifiedText => Path.Combine(Directory, Name + ".verified.txt");
    public string ReceivedParquet => Path.Combine(Directory, Name + ".received.parquet");
    public string ReceivedText => Path.Combine(Directory, Name + ".received.txt");

    public static SnapshotPaths For(string baselinesRoot, string profile, string experimentId, string name)
    {
        SnapshotStore.ValidateSegment(profile, nameof(profile));
        SnapshotStore.ValidateSegment(experimentId, nameof(experimentId));
        SnapshotStore.ValidateSegment(name, nameof(name));
        return new SnapshotPaths(Path.Combine(baselinesRoot, profile, experimentId), name);
    }
}

public sealed record AcceptedSnapshot(string Profile, string ExperimentId, string Name, string VerifiedParquet, bool HadPreviousVerified);

public sealed class AcceptResult
{
    internal AcceptResult(IReadOnlyList<AcceptedSnapshot> accepted, string message)
    {
        Accepted = accepted;
        Message = message;
    }

    public IReadOnlyList<AcceptedSnapshot> Accepted { get; }
    public string Message { get; }
    public override string ToString() => Message;
}

/// <summary>
/// Verify-style snapshot store for tables. Convention: baselines/&lt;profile&gt;/&lt;experiment-id&gt;/&lt;name&gt;.verified.parquet
/// (+ .verified.txt rendering). Received files are written next to it on mismatch and removed on match.
/// A verified file is never rewritten when the received table is within tolerance.
/// </summary>
public static class SnapshotStore
{
    public static readonly ParquetWriteOptions BaselineWriteOptions = new() { Codec = ParquetCodec.Gzip };

    public static string AcceptCommand(string experimentId, string profile) =>
        $"dotnet run --project src/Harness -- accept {experimentId} --profile {profile}";

    public static string MakeAcceptCommand(string experimentId, string profile) =>
        $"make accept ID={experimentId} PROFILE={profile}";

    /// <summary>Verifies with the accept mode from the environment (MNIST_CLAIMS_ACCEPT, forced to none when CI is set).</summary>
    public static VerifyResult Verify(string baselinesRoot, string profile, string experimentId, string name, Table received, ToleranceSet tol) =>
        Verify(baselinesRoot, profile, experimentId, name, received, tol, AcceptModes.FromEnvironment());

    public static VerifyResult Verify(string baselinesRoot, string profile, string experimentId, string name, Table received, ToleranceSet tol, AcceptMode mode)
    {
        ArgumentException.ThrowIfNullOrEmpty(baselinesRoot);
        ArgumentNullException.ThrowIfNull(received);
        ArgumentNullException.ThrowIfNull(tol);
        var paths = SnapshotPaths.For(baselinesRoot, profile, experimentId, name);
        string label = $"{experimentId}/{name} (profile {profile})";

        if (!File.Exists(paths.VerifiedParquet))
        {
            if (mode is AcceptMode.New or AcceptMode.All)
            {
                WriteVerified(paths, received);
                DeleteReceived(paths);
                return new VerifyResult(VerifyStatus.Accepted,
                    $"Accepted NEW baseline {label} ({AcceptModes.EnvironmentVariable}={mode.ToString().ToLowerInvariant()}): {paths.VerifiedParquet}. Review and commit it.",
                    paths, null);
            }
            WriteReceived(paths, received);
            var sb = new StringBuilder();
            sb.Append($"Snapshot {label} has no verified baseline: {paths.VerifiedParquet} does not exist.\n");
            sb.Append($"Received ({received.RowCount} rows, columns {string.Join(", ", received.Columns.Select(c => c.Name))}) written to:\n");
            sb.Append($"  {paths.ReceivedParquet}\n  {paths.ReceivedText}\n");
            AppendAcceptHelp(sb, experimentId, profile, creating: true);
            return new VerifyResult(VerifyStatus.MissingBaseline, sb.ToString(), paths,
                new ComparisonResult(name, new[] { new Mismatch(MismatchKind.MissingBaseline, name, "(table)", "", "(missing)", $"{received.RowCount} rows", null, null, ChangeVerdict.Changed) }));
        }

        Table verified;
        try
        {
            verified = ParquetFile.Read(paths.VerifiedParquet);
        }
        catch (ParquetFormatException ex)
        {
            WriteReceived(paths, received);
            var sb = new StringBuilder($"Snapshot {label}: verified file is unreadable: {ex.Message}\nReceived written to {paths.ReceivedParquet}\n");
            AppendAcceptHelp(sb, experimentId, profile, creating: false);
            return new VerifyResult(VerifyStatus.Mismatch, sb.ToString(), paths, null);
        }

        // The text rendering is what reviewers read: it must say what the Parquet holds.
        string? text = File.Exists(paths.VerifiedText) ? File.ReadAllText(paths.VerifiedText) : null;
        if (text != TableText.Render(verified))
        {
            WriteReceived(paths, received);
            var sb = new StringBuilder($"Snapshot {label}: {paths.VerifiedText} {(text is null ? "is missing" : "does not match its Parquet file (hand-edited or stale)")}; " +
                $"expected the rendering of {paths.VerifiedParquet}.\nReceived written to {paths.ReceivedParquet}\n");
            AppendAcceptHelp(sb, experimentId, profile, creating: false);
            return new VerifyResult(VerifyStatus.Mismatch, sb.ToString(), paths,
                new ComparisonResult(name, new[] { new Mismatch(MismatchKind.MissingBaseline, name, "(text)", "", text is null ? "(missing)" : "(differs)", "(rendering of the verified Parquet)", null, null, ChangeVerdict.Changed) }));
        }

        var comparison = SnapshotComparer.Compare(verified, received, tol, name);
        if (comparison.IsMatch)
        {
            DeleteReceived(paths); // stale from an earlier failing run
            return new VerifyResult(VerifyStatus.Matched, $"Snapshot {label} matches {paths.VerifiedParquet}.", paths, comparison);
        }

        if (mode == AcceptMode.All)
        {
            WriteVerified(paths, received);
            DeleteReceived(paths);
            return new VerifyResult(VerifyStatus.Accepted,
                $"Accepted CHANGED baseline {label} ({AcceptModes.EnvironmentVariable}=all), {comparison.Mismatches.Count} difference(s):\n{comparison.Render()}",
                paths, comparison);
        }

        WriteReceived(paths, received);
        var msg = new StringBuilder();
        msg.Append($"Snapshot {label} differs from {paths.VerifiedParquet}: {comparison.Mismatches.Count} mismatch(es).\n\n");
        msg.Append(comparison.Render());
        msg.Append($"\nReceived written to:\n  {paths.ReceivedParquet}\n  {paths.ReceivedText}\n");
        msg.Append($"Compare: diff {paths.VerifiedText} {paths.ReceivedText}\n");
        AppendAcceptHelp(msg, experimentId, profile, creating: false);
        return new VerifyResult(VerifyStatus.Mismatch, msg.ToString(), paths, comparison);
    }

    /// <summary>Where the time of the last verification run of a profile is kept (not committed; see .gitignore).</summary>
    public static string VerificationStampFile(string baselinesRoot, string profile) => Path.Combine(baselinesRoot, profile, ".last-verification");

    /// <summary>Records that a verification run of <paramref name="profile"/> starts now: received files older than this are stale.</summary>
    public static DateTime MarkVerificationRun(string baselinesRoot, string profile)
    {
        ValidateSegment(profile, nameof(profile));
        var now = DateTime.UtcNow;
        AtomicFile.WriteAllText(VerificationStampFile(baselinesRoot, profile), now.ToString("O", System.Globalization.CultureInfo.InvariantCulture) + "\n");
        return now;
    }

    /// <summary>The start of the last verification run of <paramref name="profile"/>, or null when none was recorded.</summary>
    public static DateTime? LastVerificationRun(string baselinesRoot, string profile)
    {
        var f = VerificationStampFile(baselinesRoot, profile);
        if (!File.Exists(f)) return null;
        var text = File.ReadAllText(f).Trim();
        return DateTime.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var t)
            ? t.ToUniversalTime()
            : throw new InvalidDataException($"{f}: expected an ISO 8601 time (the last verification run), got '{text}'");
    }

    /// <summary>
    /// Accepts every *.received.parquet of one experiment, or of all experiments of the profile when
    /// <paramref name="experimentIdOrNull"/> is null. All or nothing per experiment: every received file is read and
    /// checked first (a damaged one, or one older than the last verification run of the profile, is an error naming it
    /// and nothing of that experiment changes). The verified text is rendered from the Parquet now; a received
    /// <c>.txt</c> is never copied (a hand edit cannot become a baseline).
    /// </summary>
    public static AcceptResult Accept(string baselinesRoot, string profile, string? experimentIdOrNull)
    {
        ArgumentException.ThrowIfNullOrEmpty(baselinesRoot);
        ValidateSegment(profile, nameof(profile));
        var profileDir = Path.Combine(baselinesRoot, profile);
        IEnumerable<string> expDirs;
        if (experimentIdOrNull != null)
        {
            ValidateSegment(experimentIdOrNull, nameof(experimentIdOrNull));
            expDirs = new[] { Path.Combine(profileDir, experimentIdOrNull) };
        }
        else expDirs = Directory.Exists(profileDir) ? Directory.GetDirectories(profileDir).OrderBy(d => d, StringComparer.Ordinal) : Array.Empty<string>();
        var stamp = LastVerificationRun(baselinesRoot, profile);

        var accepted = new List<AcceptedSnapshot>();
        foreach (var dir in expDirs)
        {
            if (!Directory.Exists(dir)) continue;
            var exp = Path.GetFileName(dir);
            // 1. Check everything before changing anything.
            var pending = new List<(SnapshotPaths Paths, Table Table)>();
            foreach (var rec in Directory.GetFiles(dir, "*.received.parquet").OrderBy(f => f, StringComparer.Ordinal))
            {
                var name = Path.GetFileName(rec)[..^".received.parquet".Length];
                if (stamp is { } t && File.GetLastWriteTimeUtc(rec) < t)
                    throw new InvalidDataException($"{rec}: older than the last verification run of profile {profile} ({t:O}), so stale; rerun `harness snapshot` (or the tests) and review the new received files");
                pending.Add((new SnapshotPaths(dir, name), ParquetFile.Read(rec)));
            }
            // 2. Then accept them all.
            foreach (var (paths, table) in pending)
            {
                bool had = File.Exists(paths.VerifiedParquet);
                File.Move(paths.ReceivedParquet, paths.VerifiedParquet, overwrite: true);
                AtomicFile.WriteAllText(paths.VerifiedText, TableText.Render(table));
                File.Delete(paths.ReceivedText);
                accepted.Add(new AcceptedSnapshot(profile, exp, paths.Name, paths.VerifiedParquet, had));
            }
        }
        string scope = experimentIdOrNull == null ? $"profile {profile}" : $"{experimentIdOrNull} (profile {profile})";
        var msg = new StringBuilder();
        if (accepted.Count == 0) msg.Append($"Nothing to accept for {scope}: no *.received.parquet files under {profileDir}.\n");
        else
        {
            msg.Append($"Accepted {accepted.Count} snapshot(s) for {scope}:\n");
            foreach (var a in accepted)
                msg.Append($"  {a.ExperimentId}/{a.Name}: {(a.HadPreviousVerified ? "updated" : "new")} -> {a.VerifiedParquet}\n");
        }
        return new AcceptResult(accepted, msg.ToString());
    }

    internal static void ValidateSegment(string value, string param)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, param);
        if (value is "." or ".." || value.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || value.Contains('/') || value.Contains('\\'))
            throw new ArgumentException($"'{value}' is not a valid {param} (must be a single path segment)", param);
    }

    private static void AppendAcceptHelp(StringBuilder sb, string experimentId, string profile, bool creating)
    {
        sb.Append(creating ? "\nTo create the baseline from this run, review the received file and run:\n" : "\nIf the change is intended, accept it with:\n");
        sb.Append($"  {AcceptCommand(experimentId, profile)}\n");
        sb.Append($"  (or: {MakeAcceptCommand(experimentId, profile)})\n");
        sb.Append($"Or re-run with {AcceptModes.EnvironmentVariable}={(creating ? "new" : "all")} (ignored when CI is set).\n");
    }

    /// <summary>Removes what writers killed in this snapshot directory left (hidden <c>.tmp-</c> files of dead processes).</summary>
    private static void CleanStale(SnapshotPaths paths)
    {
        foreach (var stale in AtomicFile.StaleTemps(paths.Directory).ToList()) AtomicFile.TryDelete(stale);
    }

    private static void WriteVerified(SnapshotPaths paths, Table table)
    {
        CleanStale(paths);
        ParquetFile.Write(paths.VerifiedParquet, table, BaselineWriteOptions);
        AtomicFile.WriteAllText(paths.VerifiedText, TableText.Render(table));
    }

    /// <summary>Writes <paramref name="table"/> as the received snapshot at <paramref name="paths"/> (to be reviewed and accepted).</summary>
    public static void WriteReceived(SnapshotPaths paths, Table table)
    {
        CleanStale(paths);
        ParquetFile.Write(paths.ReceivedParquet, table, BaselineWriteOptions);
        AtomicFile.WriteAllText(paths.ReceivedText, TableText.Render(table));
    }

    private static void DeleteReceived(SnapshotPaths paths)
    {
        File.Delete(paths.ReceivedParquet);
        File.Delete(paths.ReceivedText);
    }
}
