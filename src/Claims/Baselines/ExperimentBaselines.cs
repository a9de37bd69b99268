using MnistClaims.Core.Runs;
using MnistClaims.Storage.Parquet;
using MnistClaims.Snapshots;

namespace MnistClaims.Claims.Baselines;

/// <summary>Which length of an experiment a baseline holds.</summary>
public enum Tier
{
    /// <summary>A short deterministic slice (the experiment's first FastSteps steps, then one evaluation).</summary>
    Fast,
    /// <summary>The documented length.</summary>
    Full,
}

/// <summary>The outcome of verifying a run: the failures (empty when it passed) and, when it was compared with another
/// profile's baseline because this machine's profile has none, a one-line notice saying so.</summary>
public sealed record BaselineCheck(IReadOnlyList<VerifyResult> Failures, string? Notice)
{
    public bool Passed => Failures.Count == 0;
}

/// <summary>
/// Convention over configuration: the baselines of experiment E on profile P live in
/// <c>baselines/P/E/</c>, the fast slice as <c>fast-&lt;table&gt;.verified.parquet</c> next to the full run's
/// <c>&lt;table&gt;.verified.parquet</c>, each with a <c>.verified.txt</c> rendering for reviewers.
/// Full runs do not snapshot per-step losses (hundreds of thousands of rows); the per-epoch table and
/// the final class/miss tables pin them down.
///
/// A run is verified exactly against its own profile's baseline. When its profile has none (a machine whose
/// kernel choices were not pinned, another BLAS), it is verified against the nearest committed profile of the
/// same engine, device and libtorch version with the <see cref="CrossHardware"/> tolerances, and passes with a
/// notice naming that profile, the largest deviation and the accept command that pins this machine's own
/// baseline; <c>MNIST_CLAIMS_STRICT_PROFILE=1</c> makes a missing own baseline a failure instead.
/// </summary>
public static class ExperimentBaselines
{
    public const string StrictProfileVariable = "MNIST_CLAIMS_STRICT_PROFILE";

    public static bool StrictProfile => Environment.GetEnvironmentVariable(StrictProfileVariable) is "1" or "true" or "yes";

    public static string[] Tables(Tier tier) => tier == Tier.Fast
        ? [RunTables.Steps, RunTables.Epochs, RunTables.Classes, RunTables.Misses]
        : [RunTables.Epochs, RunTables.Classes, RunTables.Misses];

    public static string SnapshotName(Tier tier, string table) => tier == Tier.Fast ? $"fast-{table}" : table;

    static readonly string[] TimingColumns = ["train_seconds", "eval_seconds", "seconds"];

    /// <summary>
    /// Exact equality within a profile: the same kernel choices, libtorch, thread count and seed give the same
    /// bits, so any difference is a real change. Timing columns are not results.
    /// </summary>
    public static ToleranceSet SameProfile { get; } = new ToleranceSet(Tolerance.Exact, TimingColumns);

