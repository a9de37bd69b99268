using System.Diagnostics;
using System.Globalization;
using MnistClaims.Data;
using MnistClaims.Claims;
using MnistClaims.Claims.Documents;
using MnistClaims.Core.Runs;
using MnistClaims.Core.Training;
using MnistClaims.Reporting.Charts;
using MnistClaims.Snapshots;
using MnistClaims.Storage.Parquet;

namespace MnistClaims.Reporting;

/// <summary>What a report build wrote.</summary>
public sealed record ReportResult(string HtmlPath, string MarkdownPath, int Charts, int ChartFailures, int Digits,
    int ExperimentsWithRuns, int ExperimentsWithoutRuns, IReadOnlyList<string> Warnings, TimeSpan Elapsed);

/// <summary>
/// Builds <c>index.html</c> (self-contained: CSS inline, images beside it in img/) and <c>index.md</c> from
/// verdicts.json, the run cache, the MNIST files and baselines/. Charts are SVGs drawn in-process by
/// <see cref="ChartRenderer"/> (ScottPlot), digits are PNGs encoded here. The output depends only on the
/// inputs (no clock, no random names in the pages), and is published atomically: img/ is staged beside the old one and
/// swapped in whole (<see cref="Common.AtomicDirectory"/>, so an interrupted report is finished or undone by the next),
/// then each page is written atomically.
/// </summary>
public sealed class ReportBuilder(ReportOptions o)
{
    public const string ImageDir = "img";
    const int DigitScale = 2, FirstMisses = 30, WorstMisses = 20;

    static readonly string[] Palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    static readonly Dictionary<string, (string Label, string Color, string DocColor)> ColumnStyle = new()
    {
        ["train_acc"] = ("train accuracy (running)", "#1f77b4", "#0b3c66"),
        ["val_acc"] = ("validation accuracy", "#ff7f0e", "#8a3b00"),
        ["test_acc"] = ("test accuracy", "#2ca02c", "#0f4d0f"),
        ["train_loss"] = ("train loss (mean of batch losses)", "#1f77b4", "#0b3c66"),
        ["train_loss_last"] = ("train loss (last batch)", "#9467bd", "#3f2163"),
        ["val_loss"] = ("validation loss", "#ff7f0e", "#8a3b00"),
        ["val_loss_batch_mean"] = ("validation loss (mean of batch means)", "#ff7f0e", "#8a3b00"),
        ["test_loss"] = ("test loss", "#2ca02c", "#0f4d0f"),
    };

    readonly List<ChartSpec> _charts = [];
    readonly Dictionary<int, (byte[] Pixels, string Name)> _digits = [];
    readonly List<string> _warnings = [];
    readonly List<Manifest> _manifests = [];

    // ---- per-run data the report keeps after the run tables are dropped ------------------------------
    sealed record SeedSeries(long Seed, int[] Epochs, Dictionary<string, double[]> Columns, XY Raw, XY Smooth, long? DivergedAt, double TrainSeconds);
    sealed record Showcase(long Seed, long[,] Confusion, IReadOnlyList<ClassMetrics> Classes, IReadOnlyList<Miss> Misses);
    sealed record ExpData(Experiment Experiment, IReadOnlyList<SeedSeries> Seeds, IReadOnlyList<string> Notes, string? ConfigHash, Showcase? Show)
    {
        public bool HasRuns => Seeds.Count > 0;
    }

    public ReportResult Build()
    {
        var clock = Stopwatch.StartNew();
        var verdicts = ReportInputs.ReadVerdicts(o.VerdictsPath);
        var seeds = o.Seeds ?? verdicts?.Seeds;
        Directory.CreateDirectory(o.OutDir);
        // An interrupted report (Ctrl-C, kill) left its staged img/ beside the old one: finished or undone here.
        foreach (var note in Common.AtomicDirectory.Recover(o.OutDir)) o.Log?.WriteLine($"recovered: {note}");
        var dataNotes = new List<string>();
        var test = ReportInputs.TryLoadSplit(o.DataDir, MnistSplit.Test, dataNotes);
        var train = ReportInputs.TryLoadSplit(o.DataDir, MnistSplit.Train, dataNotes);
        _warnings.AddRange(dataNotes);

        var data = new Dictionary<string, ExpData>();
        foreach (var e in o.Experiments)
        {
            var found = ReportInputs.FindRuns(e, o.RunsRoot, o.Profile, seeds);
            data[e.Id] = Summarize(found);
            o.Log?.WriteLine($"  {e.Id}: {found.Runs.Count} run(s)");
        }

        var blocks = new List<Block>();
        blocks.AddRange(Header(verdicts, data, seeds));
        foreach (var doc in o.Documents)
            blocks.AddRange(DocumentSection(doc, verdicts, data, train, test));
        blocks.AddRange(BaselineSection());
        blocks.AddRange(Footer(verdicts, data, dataNotes, test is not null));

        // img/ is staged and swapped whole (the one directory-swap helper); the pages follow, each written atomically.
        IReadOnlyDictionary<string, string> failures = new Dictionary<string, string>();
        Common.AtomicDirectory.Replace(Path.Combine(o.OutDir, ImageDir), img =>
        {
            Directory.CreateDirectory(Path.Combine(img, "digits"));
            o.Log?.WriteLine($"drawing {_charts.Count} chart(s), {o.Parallel} at a time");
            failures = ChartRenderer.RenderAll(_charts, img, o.Parallel);
            foreach (var (index, (pixels, name)) in _digits.OrderBy(d => d.Key))
                File.WriteAllBytes(Path.Combine(img, "digits", name), Png.Encode(Png.Upscale(pixels, 28, 28, DigitScale), 28 * DigitScale, 28 * DigitScale));
            Common.FaultInjection.At("report-staged");
        });
        foreach (var (name, why) in failures.OrderBy(f => f.Key, StringComparer.Ordinal))
            if (why != ChartRenderer.NoData) _warnings.Add($"chart {name}: {why}");
        blocks = blocks.Select(b => ReplaceFailed(b, failures)).ToList();
        if (_warnings.Count > 0)
            blocks.Insert(2, new Paragraph("Report warnings: " + string.Join("; ", _warnings.Distinct()), "warn"));

        Common.AtomicFile.WriteAllText(Path.Combine(o.OutDir, "index.html"), HtmlRenderer.Render("mnist-claims report", blocks));
        Common.AtomicFile.WriteAllText(Path.Combine(o.OutDir, "index.md"), MarkdownRenderer.Render(blocks));
        return new ReportResult(Path.Combine(o.OutDir, "index.html"), Path.Combine(o.OutDir, "index.md"), _charts.Count - failures.Count,
            failures.Count(f => f.Value != ChartRenderer.NoData), _digits.Count, data.Values.Count(d => d.HasRuns), data.Values.Count(d => !d.HasRuns),
            _warnings.Distinct().ToArray(), clock.Elapsed);
    }

