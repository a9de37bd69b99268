using System.Globalization;
using MnistClaims.Claims.Rule;

namespace MnistClaims.Claims.Calibration;

/// <summary>A documented log of a document, with the experiment that actually produced it (its "true" configuration).</summary>
public sealed record CalibrationLog(string Name, DocumentedLog Log, string TrueExperiment, bool Replicate = false);

/// <summary>
/// One document's calibration material: its documented logs (with the experiment that produced each), the experiments they
/// may be judged against, and the shape of the log the document would have printed for a run of each experiment (the
/// pseudo-documents made from our own runs).
/// </summary>
public sealed record CalibrationSet(string Document, IReadOnlyList<CalibrationLog> Logs, IReadOnlyList<string> Experiments, Func<string, DocumentedLog> ShapeFor);

/// <summary>One pairing: a log (document's or a pseudo-document from our runs) judged against an experiment's runs.</summary>
public sealed record Pairing(string Set, string Log, string LogExperiment, string JudgedAgainst, bool SameConfiguration, bool Distinguishable, Verdict Verdict, double Statistic);

/// <summary>How often the whole-log test tells experiment B's own runs (as documents) from experiment A's.</summary>
public sealed record PairSeparation(string A, string B, double RejectionRate, double ReproducedRate, int Documents)
{
    /// <summary>B's runs are rejected against A's in at least half of the cases: a pair the rule can tell apart at this N.</summary>
    public bool Distinguishable => RejectionRate >= 0.5;
}

/// <summary>Error rates of the rule at one margin and number of seeds.</summary>
public sealed record Rates(double Margin, int Seeds,
    int WrongPairings, int FalseAccepts, int RightPairings, int FalseRejects,
    int PseudoWrong, int PseudoFalseAccepts, int PseudoRight, int PseudoFalseRejects, int PseudoRightReproduced, int PseudoWrongRejected)
{
    public double FalseAcceptRate => WrongPairings == 0 ? double.NaN : (double)FalseAccepts / WrongPairings;
    public double FalseRejectRate => RightPairings == 0 ? double.NaN : (double)FalseRejects / RightPairings;
    public double PseudoFalseAcceptRate => PseudoWrong == 0 ? double.NaN : (double)PseudoFalseAccepts / PseudoWrong;
    public double PseudoFalseRejectRate => PseudoRight == 0 ? double.NaN : (double)PseudoFalseRejects / PseudoRight;
    /// <summary>Power: distinguishable wrong pseudo-documents judged NOT REPRODUCED.</summary>
    public double Power => PseudoWrong == 0 ? double.NaN : (double)PseudoWrongRejected / PseudoWrong;
    /// <summary>Right pseudo-documents shown equivalent (REPRODUCED).</summary>
    public double RightReproducedRate => PseudoRight == 0 ? double.NaN : (double)PseudoRightReproduced / PseudoRight;
}

/// <summary>The calibration of one document at one margin and N: the rates, the separations, every pairing.</summary>
public sealed record SetCalibration(string Document, Rates Rates, IReadOnlyList<PairSeparation> Separations, IReadOnlyList<Pairing> Pairings);

/// <summary>
/// Measures the whole-log rule's error rates on known-right and known-wrong cases (issue 12, item 3):
/// <list type="bullet">
/// <item>The document's own logs against every experiment of the document: against every other than the one that produced
///   them (wrong), and, where the document ran one configuration several times (002's seven base logs), those replicate
///   logs against it (right).</item>
/// <item>Our own runs as pseudo-documents, printed as the document prints: each seed against the other seeds of its
///   experiment (right), and against every other experiment (wrong).</item>
/// </list>
/// A wrong pairing counts towards the false-accept rate only when the two configurations are distinguishable at this N:
/// the whole-log test rejects at least half of B's runs as documents against A's runs; the others are listed apart,
/// since REPRODUCED is no error there.
/// </summary>
public static class Calibrator
{
    /// <param name="separatedAt">When given (the calibration at the full N), which pairs count as distinguishable: the
    /// power at a smaller N is measured on the pairs the rule can tell apart at the full N.</param>
    public static SetCalibration Run(CalibrationSet set, CalibrationValues values, double margin, int seeds, SetCalibration? separatedAt = null)
    {
        var used = set.Experiments.Where(e => values.Has(set.ShapeFor(e), e)).ToArray();
        double[][] M(DocumentedLog shape, string e) => values.Matrix(shape, e, seeds);

        // 1. pseudo-documents: every run of B judged against A (leaving it out when A == B)
        var separations = new List<PairSeparation>();
        var pseudo = new List<(string A, string B, Verdict V)>();
        foreach (var b in used)
        {
            var shape = set.ShapeFor(b);
            var bRuns = M(shape, b);
            foreach (var a in used)
            {
                var aMatrix = M(shape, a);
                int rejected = 0, reproduced = 0;
                for (int i = 0; i < bRuns.Length; i++)
                {
                    var doc = shape.PrintedFrom(bRuns[i], a);
                    var reference = a == b ? aMatrix.Where((_, k) => k != i).ToArray() : aMatrix;
                    var v = doc.Fit(reference, margin).Verdict;
                    if (v == Verdict.NotReproduced) rejected++;
                    if (v == Verdict.Reproduced) reproduced++;
                    pseudo.Add((a, b, v));
                }
                separations.Add(new PairSeparation(a, b, (double)rejected / bRuns.Length, (double)reproduced / bRuns.Length, bRuns.Length));
            }
        }
        bool Same(string a, string b) => a == b;
        var separatedBy = separatedAt?.Separations ?? separations;
        bool Distinct(string a, string b) => !Same(a, b) && separatedBy.First(s => s.A == a && s.B == b).Distinguishable;

        // 2. the document's own logs against every experiment
        var pairings = new List<Pairing>();
        foreach (var l in set.Logs)
            foreach (var a in used)
            {
                var fit = l.Log.Fit(M(l.Log, a), margin);
                pairings.Add(new Pairing(set.Document, l.Name, l.TrueExperiment, a, Same(l.TrueExperiment, a),
                    used.Contains(l.TrueExperiment) && Distinct(a, l.TrueExperiment), fit.Verdict, fit.Statistic));
            }

        var wrong = pairings.Where(p => p.Distinguishable).ToArray();
        // known right: the document's replicate logs of one configuration against that configuration
        var right = pairings.Where(p => p.SameConfiguration && set.Logs.First(l => l.Name == p.Log).Replicate).ToArray();
        var pw = pseudo.Where(p => Distinct(p.A, p.B)).ToArray();
        var pr = pseudo.Where(p => Same(p.A, p.B)).ToArray();
        var rates = new Rates(margin, seeds,
            wrong.Length, wrong.Count(p => p.Verdict == Verdict.Reproduced), right.Length, right.Count(p => p.Verdict == Verdict.NotReproduced),
            pw.Length, pw.Count(p => p.V == Verdict.Reproduced), pr.Length, pr.Count(p => p.V == Verdict.NotReproduced),
            pr.Count(p => p.V == Verdict.Reproduced), pw.Count(p => p.V == Verdict.NotReproduced));
        return new SetCalibration(set.Document, rates, separations, pairings);
    }

    public static string Pct(double x) => double.IsNaN(x) ? "—" : (100 * x).ToString("F1", CultureInfo.InvariantCulture) + "%";
}
