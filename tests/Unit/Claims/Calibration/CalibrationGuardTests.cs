using System.Text.Json;
using MnistClaims.Claims;
using MnistClaims.Claims.Calibration;
using MnistClaims.Claims.Rule;
using MnistClaims.Core.Runs;

namespace MnistClaims.Tests.Unit.Claims.Calibration;

/// <summary>
/// The regression guard of issue 12's calibration: the rule in the code, applied to the committed values of our 20-seed
/// runs (reports/calibration-values.parquet, written by <c>harness calibrate</c> / <c>make reproduce</c>), must keep the
/// false-accept and false-reject rates within target, clear 002's seven replicate logs, and give the rates the committed
/// reports/calibration.json publishes. A change to the rule or its margin that breaks either fails here.
/// </summary>
public sealed class CalibrationGuardTests
{
    static readonly string ValuesFile = Path.Combine(RepoPaths.Reports, CalibrationValues.FileName);
    static readonly string JsonFile = Path.Combine(RepoPaths.Reports, "calibration.json");

    static CalibrationValues Values()
    {
        Assert.That(File.Exists(ValuesFile), Is.True, $"{ValuesFile} is missing: regenerate it with `harness calibrate` (or make reproduce)");
        return CalibrationValues.Read(ValuesFile);
    }

    static int CommittedSeeds()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(JsonFile));
        return doc.RootElement.GetProperty("seeds").GetInt32();
    }

    [Test]
    public void Rates_at_the_claims_margin_are_within_target_on_every_calibration_document()
    {
        var values = Values();
        int seeds = CommittedSeeds();
        Assert.That(seeds, Is.GreaterThanOrEqualTo(20), "the calibration is published at the main job's default N");
        foreach (var set in Registry.CalibrationSets)
        {
            var c = Calibrator.Run(set, values, WholeLogTest.Margin, seeds);
            var r = c.Rates;
            TestContext.Out.WriteLine($"{set.Document}: false-accept {Calibrator.Pct(r.FalseAcceptRate)} ({r.FalseAccepts}/{r.WrongPairings}), pseudo {Calibrator.Pct(r.PseudoFalseAcceptRate)}; " +
                                      $"false-reject {Calibrator.Pct(r.FalseRejectRate)}, pseudo {Calibrator.Pct(r.PseudoFalseRejectRate)}; power {Calibrator.Pct(r.Power)}");
            Assert.That(r.WrongPairings + r.PseudoWrong, Is.GreaterThan(0), $"{set.Document}: no known-wrong case was measured");
            Assert.That(r.PseudoRight, Is.GreaterThan(0), $"{set.Document}: no known-right case was measured");
            Assert.That(r.FalseAcceptRate, Is.NaN.Or.LessThanOrEqualTo(CalibrationReport.TargetFalseAccept), $"{set.Document}: document logs falsely accepted");
            Assert.That(r.PseudoFalseAcceptRate, Is.LessThanOrEqualTo(CalibrationReport.TargetFalseAccept), $"{set.Document}: pseudo-documents falsely accepted");
            Assert.That(r.FalseRejectRate, Is.NaN.Or.LessThanOrEqualTo(CalibrationReport.TargetFalseReject), $"{set.Document}: replicate logs falsely rejected");
            Assert.That(r.PseudoFalseRejectRate, Is.LessThanOrEqualTo(CalibrationReport.TargetFalseReject), $"{set.Document}: own seeds falsely rejected");
        }
    }

    [Test]
    public void The_seven_replicate_logs_of_002_are_reproduced_or_inconclusive()
    {
        var set = Registry.CalibrationSets.Single(s => s.Document.StartsWith("002", StringComparison.Ordinal));
        var c = Calibrator.Run(set, Values(), WholeLogTest.Margin, CommittedSeeds());
        var replicates = c.Pairings.Where(p => p.SameConfiguration && set.Logs.Single(l => l.Name == p.Log).Replicate).ToArray();
        Assert.That(replicates, Has.Length.EqualTo(7));
        Assert.That(replicates.Select(p => p.Verdict), Has.None.EqualTo(Verdict.NotReproduced));
    }

    [Test]
    public void The_published_report_matches_what_the_rule_computes_now()
    {
        var values = Values();
        int seeds = CommittedSeeds();
        using var doc = JsonDocument.Parse(File.ReadAllText(JsonFile));
        Assert.That(doc.RootElement.GetProperty("margin").GetDouble(), Is.EqualTo(WholeLogTest.Margin), "reports/calibration.json was made at another margin: rerun harness calibrate");
        foreach (var published in doc.RootElement.GetProperty("at_margin").EnumerateArray())
        {
            var set = Registry.CalibrationSets.Single(s => s.Document == published.GetProperty("document").GetString());
            var r = Calibrator.Run(set, values, WholeLogTest.Margin, seeds).Rates;
            var p = published.GetProperty("rates");
            Assert.That((p.GetProperty("false_accepts").GetInt32(), p.GetProperty("wrong_pairings").GetInt32(),
                         p.GetProperty("pseudo_false_accepts").GetInt32(), p.GetProperty("pseudo_false_rejects").GetInt32(), p.GetProperty("false_rejects").GetInt32()),
                Is.EqualTo((r.FalseAccepts, r.WrongPairings, r.PseudoFalseAccepts, r.PseudoFalseRejects, r.FalseRejects)),
                $"{set.Document}: reports/calibration.json is stale; rerun harness calibrate");
        }
    }

    [Test]
    public void Calibration_sets_use_the_stated_configurations_and_every_one_has_a_log_shape()
    {
        foreach (var set in Registry.CalibrationSets)
        {
            Assert.That(set.Experiments, Is.Not.Empty);
            foreach (var e in set.Experiments)
            {
                Assert.That(Registry.Experiment(e).Alternative, Is.False, $"{e}: alternatives are judged by the reading claims, not calibrated (fewer seeds)");
                Assert.That(set.ShapeFor(e).Values, Is.Not.Empty, e);
            }
            foreach (var l in set.Logs) Assert.That(set.Experiments, Does.Contain(l.TrueExperiment), $"{l.Name}: produced by an experiment of the set");
        }
    }

    [Test]
    public void Values_round_trip_through_parquet()
    {
        var values = Values();
        var tmp = Path.Combine(Path.GetTempPath(), $"calvalues-{Guid.NewGuid():N}.parquet");
        try
        {
            values.Write(tmp);
            var back = CalibrationValues.Read(tmp);
            foreach (var set in Registry.CalibrationSets)
                foreach (var shape in CalibrationValues.Shapes(set))
                    foreach (var e in set.Experiments.Where(e => values.Has(shape, e)))
                        Assert.That(back.Matrix(shape, e, values.SeedCount(shape, e)), Is.EqualTo(values.Matrix(shape, e, values.SeedCount(shape, e))));
        }
        finally { File.Delete(tmp); }
    }
}