    static Block ReplaceFailed(Block b, IReadOnlyDictionary<string, string> failures) => b switch
    {
        Figure f when f.Src.StartsWith(ImageDir + "/", StringComparison.Ordinal) && failures.TryGetValue(Path.GetFileNameWithoutExtension(f.Src), out var why)
            => new Paragraph($"{f.Alt}: not drawn ({why})", why == ChartRenderer.NoData ? "note" : "warn"),
        Row r => new Row(r.Items.Select(i => ReplaceFailed(i, failures)).ToArray()),
        Details d => new Details(d.Summary, d.Body.Select(i => ReplaceFailed(i, failures)).ToArray()),
        _ => b,
    };

    // ---- reading runs --------------------------------------------------------------------------------

    ExpData Summarize(ExperimentRuns found)
    {
        var series = new List<SeedSeries>();
        Showcase? show = null;
        foreach (var run in found.Runs)
        {
            _manifests.Add(run.Manifest);
            series.Add(SeriesOf(run));
            if (show is null && DocumentedValues.Showcase.Contains(found.Experiment.Id)) show = ShowcaseOf(run);
        }
        return new ExpData(found.Experiment, series, found.Notes, found.Runs.FirstOrDefault()?.Manifest.ConfigHash, show);
    }

    const int RawPoints = 600, SmoothPoints = 300;

    static SeedSeries SeriesOf(RunRecord run)
    {
        var ep = run.Epochs;
        var epochs = ep.Select(e => e.Epoch).ToArray();
        var cols = new Dictionary<string, double[]>();
        foreach (var c in DocumentedValues.Chartable.Select(EpochColumns.Parse).Append(EpochColumns.TrainSeconds))
            cols[c.Name] = ep.Select(e => c.Read(e) ?? double.NaN).ToArray();
        var st = run.Steps;
        int n = st.Count;
        var perEpoch = new Dictionary<int, int>();
        for (int i = 0; i < n; i++) perEpoch[st.Epoch(i)] = perEpoch.GetValueOrDefault(st.Epoch(i)) + 1;
        var x = new double[n]; var y = new double[n];
        int current = int.MinValue, j = 0;
        for (int i = 0; i < n; i++)
        {
            int e = st.Epoch(i);
            if (e != current) { current = e; j = 0; }
            j++;
            x[i] = e - 1 + (double)j / perEpoch[e];
            double l = st.Loss(i);
            y[i] = l > 0 ? l : double.NaN;   // drawn on a log scale
        }
        double secs = ep.Sum(e => double.IsFinite(e.TrainSeconds) ? e.TrainSeconds : 0);
        // 600 raw and 300 smoothed points per seed: at 20 seeds a chart stays a few hundred kB (the published report is committed).
        return new SeedSeries(run.Manifest.Seed, epochs, cols, Series.MinMaxDecimate(x, y, RawPoints), Series.Smoothed(x, y, SmoothPoints), run.Manifest.DivergedAtStep, secs);
    }

    static Showcase ShowcaseOf(RunRecord run) => new(run.Manifest.Seed, run.Final.Confusion, run.Final.Classes, run.Final.Misses);

    // ---- page parts ------------------------------------------------------------------------------------

    static string DocKey(string doc) => doc.Length >= 3 ? doc[..3] : doc;
    static string DocAnchor(string doc) => "doc-" + DocKey(doc);
    static string ExpAnchor(string id) => "exp-" + id;
    static string Fmt(double x) => double.IsFinite(x) ? SeedStats.Fmt(x) : "—";
    static string Pct(double x) => double.IsFinite(x) ? (100 * x).ToString("F2", CultureInfo.InvariantCulture) + "%" : "—";
    static readonly string[] VerdictOrder = ["REPRODUCED", "INCONCLUSIVE", "NOT REPRODUCED", "INCONSISTENT", "WITHIN NOISE", "CONSISTENT", VerdictStyle.NotRun];