    /// <summary>
    /// Tolerances for a run checked against ANOTHER profile's baseline (same engine and libtorch, other kernel choices),
    /// per experiment, from <c>baselines/cross-hardware.json</c>. scripts/kernel-drift.sh writes that file from
    /// measurements: every experiment's fast slice trained with the pinned kernels, with OpenBLAS's generic Prescott GEMM,
    /// with ATen's default (non-FMA) kernels and with both, and with seeds 1-5. Measured on a 2-core AMD EPYC (Zen 3):
    /// <list type="bullet">
    /// <item>Stable experiments (20 of 29): the per-step losses drift by 1e-7 to 2e-4 relative over the slice and the
    ///   evaluation counts by at most a few images. Tolerance: 4x the largest drift for losses and per-class scores
    ///   (floor 1e-6), 2x for counts (floor 1); per-class precision/recall/F1 at least count tolerance / 892 (the
    ///   smallest test class), since one image moves them by 1/support.</item>
    /// <item>Chaotic experiments (9: high learning rates, L1, batch 8-256 at lr 0.01): a rounding-level change grows to
    ///   0.1-2 relative in the step loss within 200 steps: the trajectory separates as another seed's would. Their
    ///   tolerances are at least the seed-to-seed range of the same slice (relative loss range, test-count range, the
    ///   batch size per step): across profiles these can only be checked at the level of another seed, and the notice
    ///   says so.</item>
    /// </list>
    /// The list of misclassified images is compared by its length only (count tolerance): one flipped image shifts every
    /// later row.
    /// </summary>
    public sealed record CrossHardwareTolerance(bool Chaotic, double StepLossRtol, int StepCorrectAtol, double EvalLossRtol, int EvalCountAtol, double ClassScoreAtol)
    {
        public ToleranceSet For(string table)
        {
            var t = new ToleranceSet(Tolerance.Exact, TimingColumns).With("loss", Tolerance.Relative(StepLossRtol)).With("correct", Tolerance.Absolute(StepCorrectAtol));
            foreach (var c in new[] { "train_loss", "train_loss_weighted", "train_loss_last", "val_loss", "val_loss_batch_mean", "test_loss", "test_loss_batch_mean" })
                t = t.With(c, Tolerance.Relative(EvalLossRtol));
            foreach (var c in new[] { "train_correct", "val_correct", "test_correct", "predicted", "true_positives" }.Concat(Enumerable.Range(0, 10).Select(p => $"pred_{p}")))
                t = t.With(c, Tolerance.Absolute(EvalCountAtol));
            // accuracies are counts over at least 10,000 images (the test set; validation splits are 9,000 or more)
            foreach (var c in new[] { "train_acc", "val_acc", "test_acc" }) t = t.With(c, Tolerance.Absolute(EvalCountAtol / 9000.0));
            foreach (var c in new[] { "precision", "recall", "f1" }) t = t.With(c, Tolerance.Absolute(ClassScoreAtol));
            return table == RunTables.Misses ? t.Ignore("index", "label", "predicted", "confidence").WithRowCountTolerance(EvalCountAtol) : t;
        }
    }

    public const string CrossHardwareFile = "cross-hardware.json";

