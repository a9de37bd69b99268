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
    internal AcceptResult(IReadOnlyList<AcceptedSnapshot> accepted, string message, IReadOnlyList<string>? recovered = null)
    {
        Accepted = accepted;
        Message = message;
        Recovered = recovered ?? [];
    }

    public IReadOnlyList<AcceptedSnapshot> Accepted { get; }
    /// <summary>Accepts a crash had interrupted, finished or undone before this one (one line each).</summary>
    public IReadOnlyList<string> Recovered { get; }
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
        BeginVerification(baselinesRoot, profile);
        using var _ = LockExperiment(baselinesRoot, profile, experimentId, mayFail: true);
        var recovered = AtomicDirectory.Recover(Path.Combine(baselinesRoot, profile), experimentId);
        var result = VerifyLocked(paths, experimentId, name, profile, received, tol, mode);
        return recovered.Count == 0 ? result
            : new VerifyResult(result.Status, string.Join("\n", recovered.Select(r => "recovered: " + r)) + "\n" + result.Message, result.Paths, result.Comparison);
    }

    static VerifyResult VerifyLocked(SnapshotPaths paths, string experimentId, string name, string profile, Table received, ToleranceSet tol, AcceptMode mode)
    {
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
            WriteReceivedLocked(paths, received);
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
            WriteReceivedLocked(paths, received);
            var sb = new StringBuilder($"Snapshot {label}: verified file is unreadable: {ex.Message}\nReceived written to {paths.ReceivedParquet}\n");
            AppendAcceptHelp(sb, experimentId, profile, creating: false);
            return new VerifyResult(VerifyStatus.Mismatch, sb.ToString(), paths, null);
        }

        // The text rendering is what reviewers read: it must say what the Parquet holds.
        string? text = File.Exists(paths.VerifiedText) ? File.ReadAllText(paths.VerifiedText) : null;
        if (text != TableText.Render(verified))
        {
            WriteReceivedLocked(paths, received);
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

        WriteReceivedLocked(paths, received);
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
        var file = VerificationStampFile(baselinesRoot, profile);
        AtomicFile.WriteAllText(file, now.ToString("O", System.Globalization.CultureInfo.InvariantCulture) + "\n");
        Begun[Path.GetFullPath(file)] = now;
        return now;
    }

    static readonly System.Collections.Concurrent.ConcurrentDictionary<string, DateTime> Begun = new(StringComparer.Ordinal);

    /// <summary>
    /// Marks the start of this process's verification run of <paramref name="profile"/> once (the first call in a process
    /// marks, later ones do nothing), so every writer of received files (the <c>snapshot</c> command, the regression tests,
    /// anything that verifies) records the stamp before it writes, and <see cref="Accept"/> refuses what an earlier run left.
    /// </summary>
    public static DateTime BeginVerification(string baselinesRoot, string profile)
    {
        var file = Path.GetFullPath(VerificationStampFile(baselinesRoot, profile));
        if (Begun.TryGetValue(file, out var t)) return t;
        lock (Begun)
        {
            if (Begun.TryGetValue(file, out t)) return t;
            try { return MarkVerificationRun(baselinesRoot, profile); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A read-only checkout: nothing can be written there, received files included, so nothing can go stale.
                return Begun[file] = DateTime.UtcNow;
            }
        }
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
    /// <paramref name="experimentIdOrNull"/> is null. All or nothing per experiment, and crash-proof: every received file is
    /// read and checked first (a damaged one, or one older than the last verification run of the profile, is an error naming
    /// it and nothing of that experiment changes); then the experiment's new directory is staged beside it and swapped in
    /// by renames (<see cref="AtomicDirectory"/>), so a kill or an I/O error at any step leaves its baselines fully old or fully
    /// new. An accept interrupted by a crash is finished or undone first, and reported. The verified text is rendered from the
    /// Parquet now; a received <c>.txt</c> is never copied (a hand edit cannot become a baseline). Each experiment is locked
    /// while it is accepted (a second accept, or a verification writing received files, waits for it).
    /// </summary>
    public static AcceptResult Accept(string baselinesRoot, string profile, string? experimentIdOrNull)
    {
        ArgumentException.ThrowIfNullOrEmpty(baselinesRoot);
        ValidateSegment(profile, nameof(profile));
        var profileDir = Path.Combine(baselinesRoot, profile);
        IEnumerable<string> exps;
        if (experimentIdOrNull != null)
        {
            ValidateSegment(experimentIdOrNull, nameof(experimentIdOrNull));
            exps = new[] { experimentIdOrNull };
        }
        else exps = ExperimentNames(profileDir);
        var stamp = LastVerificationRun(baselinesRoot, profile);

        var accepted = new List<AcceptedSnapshot>();
        var recovered = new List<string>();
        foreach (var exp in exps)
        {
            if (!Directory.Exists(profileDir)) break;
            var dir = Path.Combine(profileDir, exp);
            using var _ = LockExperiment(baselinesRoot, profile, exp, mayFail: false);
            recovered.AddRange(AtomicDirectory.Recover(profileDir, exp));
            if (!Directory.Exists(dir)) continue;
            // 1. Check everything before changing anything.
            var pending = new List<(SnapshotPaths Paths, Table Table)>();
            foreach (var rec in Directory.GetFiles(dir, "*.received.parquet").OrderBy(f => f, StringComparer.Ordinal))
            {
                var name = Path.GetFileName(rec)[..^".received.parquet".Length];
                if (stamp is { } t && File.GetLastWriteTimeUtc(rec) < t)
                    throw new InvalidDataException($"{rec}: older than the last verification run of profile {profile} ({t:O}), so stale; rerun `harness snapshot` (or the tests) and review the new received files");
                pending.Add((new SnapshotPaths(dir, name), ParquetFile.Read(rec)));
            }
            if (pending.Count == 0) continue;
            var had = pending.ToDictionary(p => p.Paths.Name, p => File.Exists(p.Paths.VerifiedParquet));
            // 2. Stage the experiment's new directory and swap it in.
            var replaced = pending.SelectMany(p => new[] { p.Paths.ReceivedParquet, p.Paths.ReceivedText, p.Paths.VerifiedParquet, p.Paths.VerifiedText })
                .Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);
            AtomicDirectory.Replace(dir, staging =>
            {
                foreach (var entry in Directory.EnumerateFileSystemEntries(dir).Order(StringComparer.Ordinal))
                {
                    var file = Path.GetFileName(entry);
                    if (file.StartsWith('.') || replaced.Contains(file)) continue;   // hidden: temp files of dead writers
                    CopyDurable(entry, Path.Combine(staging, file));
                }
                foreach (var (paths, table) in pending)
                {
                    CopyDurable(paths.ReceivedParquet, Path.Combine(staging, Path.GetFileName(paths.VerifiedParquet)));
                    AtomicFile.WriteAllText(Path.Combine(staging, Path.GetFileName(paths.VerifiedText)), TableText.Render(table));
                    FaultInjection.At("accept-staging");
                }
            });
            accepted.AddRange(pending.Select(p => new AcceptedSnapshot(profile, exp, p.Paths.Name, p.Paths.VerifiedParquet, had[p.Paths.Name])));
        }
        string scope = experimentIdOrNull == null ? $"profile {profile}" : $"{experimentIdOrNull} (profile {profile})";
        var msg = new StringBuilder();
        foreach (var r in recovered) msg.Append($"recovered: {r}\n");
        if (accepted.Count == 0) msg.Append($"Nothing to accept for {scope}: no *.received.parquet files under {profileDir}.\n");
        else
        {
            msg.Append($"Accepted {accepted.Count} snapshot(s) for {scope}:\n");
            foreach (var a in accepted)
                msg.Append($"  {a.ExperimentId}/{a.Name}: {(a.HadPreviousVerified ? "updated" : "new")} -> {a.VerifiedParquet}\n");
        }
        return new AcceptResult(accepted, msg.ToString(), recovered);
    }

    /// <summary>
    /// Finishes or undoes every accept of <paramref name="profile"/> that a crash interrupted (each experiment under its lock);
    /// one line per experiment recovered. <c>snapshot</c> runs it before verifying; <see cref="Accept"/> and <see cref="Verify"/>
    /// do it for the experiments they touch.
    /// </summary>
    public static IReadOnlyList<string> Recover(string baselinesRoot, string profile)
    {
        ValidateSegment(profile, nameof(profile));
        var profileDir = Path.Combine(baselinesRoot, profile);
        var notes = new List<string>();
        foreach (var exp in ExperimentNames(profileDir))
        {
            using var _ = LockExperiment(baselinesRoot, profile, exp, mayFail: true);
            notes.AddRange(AtomicDirectory.Recover(profileDir, exp));
        }
        return notes;
    }

    /// <summary>The experiments of a profile directory: its visible subdirectories, and the names of replacements a crash left.</summary>
    static IEnumerable<string> ExperimentNames(string profileDir)
    {
        if (!Directory.Exists(profileDir)) return [];
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var d in Directory.GetDirectories(profileDir))
        {
            var n = Path.GetFileName(d);
            if (!n.StartsWith('.')) names.Add(n);
            else foreach (var marker in new[] { ".tmp-", ".old-" })
                if (n.LastIndexOf(marker, StringComparison.Ordinal) is var at and > 1) { names.Add(n[1..at]); break; }
        }
        return names;
    }

    /// <summary>How long an accept or a verification waits for another process working on the same experiment's baselines.</summary>
    public static TimeSpan LockWait { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The lock of one experiment's baselines, <c>&lt;profile&gt;/.&lt;experiment&gt;.lock</c>: held by accept and by every write of
    /// received or verified files. Waits <see cref="LockWait"/> for another holder, then fails naming it. With
    /// <paramref name="mayFail"/>, a location where no lock file can be created (a read-only checkout, where nothing can be
    /// written either) gives no lock rather than an error.
    /// </summary>
    static IDisposable? LockExperiment(string baselinesRoot, string profile, string experimentId, bool mayFail)
    {
        var profileDir = Path.Combine(baselinesRoot, profile);
        var lockFile = Path.Combine(profileDir, $".{experimentId}.lock");
        FileLock? l;
        try
        {
            Directory.CreateDirectory(profileDir);
            l = FileLock.Acquire(lockFile, LockWait);
        }
        catch (Exception e) when (mayFail && e is IOException or UnauthorizedAccessException) { return null; }
        catch (UnauthorizedAccessException e) { throw new IOException($"{profileDir}: not writable ({e.Message})", e); }
        return l ?? throw new IOException($"{Path.Combine(profileDir, experimentId)}: another process is accepting or verifying these baselines ({FileLock.Holder(lockFile)}); waited {LockWait.TotalSeconds:F0} s");
    }

    /// <summary>Copies a file (flushed to disk) or a directory tree.</summary>
    static void CopyDurable(string from, string to)
    {
        if (Directory.Exists(from))
        {
            Directory.CreateDirectory(to);
            foreach (var e in Directory.EnumerateFileSystemEntries(from)) CopyDurable(e, Path.Combine(to, Path.GetFileName(e)));
            return;
        }
        using var src = new FileStream(from, FileMode.Open, FileAccess.Read, FileShare.Read);
        using var dst = new FileStream(to, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        src.CopyTo(dst);
        dst.Flush(flushToDisk: true);
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

    /// <summary>
    /// Writes <paramref name="table"/> as the received snapshot at <paramref name="paths"/> (to be reviewed and accepted),
    /// under the experiment's lock, after marking this process's verification run of the profile (see <see cref="BeginVerification"/>).
    /// </summary>
    public static void WriteReceived(SnapshotPaths paths, Table table)
    {
        var expDir = Path.TrimEndingDirectorySeparator(Path.GetFullPath(paths.Directory));
        var profileDir = Path.GetDirectoryName(expDir)!;
        var root = Path.GetDirectoryName(profileDir)!;
        BeginVerification(root, Path.GetFileName(profileDir));
        using var _ = LockExperiment(root, Path.GetFileName(profileDir), Path.GetFileName(expDir), mayFail: true);
        AtomicDirectory.Recover(profileDir, Path.GetFileName(expDir));
        WriteReceivedLocked(paths, table);
    }

    static void WriteReceivedLocked(SnapshotPaths paths, Table table)
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