    IEnumerable<Block> Header(VerdictReport? v, Dictionary<string, ExpData> data, IReadOnlyList<long>? seeds)
    {
        yield return new Heading(1, "mnist-claims: reproduction report", "top");
        var run = seeds is null ? "every cached seed" : "seeds " + string.Join(", ", seeds);
        yield return new Paragraph(Rich.Of(new Txt("Five documents' MNIST-MLP claims, trained here with libtorch on profile "), new CodeSpan(o.Profile),
            new Txt($" ({run}) and judged by two rules: "), new Txt(ClaimFactory.RulesText + ".")));
        if (v is null)
            yield return new Paragraph(Rich.Of(new Txt($"No verdicts: {o.VerdictsPath ?? "verdicts.json"} not found. Every claim below shows NOT RUN; run "),
                new CodeSpan("harness reproduce"), new Txt(" first. Charts show whatever runs are cached.")), "warn");
        else if (v.Profile != o.Profile)
            yield return new Paragraph($"verdicts.json was written on profile {v.Profile}, but the runs shown are those of {o.Profile}.", "warn");

        var rows = new List<IReadOnlyList<Rich>>();
        foreach (var doc in o.Documents)
        {
            var claims = o.Claims.Where(c => c.Document == doc).ToArray();
            var counts = VerdictOrder.ToDictionary(k => k, _ => 0);
            foreach (var c in claims) counts[VerdictOf(v, c.Id)?.Verdict ?? VerdictStyle.NotRun]++;
            var exps = o.Experiments.Where(e => e.Document == doc).ToArray();
            var cells = new List<Rich>
            {
                Rich.Of(new LinkSpan(DocKey(doc), "#" + DocAnchor(doc))),
                DocumentedValues.Title(doc),
                claims.Length.ToString(CultureInfo.InvariantCulture),
            };
            cells.AddRange(VerdictOrder.Select(k => counts[k] == 0 ? (Rich)"·" : Rich.Of(new Badge(counts[k].ToString(CultureInfo.InvariantCulture), VerdictStyle.Kind(k)))));
            cells.Add($"{exps.Count(e => data[e.Id].HasRuns)}/{exps.Length}");
            rows.Add(cells);
        }
        yield return new TableBlock(["document", "title", "claims", .. VerdictOrder, "experiments run"], rows) { Numeric = new HashSet<int> { 2, 3, 4, 5, 6, 7, 8 } };
    }

    static VerdictRow? VerdictOf(VerdictReport? v, string id) => v?.Rows.FirstOrDefault(r => r.Id == id);

    IEnumerable<Block> DocumentSection(string doc, VerdictReport? v, Dictionary<string, ExpData> data, MnistDataset? train, MnistDataset? test)
    {
        yield return new Heading(2, $"{doc}: {DocumentedValues.Title(doc)}", DocAnchor(doc));
        var claims = o.Claims.Where(c => c.Document == doc).ToArray();
        yield return new Heading(3, "Verdicts", DocAnchor(doc) + "-verdicts");
        yield return VerdictTable(claims, v?.Rows.Where(r => r.Document == doc && claims.All(c => c.Id != r.Id)).ToArray() ?? [], v);

        if (DocumentedValues.PrintedClassCounts(doc) is { } printed) yield return ClassDistribution(train, test, printed.Train, printed.Test);

        var groups = DocumentedValues.Comparisons(o.Claims).Where(g => g.Document == doc).ToArray();
        if (groups.Length > 0)
        {
            yield return new Heading(3, "Comparisons", DocAnchor(doc) + "-comparisons");
            foreach (var g in groups) foreach (var b in Comparison(g, data)) yield return b;
        }
        var exps = o.Experiments.Where(e => e.Document == doc).ToArray();
        if (exps.Length > 0)
        {
            yield return new Heading(3, "Experiments", DocAnchor(doc) + "-experiments");
            foreach (var e in exps) foreach (var b in ExperimentSection(data[e.Id], test, BandsOf(v, e.Id))) yield return b;
        }
    }

    static string Cut(string s, int n) => s.Length <= n ? s : s[..(n - 1)] + "…";

    Block VerdictTable(IReadOnlyList<Claim> claims, IReadOnlyList<VerdictRow> extra, VerdictReport? v)
    {
        var rows = new List<IReadOnlyList<Rich>>();
        foreach (var c in claims)
        {
            var r = VerdictOf(v, c.Id);
            rows.Add(r is null
                ? [Rich.Of(new CodeSpan(c.Id), new LineBreak(), new Txt(Cut(c.Quote, 260))), c.Documented, "—",
                   Rich.Of(new Badge(VerdictStyle.NotRun, "none")), Rich.Of(new Txt(ShortRule(c.Rule)))]
                : VerdictCells(r, null));
        }
        foreach (var r in extra) rows.Add(VerdictCells(r, " (not in the current registry)"));
        return new TableBlock(["claim", "documented", "measured: mean ± std [min, max]", "verdict", "rule and evidence"], rows) { Css = "verdicts" };
    }

    /// <summary>The numeric rule is stated once at the top of the page; rows name it.</summary>
    static string ShortRule(string rule) => rule.Replace(ClaimFactory.LogRule, "the whole-log rule (see the top of the page)").Replace(ClaimFactory.RelationRule, "the relation rule (see the top of the page)");

    static IReadOnlyList<Rich> VerdictCells(VerdictRow r, string? suffix)
    {
        var measured = r.Seeds is int n && n > 0 ? $"{r.Measured} (n = {n})" : r.Measured;
        return
        [
            Rich.Of(new CodeSpan(r.Id), new Txt(suffix ?? ""), new LineBreak(), new Txt(Cut(r.Quote, 260))),
            r.Documented, measured,
            Rich.Of(new Badge(r.Verdict, VerdictStyle.Kind(r.Verdict))),
            Rich.Of(new Txt(ShortRule(r.Rule)), new LineBreak(), new Strong("evidence: "), new Txt(Cut(r.Evidence, 420))),
        ];
    }