    /// <summary>The cross-hardware tolerances of <paramref name="experimentId"/>; an experiment that was never measured is an error naming the fix.</summary>
    public static CrossHardwareTolerance CrossHardware(string baselinesRoot, string experimentId)
    {
        var path = Path.Combine(baselinesRoot, CrossHardwareFile);
        if (!File.Exists(path)) path = Path.Combine(RepoPaths.Baselines, CrossHardwareFile);
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
            if (!doc.RootElement.GetProperty("experiments").TryGetProperty(experimentId, out var e))
                throw new InvalidDataException($"{path}: no cross-hardware tolerances for experiment {experimentId}; measure them with scripts/kernel-drift.sh");
            return new CrossHardwareTolerance(e.GetProperty("chaotic").GetBoolean(), e.GetProperty("step_loss_rtol").GetDouble(), e.GetProperty("step_correct_atol").GetInt32(),
                e.GetProperty("eval_loss_rtol").GetDouble(), e.GetProperty("eval_count_atol").GetInt32(), e.GetProperty("class_score_atol").GetDouble());
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException or FormatException or IOException)
        {
            throw new InvalidDataException($"{path}: not a cross-hardware tolerance file written by scripts/kernel-drift.sh ({ex.Message})", ex);
        }
    }

    /// <summary>Verifies every table of a run (see the class summary for the rule when its profile has no baseline).</summary>
    public static BaselineCheck Check(RunRecord run, string experimentId, Tier tier, string? baselinesRoot = null, string? profile = null)
    {
        baselinesRoot ??= RepoPaths.Baselines;
        profile ??= run.Manifest.Profile;
        if (HasBaseline(baselinesRoot, profile, experimentId, tier) || StrictProfile)
            return new BaselineCheck(VerifyExact(run, experimentId, tier, baselinesRoot, profile), null);
        var nearest = NearestProfile(baselinesRoot, profile, experimentId, tier);
        if (nearest is null) return new BaselineCheck(VerifyExact(run, experimentId, tier, baselinesRoot, profile), null);
        return VerifyAgainst(run, experimentId, tier, baselinesRoot, profile, nearest);
    }

    /// <summary>The failures of <see cref="Check"/> (empty when every table matches).</summary>
    public static IReadOnlyList<VerifyResult> Verify(RunRecord run, string experimentId, Tier tier, string? baselinesRoot = null, string? profile = null) =>
        Check(run, experimentId, tier, baselinesRoot, profile).Failures;

    static IReadOnlyList<VerifyResult> VerifyExact(RunRecord run, string experimentId, Tier tier, string root, string profile)
    {
        var failures = new List<VerifyResult>();
        foreach (var table in Tables(tier))
        {
            var r = SnapshotStore.Verify(root, profile, experimentId, SnapshotName(tier, table), Values(run, table), SameProfile);
            if (!r.Passed) failures.Add(r);
        }
        return failures;
    }

    static Table Values(RunRecord run, string table) => new(run.Table(table).Columns);   // provenance metadata differs run to run; the values must not

    static bool HasBaseline(string root, string profile, string experimentId, Tier tier) =>
        Tables(tier).All(t => File.Exists(SnapshotPaths.For(root, profile, experimentId, SnapshotName(tier, t)).VerifiedParquet));

    /// <summary>
    /// The committed profile closest to <paramref name="profile"/> that has this experiment's baseline: the same
    /// device kind, engine and libtorch version (other kernel choices only), most name parts in common, then by name.
    /// </summary>
    public static string? NearestProfile(string root, string profile, string experimentId, Tier tier)
    {
        if (!Directory.Exists(root)) return null;
        var parts = profile.Split('-');
        string Family(string p) => string.Join('|', p.Split('-').Where(x => x is "cpu" or "cuda" || x.StartsWith("libtorch", StringComparison.Ordinal) || x == "fused")
            .Append(p.EndsWith("-fused", StringComparison.Ordinal) ? "fused" : "libtorch-engine"));
        return Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>()
            .Where(p => p != profile && Family(p) == Family(profile) && HasBaseline(root, p, experimentId, tier))
            .OrderByDescending(p => p.Split('-').Intersect(parts).Count()).ThenBy(p => p, StringComparer.Ordinal)
            .FirstOrDefault();
    }

    static BaselineCheck VerifyAgainst(RunRecord run, string experimentId, Tier tier, string root, string profile, string nearest)
    {
        var failures = new List<VerifyResult>();
        Deviation? worst = null;
        var cross = CrossHardware(root, experimentId);
        foreach (var table in Tables(tier))
        {
            var name = SnapshotName(tier, table);
            var received = Values(run, table);
            var own = SnapshotPaths.For(root, profile, experimentId, name);
            SnapshotStore.WriteReceived(own, received);   // so that `accept` can pin this machine's own baseline
            var theirs = SnapshotPaths.For(root, nearest, experimentId, name);
            var verified = ParquetFile.Read(theirs.VerifiedParquet);
            var tol = cross.For(table);
            var d = SnapshotComparer.LargestDeviation(verified, received, tol, name);
            if (d is not null && (worst is null || d.ShareOfTolerance > worst.ShareOfTolerance)) worst = d;
            var comparison = SnapshotComparer.Compare(verified, received, tol, name);
            if (!comparison.IsMatch) failures.Add(VerifyResult.CrossProfileMismatch(own, theirs, experimentId, profile, nearest, comparison));
        }
        var accept = SnapshotStore.AcceptCommand(experimentId, profile);
        var notice = failures.Count > 0 ? null
            : $"notice: {experimentId} ({tier.ToString().ToLowerInvariant()}): profile {profile} has no baseline of its own; " +
              $"compared with {nearest} under cross-hardware tolerances{(cross.Chaotic ? " (a chaotic experiment: checked at the level of another seed)" : "")}; " +
              $"largest deviation: {worst?.ToString() ?? "none"}; " +
              $"to pin this machine's own baseline: {accept}";
        return new BaselineCheck(failures, notice);
    }
}