    Block ClassDistribution(MnistDataset? train, MnistDataset? test, int[] printedTrain, int[] printedTest)
    {
        int[]? tr = train?.ClassCounts(), te = test?.ClassCounts();
        var series = new List<PlotSeries>();
        XY Bars(int[] counts, double offset) => new(Enumerable.Range(0, 10).Select(c => c + offset).ToArray(), counts.Select(x => 100.0 * x / counts.Sum()).ToArray());
        if (tr is not null) series.Add(new PlotSeries($"train set ({tr.Sum():N0} images)", Bars(tr, -0.2), Palette[0], PlotStyle.Bars) { BarWidth = 0.38 });
        if (te is not null) series.Add(new PlotSeries($"test set ({te.Sum():N0} images)", Bars(te, 0.2), Palette[1], PlotStyle.Bars) { BarWidth = 0.38 });
        series.Add(new PlotSeries("document's table", Bars(printedTrain, -0.2), "#111111", PlotStyle.Points) { Marker = Marker.Cross, MarkerSize = 11, Width = 2 });
        series.Add(new PlotSeries(null, Bars(printedTest, 0.2), "#111111", PlotStyle.Points) { Marker = Marker.Cross, MarkerSize = 11, Width = 2 });
        var chart = Add(new LineChart("classes-000", "MNIST class distribution", "digit class", "share of the set (%)", series)
        { IntegerX = true, XMin = -0.6, XMax = 9.6, YMin = 0, Width = 760, Height = 420 });
        var rows = Enumerable.Range(0, 10).Select(c => (IReadOnlyList<Rich>)new Rich[]
        {
            c.ToString(CultureInfo.InvariantCulture),
            tr is null ? "—" : tr[c].ToString("N0", CultureInfo.InvariantCulture), printedTrain[c].ToString("N0", CultureInfo.InvariantCulture),
            te is null ? "—" : te[c].ToString("N0", CultureInfo.InvariantCulture), printedTest[c].ToString("N0", CultureInfo.InvariantCulture),
        }).ToList();
        rows.Add([Rich.Of(new Strong("total")), tr is null ? "—" : tr.Sum().ToString("N0", CultureInfo.InvariantCulture), printedTrain.Sum().ToString("N0", CultureInfo.InvariantCulture),
            te is null ? "—" : te.Sum().ToString("N0", CultureInfo.InvariantCulture), printedTest.Sum().ToString("N0", CultureInfo.InvariantCulture)]);
        var table = new TableBlock(["class", "train (data)", "train (document)", "test (data)", "test (document)"], rows) { Numeric = new HashSet<int> { 1, 2, 3, 4 } };
        return new Row([new Figure(ImageDir + "/" + chart.FileName, "MNIST class distribution, data and document"), table]);
    }

    ChartSpec Add(ChartSpec c) { _charts.Add(c); return c; }

    static string Safe(string id) => new(id.Select(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '.' ? ch : '_').ToArray());

    IEnumerable<Block> Comparison(ComparisonGroup g, Dictionary<string, ExpData> data)
    {
        yield return new Heading(4, g.Title, "cmp-" + g.Id);
        var present = g.Variants.Where(vr => data.TryGetValue(vr.ExperimentId, out var d) && d.HasRuns).ToArray();
        var absent = g.Variants.Except(present).Select(vr => vr.ExperimentId).ToArray();
        if (absent.Length > 0)
            yield return new Paragraph($"not run: {string.Join(", ", absent)} (no cached runs for profile {o.Profile})", present.Length == 0 ? "warn" : "note");
        if (present.Length == 0) yield break;

        var acc = new List<PlotSeries>();
        var loss = new List<PlotSeries>();
        for (int i = 0; i < present.Length; i++)
        {
            var vr = present[i];
            var d = data[vr.ExperimentId];
            string color = Palette[i % Palette.Length];
            foreach (var s in d.Seeds)
                if (s.Columns.TryGetValue(g.Column, out var col))
                    acc.Add(new PlotSeries(null, new XY(s.Epochs.Select(e => (double)e).ToArray(), col), color) { Width = 1, Transparency = 0.65 });
            var mean = MeanByEpoch(d.Seeds, g.Column);
            acc.Add(new PlotSeries($"{vr.Label} (mean of {d.Seeds.Count})", mean, color) { Width = 2.4 });
            if (vr.Documented.Count > 0)
                acc.Add(new PlotSeries(acc.Any(x => x.Style == PlotStyle.Points) ? null : "document (triangles, variant colour)", new XY(vr.Documented.Select(p => (double)p.Epoch).ToArray(), vr.Documented.Select(p => p.Value).ToArray()),
                    color, PlotStyle.Points) { Marker = Marker.Triangle, MarkerSize = 10 });
            bool first = true;
            foreach (var s in d.Seeds)
            {
                loss.Add(new PlotSeries(first ? vr.Label : null, s.Smooth, color) { Width = 1.6, Transparency = d.Seeds.Count > 1 ? 0.25 : 0 });
                first = false;
            }
        }
        int extra = Math.Max(0, present.Length - 4) * 12;
        var ca = Add(new LineChart($"cmp-{Safe(g.Id)}-acc", $"{g.Title}: {g.ColumnLabel} per epoch", "epoch", $"{g.ColumnLabel} (fraction)", acc)
        { IntegerX = true, Height = 480 + extra, Width = 760 });
        var cl = Add(new LineChart($"cmp-{Safe(g.Id)}-loss", $"{g.Title}: training loss per step (smoothed, every seed)", "epoch (steps / steps per epoch)", "batch loss (log scale)", loss)
        { LogY = true, Height = 480 + extra, Width = 760 });
        yield return new Row([
            new Figure(ImageDir + "/" + ca.FileName, $"{g.Title}: {g.ColumnLabel} per epoch"),
            new Figure(ImageDir + "/" + cl.FileName, $"{g.Title}: training loss per step"),
        ]);
        yield return new Paragraph("Thin lines: one per seed; thick: the mean over seeds; triangles: the document's values. Loss chart: centred moving average over 2% of the run.", "note");
    }

    static XY MeanByEpoch(IReadOnlyList<SeedSeries> seeds, string column)
    {
        var sums = new SortedDictionary<int, (double Sum, int N)>();
        foreach (var s in seeds)
        {
            if (!s.Columns.TryGetValue(column, out var col)) continue;
            for (int i = 0; i < s.Epochs.Length; i++)
                if (double.IsFinite(col[i])) { var (sum, n) = sums.GetValueOrDefault(s.Epochs[i]); sums[s.Epochs[i]] = (sum + col[i], n + 1); }
        }
        return new XY(sums.Keys.Select(k => (double)k).ToArray(), sums.Values.Select(v => v.Sum / v.N).ToArray());
    }

    /// <summary>The rule's per-point bands for an experiment: every log claim judged against its runs (per-epoch points only).</summary>
    static IReadOnlyList<BandPoint> BandsOf(VerdictReport? v, string experimentId) =>
        v?.Rows.Where(r => r.Experiments.Count == 1 && r.Experiments[0] == experimentId && r.Band is not null)
            .SelectMany(r => r.Band).Where(b => b.Epoch is not null).ToArray() ?? [];

    IEnumerable<Block> ExperimentSection(ExpData d, MnistDataset? test, IReadOnlyList<BandPoint> bands)
    {
        var e = d.Experiment;
        yield return new Heading(4, Rich.Of(new CodeSpan(e.Id), new Txt(": " + e.Title)), ExpAnchor(e.Id));
        if (!d.HasRuns)
        {
            yield return new Paragraph(Rich.Of(new Txt($"not run: no cached runs of {e.Id} for profile {o.Profile} under {o.RunsRoot}" +
                (d.Notes.Count > 0 ? " (" + string.Join("; ", d.Notes) + ")" : "") + ". "), new CodeSpan($"harness reproduce --documents {DocKey(e.Document)}"), new Txt(" trains them.")), "warn");
            yield return new Details("configuration and assumptions", [new Paragraph(Rich.Of(new CodeSpan(e.Config.ToCanonicalJson(includeSeed: false)))), new BulletList(e.Assumptions.Select(a => (Rich)a).ToArray())]);
            yield break;
        }
        var finals = DocumentedValues.Chartable.Where(c => c.EndsWith("_acc", StringComparison.Ordinal))
            .Select(c => (c, v: d.Seeds.Select(s => s.Columns.TryGetValue(c, out var col) && col.Length > 0 ? col[^1] : double.NaN).ToArray()))
            .Where(x => x.v.Any(double.IsFinite))
            .Select(x => $"final {x.c} {Pct(x.v.Where(double.IsFinite).Average())} [{Pct(x.v.Where(double.IsFinite).Min())}, {Pct(x.v.Where(double.IsFinite).Max())}]");
        var diverged = d.Seeds.Where(s => s.DivergedAt is not null).Select(s => $"seed {s.Seed} diverged at step {s.DivergedAt}").ToArray();
        yield return new Paragraph(Rich.Of(new Txt($"seeds {string.Join(", ", d.Seeds.Select(s => s.Seed))} · config "), new CodeSpan(d.ConfigHash ?? "?"),
            new Txt($" · {string.Join(" · ", finals)} · training {Fmt(d.Seeds.Average(s => s.TrainSeconds))} s per seed"
                + (diverged.Length > 0 ? " · " + string.Join("; ", diverged) : "")
                + (d.Notes.Count > 0 ? " · " + string.Join("; ", d.Notes) : ""))), "note");
        yield return new Details("configuration and assumptions", [new Paragraph(Rich.Of(new CodeSpan(e.Config.ToCanonicalJson(includeSeed: false)))), new BulletList(e.Assumptions.Select(a => (Rich)a).ToArray())]);

        var docs = DocumentedValues.For(e.Id, o.Claims);
        var steps = Add(StepChart(d));
        var acc = Add(EpochChart(d, $"exp-{Safe(e.Id)}-acc", $"{e.Id}: accuracy per epoch", "accuracy (fraction)", ["train_acc", "val_acc", "test_acc"], docs, bands));
        var lossCols = new List<string> { "train_loss" };
        if (docs.Any(x => x.Column == "train_loss_last")) lossCols.Add("train_loss_last");
        lossCols.Add(docs.Any(x => x.Column == "val_loss_batch_mean") ? "val_loss_batch_mean" : "val_loss");
        lossCols.Add("test_loss");
        var loss = Add(EpochChart(d, $"exp-{Safe(e.Id)}-loss", $"{e.Id}: loss per epoch", "loss", lossCols, docs, bands));
        yield return new Row([
            new Figure(ImageDir + "/" + steps.FileName, $"{e.Id}: training loss per step"),
            new Figure(ImageDir + "/" + acc.FileName, $"{e.Id}: accuracy per epoch"),
            new Figure(ImageDir + "/" + loss.FileName, $"{e.Id}: loss per epoch"),
        ]);
        if (docs.Count > 0)
            yield return new Paragraph("Lines: one per seed; filled triangles: the document's reported values" +
                (bands.Count > 0 ? "; dashed lines: the band one run of ours falls in with 95% probability at each documented point (the verdict rule's per-point scale; the whole-log test combines these points)" : "") +
                (docs.Any(x => x.Label.Contains("x batch", StringComparison.Ordinal)) ? " (004's 'Total Training Loss' is drawn multiplied by the batch size, as its metric divides by it)" : "") + ".", "note");

        if (d.Show is { } show) foreach (var b in ShowcaseSection(e, show, test)) yield return b;
    }

    LineChart StepChart(ExpData d)
    {
        var series = new List<PlotSeries>();
        bool many = d.Seeds.Count > 1;
        for (int i = 0; i < d.Seeds.Count; i++)
        {
            var s = d.Seeds[i];
            string color = Palette[i % Palette.Length];
            series.Add(new PlotSeries(i == 0 ? "per step (faint)" : null, s.Raw, i == 0 ? "#9a9a9a" : color) { Width = 0.8, Transparency = 0.8 });
            series.Add(new PlotSeries($"seed {s.Seed}, moving average", s.Smooth, color) { Width = 2 });
        }
        // draw the raw lines first so the smoothed ones stay on top
        series = series.Where(s => s.Transparency > 0).Concat(series.Where(s => s.Transparency == 0)).ToList();
        if (many) series[0] = series[0] with { Color = Palette[0] };
        return new LineChart($"exp-{Safe(d.Experiment.Id)}-steps", $"{d.Experiment.Id}: training loss per step", "epoch (steps / steps per epoch)", "batch loss (log scale)", series)
        { LogY = true, Width = 700, Height = 460, XMin = 0, XMax = d.Seeds.Max(s => s.Epochs.Length == 0 ? 1 : s.Epochs.Max()) };
    }

    static LineChart EpochChart(ExpData d, string name, string title, string ylabel, IReadOnlyList<string> columns, IReadOnlyList<DocPoints> docs,
        IReadOnlyList<BandPoint> bands)
    {
        var series = new List<PlotSeries>();
        foreach (var c in columns)
        {
            var (label, color, docColor) = ColumnStyle[c];
            bool first = true;
            foreach (var s in d.Seeds)
            {
                if (!s.Columns.TryGetValue(c, out var col) || !col.Any(double.IsFinite)) continue;
                series.Add(new PlotSeries(first ? (d.Seeds.Count > 1 ? $"{label} ({d.Seeds.Count} seeds)" : label) : null,
                    new XY(s.Epochs.Select(x => (double)x).ToArray(), col), color, PlotStyle.LinesPoints) { Width = 1.3, MarkerSize = 4, Transparency = d.Seeds.Count > 1 ? 0.2 : 0 });
                first = false;
            }
            bool firstDoc = true;
            var docSets = docs.Where(x => x.Column == c).ToArray();
            foreach (var doc in docSets)
            {
                string t = docSets.Length > 1 ? $"document, {docSets.Length} logs" : doc.Label;
                series.Add(new PlotSeries(firstDoc ? $"{ColumnStyle[c].Label.Split(" (")[0]}: {t}" : null,
                    new XY(doc.Points.Select(p => (double)p.Epoch).ToArray(), doc.Points.Select(p => p.Value).ToArray()), docColor, PlotStyle.Points)
                { Marker = Marker.Triangle, MarkerSize = 10 });
                firstDoc = false;
            }
            // The acceptance band at each documented point, when it is on the chart's scale (the same documented value).
            var band = bands.Where(b => b.Column == c && docSets.Any(doc => doc.Points.Any(p => p.Epoch == b.Epoch && Math.Abs(p.Value - b.Documented) <= 1e-3 * Math.Max(1, Math.Abs(p.Value)))))
                .GroupBy(b => b.Epoch!.Value).OrderBy(g => g.Key).Select(g => g.First()).ToArray();
            if (band.Length > 0)
            {
                var x = band.Select(b => (double)b.Epoch!.Value).ToArray();
                series.Add(new PlotSeries($"{ColumnStyle[c].Label.Split(" (")[0]}: 95% single-run band", new XY(x, band.Select(b => b.Lo).ToArray()), docColor) { Width = 1.2, Dashed = true });
                series.Add(new PlotSeries(null, new XY(x, band.Select(b => b.Hi).ToArray()), docColor) { Width = 1.2, Dashed = true });
            }
        }
        return new LineChart(name, title, "epoch", ylabel, series)
        { IntegerX = d.Experiment.Config.Epochs <= 20, Width = 700, Height = 460 };
    }

    IEnumerable<Block> ShowcaseSection(Experiment e, Showcase show, MnistDataset? test)
    {
        yield return new Paragraph(Rich.Of(new Strong($"Test-set errors of {e.Id}, seed {show.Seed}")), null);
        var cm = Add(new Heatmap($"cm-{Safe(e.Id)}", $"{e.Id} seed {show.Seed}: confusion matrix of the 10k test set", show.Confusion) { Width = 620, Height = 560 });
        var rows = show.Classes.Select(c => (IReadOnlyList<Rich>)new Rich[]
        {
            c.Class.ToString(CultureInfo.InvariantCulture), c.Support.ToString(CultureInfo.InvariantCulture), c.PredictedCount.ToString(CultureInfo.InvariantCulture),
            c.TruePositives.ToString(CultureInfo.InvariantCulture), c.Precision.ToString("F4", CultureInfo.InvariantCulture),
            c.Recall.ToString("F4", CultureInfo.InvariantCulture), c.F1.ToString("F4", CultureInfo.InvariantCulture),
        }).ToList();
        if (show.Classes.Count > 0)
        {
            int total = show.Classes.Sum(c => c.Support);
            double W(Func<ClassMetrics, double> f) => total == 0 ? double.NaN : show.Classes.Sum(c => f(c) * c.Support) / total;
            double M(Func<ClassMetrics, double> f) => show.Classes.Average(f);
            string F4(double x) => x.ToString("F4", CultureInfo.InvariantCulture);
            rows.Add([Rich.Of(new Strong("macro")), total.ToString(CultureInfo.InvariantCulture), "", show.Classes.Sum(c => c.TruePositives).ToString(CultureInfo.InvariantCulture),
                F4(M(c => c.Precision)), F4(M(c => c.Recall)), F4(M(c => c.F1))]);
            rows.Add([Rich.Of(new Strong("weighted")), "", "", "", F4(W(c => c.Precision)), F4(W(c => c.Recall)), F4(W(c => c.F1))]);
        }
        yield return new Row([
            new Figure(ImageDir + "/" + cm.FileName, $"{e.Id}: confusion matrix"),
            new TableBlock(["class", "support", "predicted", "correct", "precision", "recall", "F1"], rows) { Numeric = new HashSet<int> { 1, 2, 3, 4, 5, 6 } },
        ]);
        if (test is null)
        {
            yield return new Paragraph($"{show.Misses.Count} misclassified test images; their pictures are omitted because the MNIST test files were not found.", "warn");
            yield break;
        }
        var usable = show.Misses.Where(m => m.Index >= 0 && m.Index < test.Count).ToArray();
        if (usable.Length < show.Misses.Count)
            yield return new Paragraph($"{show.Misses.Count - usable.Length} miss(es) index past the {test.Count} test images and are not shown.", "warn");
        var first = usable.OrderBy(m => m.Index).Take(FirstMisses).ToArray();
        var worst = usable.OrderByDescending(m => m.Confidence).ThenBy(m => m.Index).Take(WorstMisses).ToArray();
        yield return new Paragraph($"The first {first.Length} of {show.Misses.Count} misclassified test images, by index (true → predicted, the model's probability of its prediction):", "note");
        yield return new DigitGrid(first.Select(m => Digit(m, test)).ToArray());
        yield return new Paragraph($"The {worst.Length} most confidently wrong predictions:", "note");
        yield return new DigitGrid(worst.Select(m => Digit(m, test)).ToArray());
    }

    DigitCell Digit(Miss m, MnistDataset test)
    {
        var name = $"t{m.Index:D5}.png";
        if (!_digits.ContainsKey(m.Index)) _digits[m.Index] = (test.Image(m.Index).ToArray(), name);
        return new DigitCell($"{ImageDir}/digits/{name}", $"test image {m.Index}: a {m.Label} predicted as {m.Predicted}",
            $"#{m.Index}: {m.Label} → {m.Predicted}", $"p = {m.Confidence.ToString("F3", CultureInfo.InvariantCulture)}");
    }

    // ---- baselines across profiles -------------------------------------------------------------------

    IEnumerable<Block> BaselineSection()
    {
        yield return new Heading(2, "Across hardware profiles", "profiles");
        // Full-run baselines when two profiles have them, else the fast slices (which every profile records).
        string table = "epochs";
        var baselines = ReportInputs.FindBaselines(o.BaselinesDir, table);
        if (baselines.Count < 2) baselines = ReportInputs.FindBaselines(o.BaselinesDir, table = "fast-epochs");
        if (baselines.Count < 2)
        {
            yield return new Paragraph(baselines.Count == 0
                ? $"No baselines under {o.BaselinesDir ?? "baselines/"} (baselines/<profile>/<experiment>/epochs.verified.parquet); the cross-profile overlay needs two or more profiles."
                : $"Baselines of one profile only ({baselines.Keys.Single()}); the cross-profile overlay needs two or more.", "note");
            yield break;
        }
        var profiles = baselines.Keys.ToArray();
        yield return new Paragraph(table == "epochs"
            ? $"Full-run baselines of {profiles.Length} profiles: {string.Join(", ", profiles)}. One seed each; the same curves overlaid per profile."
            : $"Only the fast-slice baselines (each experiment's first steps, one evaluation) exist for two or more profiles: {string.Join(", ", profiles)}. One seed each, overlaid per profile.", "note");
        var experiments = baselines.Values.SelectMany(x => x.Keys).Distinct().Order(StringComparer.Ordinal)
            .Where(id => profiles.Count(p => baselines[p].ContainsKey(id)) >= 2).ToArray();
        var figures = new List<Block>();
        foreach (var id in experiments)
        {
            var series = new List<PlotSeries>();
            string? column = null;
            for (int i = 0; i < profiles.Length; i++)
            {
                if (!baselines[profiles[i]].TryGetValue(id, out var path)) continue;
                Table t;
                try { t = ParquetFile.Read(path); }
                catch (ParquetFormatException ex) { throw new InvalidDataException(ex.Message, ex); }
                column ??= t.TryGetColumn("val_acc", out var va) && va.NullCount < va.Length ? "val_acc" : "test_acc";
                if (!t.TryGetColumn(column, out var col) || !t.TryGetColumn("epoch", out var ep)) continue;
                var x = Enumerable.Range(0, t.RowCount).Select(r => ep.GetDouble(r)).ToArray();
                var y = Enumerable.Range(0, t.RowCount).Select(r => col.IsNull(r) ? double.NaN : col.GetDouble(r)).ToArray();
                series.Add(new PlotSeries($"{profiles[i]}: {column}", new XY(x, y), Palette[i % Palette.Length], PlotStyle.LinesPoints) { MarkerSize = 5 });
                if (t.TryGetColumn("train_acc", out var ta))
                    series.Add(new PlotSeries($"{profiles[i]}: train_acc", new XY(x, Enumerable.Range(0, t.RowCount).Select(r => ta.IsNull(r) ? double.NaN : ta.GetDouble(r)).ToArray()),
                        Palette[i % Palette.Length]) { Dashed = true, Width = 1.2 });
            }
            var chart = Add(new LineChart($"base-{Safe(id)}", $"{id}: baseline accuracy per profile", "epoch", "accuracy (fraction)", series) { IntegerX = true, Width = 800, Height = 420 });
            figures.Add(new Figure(ImageDir + "/" + chart.FileName, $"{id}: baselines per profile"));
        }
        yield return new Row(figures);
        yield return new Heading(3, "Baseline diff", "profiles-diff");
        if (o.BaselineDiff is null)
        {
            yield return new Paragraph("No baseline diff (ReportOptions.BaselineDiff is unset).", "note");
            yield break;
        }
        for (int i = 1; i < profiles.Length; i++)
        {
            var a = Path.Combine(o.BaselinesDir!, profiles[0]);
            var b = Path.Combine(o.BaselinesDir!, profiles[i]);
            yield return new Paragraph(Rich.Of(new Strong($"{profiles[0]} (A) vs {profiles[i]} (B), table {table}")));
            var diff = o.BaselineDiff(a, b, table);
            if (diff.Rows.Count == 0) { yield return new Paragraph($"No differences ({diff.ComparedMetrics} metric(s) compared).", "note"); continue; }
            yield return new TableBlock(DiffReport.Header, diff.Rows.Select(r => DiffReport.Cells(r).Select(c => (Rich)c).ToArray()).ToArray()) { Numeric = DiffReport.NumericColumns.ToHashSet() };
            yield return new Paragraph($"{diff.Rows.Count(r => r.Verdict != DiffVerdict.WithinTolerance)} difference(s) in {diff.ComparedMetrics} metric(s) compared.", "note");
        }
    }

    // ---- provenance ----------------------------------------------------------------------------------

    IEnumerable<Block> Footer(VerdictReport? v, Dictionary<string, ExpData> data, IReadOnlyList<string> dataNotes, bool haveTest)
    {
        yield return new Heading(2, "Provenance", "provenance");
        static string Distinct(IEnumerable<string> xs) { var d = xs.Distinct().Order(StringComparer.Ordinal).ToArray(); return d.Length == 0 ? "—" : string.Join("; ", d); }
        var m = _manifests;
        double trainSeconds = m.Sum(x => (x.Finished - x.Started).TotalSeconds);
        var rows = new List<IReadOnlyList<Rich>>
        {
            new Rich[] { "profile", Rich.Of(new CodeSpan(o.Profile)) },
            new Rich[] { "hardware", Distinct(m.Select(x => $"{x.Hardware.CpuModel}, {x.Hardware.LogicalCores} logical cores" + (x.Hardware.GpuName is null ? "" : $", {x.Hardware.GpuName} (driver {x.Hardware.GpuDriver}, CUDA {x.Hardware.CudaVersion})"))) },
            new Rich[] { "device / threads / engine", Distinct(m.Select(x => $"{x.Device}, {x.Threads} thread(s), engine {x.Engine}")) },
            new Rich[] { "libtorch / BLAS", Distinct(m.Select(x => $"libtorch {x.LibtorchVersion}, {x.Hardware.Blas}")) },
            new Rich[] { ".NET / OS", Distinct(m.Select(x => $"{x.Hardware.DotnetVersion}, {x.Hardware.Os} {x.Hardware.Arch}")) },
            new Rich[] { "commit", Distinct(m.Select(x => x.GitCommit + (x.GitDirty ? " (dirty)" : ""))) },
            new Rich[] { "harness version", Distinct(m.Select(x => x.HarnessVersion)) },
            new Rich[] { "runs", $"{m.Count} run(s) of {data.Values.Count(d => d.HasRuns)} experiment(s); {data.Values.Count(d => !d.HasRuns)} experiment(s) not run; training time {TimeSpan.FromSeconds(trainSeconds):hh\\:mm\\:ss} in total" },
            new Rich[] { "seeds", v is null ? Distinct(m.Select(x => x.Seed.ToString(CultureInfo.InvariantCulture))) : string.Join(", ", v.Seeds) },
            new Rich[] { "verdicts", v is null ? $"none ({o.VerdictsPath ?? "no path"} not found)" : $"{v.Rows.Count} claims judged {v.Generated.ToUniversalTime():yyyy-MM-dd HH:mm} UTC on {v.Profile}; wall time of `harness reproduce` {TimeSpan.FromSeconds(v.WallSeconds):hh\\:mm\\:ss}" },
            new Rich[] { "run cache", Rich.Of(new CodeSpan(Path.Combine(o.RunsRoot, o.Profile))) },
        };
        var sums = m.SelectMany(x => x.MnistSha256).GroupBy(kv => kv.Key).OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var g in sums)
        {
            var values = g.Select(kv => kv.Value).Distinct().Order(StringComparer.Ordinal).ToArray();
            rows.Add([$"sha256 {g.Key}", Rich.Of(new CodeSpan(string.Join(" / ", values)), new Txt(values.Length > 1 ? " (runs disagree!)" : ""))]);
        }
        if (!sums.Any()) rows.Add(["data checksums", "— (no runs)"]);
        if (dataNotes.Count > 0) rows.Add(["MNIST files for this report", string.Join("; ", dataNotes)]);
        rows.Add(["charts", ChartRenderer.Library]);
        yield return new TableBlock(["item", "value"], rows);
    }
}
