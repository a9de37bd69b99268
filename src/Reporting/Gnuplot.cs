using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace MnistClaims.Reporting;

public enum PlotStyle { Lines, Points, LinesPoints, Boxes }

/// <summary>One line, point set or bar set of a chart. <see cref="Title"/> null keeps it out of the legend.</summary>
public sealed record PlotSeries(string? Title, XY Data, string Color, PlotStyle Style = PlotStyle.Lines)
{
    public double Width { get; init; } = 1.5;
    /// <summary>0 (opaque) to 1 (invisible), for faint per-seed lines.</summary>
    public double Transparency { get; init; }
    public int PointType { get; init; } = 7;
    public double PointSize { get; init; } = 0.8;
    public int DashType { get; init; } = 1;
    /// <summary>Box width in x units for <see cref="PlotStyle.Boxes"/>.</summary>
    public double BoxWidth { get; init; } = 0.8;
}

/// <summary>What gnuplot is asked to draw: a line/point/bar chart or a heatmap. Rendered to SVG by <see cref="Gnuplot"/>.</summary>
public abstract record ChartSpec(string Name, string Title)
{
    public int Width { get; init; } = 900;
    public int Height { get; init; } = 500;
    /// <summary>The image file name (relative to the image directory).</summary>
    public string FileName => Name + ".svg";
    internal abstract bool HasData { get; }
    internal abstract void Write(StringBuilder script, StringBuilder data, string dataFile);
}

public sealed record LineChart(string Name, string Title, string XLabel, string YLabel, IReadOnlyList<PlotSeries> Series) : ChartSpec(Name, Title)
{
    public bool LogY { get; init; }
    public double? YMin { get; init; }
    public double? YMax { get; init; }
    public double? XMin { get; init; }
    public double? XMax { get; init; }
    /// <summary>Integer x tics (epochs, classes).</summary>
    public bool IntegerX { get; init; }
    public string Key { get; init; } = "inside right top vertical";

    internal override bool HasData => Series.Any(s => s.Data.Count > 0);

    internal override void Write(StringBuilder sc, StringBuilder data, string dataFile)
    {
        // a key below the plot would touch the x label (gnuplot's SVG metrics): lift the label a little
        sc.Append("set xlabel ").Append(Gnuplot.Quote(XLabel)).AppendLine(Key.StartsWith("below", StringComparison.Ordinal) ? " offset 0,0.5" : "");
        sc.Append("set ylabel ").AppendLine(Gnuplot.Quote(YLabel));
        sc.AppendLine("set grid lc rgb '#e6e6e6' lw 1");
        sc.AppendLine("set border lc rgb '#555555'");
        sc.Append("set key ").Append(Key).Append(Key.StartsWith("below", StringComparison.Ordinal) ? " noopaque nobox" : " opaque box lc rgb '#cccccc'")
            .AppendLine(" samplen 2 spacing 1.1 font ',10'");
        if (LogY) sc.AppendLine("set logscale y").AppendLine("set format y '%g'");
        if (YMin is not null || YMax is not null) sc.AppendLine($"set yrange [{Gnuplot.Num(YMin)}:{Gnuplot.Num(YMax)}]");
        if (XMin is not null || XMax is not null) sc.AppendLine($"set xrange [{Gnuplot.Num(XMin)}:{Gnuplot.Num(XMax)}]");
        if (IntegerX) sc.AppendLine("set xtics 1");
        sc.AppendLine("set style fill solid 0.85 noborder");
        var parts = new List<string>();
        int index = 0;
        foreach (var s in Series.Where(s => s.Data.Count > 0))
        {
            for (int i = 0; i < s.Data.Count; i++)
                data.Append(Gnuplot.Num(s.Data.X[i])).Append(' ').Append(Gnuplot.Num(s.Data.Y[i])).Append('\n');
            data.Append("\n\n");
            string color = Gnuplot.Color(s.Color, s.Transparency);
            string style = s.Style switch
            {
                PlotStyle.Lines => $"with lines lc rgb {color} lw {Gnuplot.Num(s.Width)} dt {s.DashType}",
                PlotStyle.Points => $"with points lc rgb {color} pt {s.PointType} ps {Gnuplot.Num(s.PointSize)} lw {Gnuplot.Num(s.Width)}",
                PlotStyle.LinesPoints => $"with linespoints lc rgb {color} lw {Gnuplot.Num(s.Width)} dt {s.DashType} pt {s.PointType} ps {Gnuplot.Num(s.PointSize)}",
                PlotStyle.Boxes => $"using 1:2:({Gnuplot.Num(s.BoxWidth)}) with boxes lc rgb {color}",
                _ => throw new InvalidOperationException(),
            };
            string usingClause = s.Style == PlotStyle.Boxes ? "" : "using 1:2 ";
            parts.Add($"{(index == 0 ? Gnuplot.Quote(dataFile) : "''")} index {index} {usingClause}{style} {(s.Title is null ? "notitle" : "title " + Gnuplot.Quote(s.Title))}");
            index++;
        }
        sc.Append("plot ").AppendLine(string.Join(", \\\n     ", parts));
    }
}

/// <summary>A confusion matrix: rows = true class, columns = predicted class, counts printed in the cells.</summary>
public sealed record Heatmap(string Name, string Title, long[,] Counts, string XLabel = "predicted class", string YLabel = "true class") : ChartSpec(Name, Title)
{
    internal override bool HasData => Counts.Length > 0;

    internal override void Write(StringBuilder sc, StringBuilder data, string dataFile)
    {
        int k = Counts.GetLength(0);
        long max = 1;
        for (int t = 0; t < k; t++) for (int p = 0; p < Counts.GetLength(1); p++) max = Math.Max(max, Counts[t, p]);
        for (int t = 0; t < k; t++)
        {
            for (int p = 0; p < Counts.GetLength(1); p++)
                data.Append(p).Append(' ').Append(t).Append(' ').Append(Counts[t, p]).Append(' ')
                    .Append(Gnuplot.Num(Math.Log10(1 + Counts[t, p]))).Append('\n');
            data.Append('\n');
        }
        sc.Append("set xlabel ").AppendLine(Gnuplot.Quote(XLabel));
        sc.Append("set ylabel ").AppendLine(Gnuplot.Quote(YLabel));
        sc.AppendLine($"set xrange [-0.5:{k - 0.5}]").AppendLine($"set yrange [{k - 0.5}:-0.5]");
        sc.AppendLine("set xtics 1 out nomirror").AppendLine("set ytics 1 out nomirror").AppendLine("set size ratio -1");
        sc.AppendLine("set palette defined (0 '#ffffff', 1 '#fde0c5', 2 '#f59e72', 3 '#c0392b', 4 '#5b0f0f')");
        sc.AppendLine($"set cbrange [0:{Gnuplot.Num(Math.Log10(1 + max))}]");
        sc.AppendLine("set cblabel 'count (log scale)'");
        var tics = new List<string>();
        foreach (var v in new long[] { 0, 1, 10, 100, 1000, 10000 }.Where(v => v <= Math.Max(max, 1)))
            tics.Add($"'{v}' {Gnuplot.Num(Math.Log10(1 + v))}");
        sc.AppendLine($"set cbtics ({string.Join(", ", tics)})");
        sc.AppendLine("unset key");
        double threshold = Math.Log10(1 + max) * 0.6;
        string thr = Gnuplot.Num(threshold);
        sc.AppendLine($"plot {Gnuplot.Quote(dataFile)} using 1:2:4 with image pixels notitle, \\");
        sc.AppendLine($"     '' using 1:2:($4 > {thr} ? stringcolumn(3) : '') with labels tc rgb '#ffffff' font ',10' notitle, \\");
        sc.AppendLine($"     '' using 1:2:($4 <= {thr} && $3 > 0 ? stringcolumn(3) : '') with labels tc rgb '#222222' font ',10' notitle");
    }
}

/// <summary>Renders <see cref="ChartSpec"/>s to SVG by running the gnuplot program (a data file and a script per chart).</summary>
public sealed class Gnuplot(string executable = "gnuplot", TimeSpan? timeout = null)
{
    public string Executable { get; } = executable;
    public TimeSpan Timeout { get; } = timeout ?? TimeSpan.FromSeconds(60);

    /// <summary>gnuplot's version line, or null when it cannot be run.</summary>
    public string? Version()
    {
        try
        {
            var psi = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add("--version");
            using var p = Process.Start(psi);
            if (p is null) return null;
            var o = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(TimeSpan.FromSeconds(10))) { try { p.Kill(true); } catch (InvalidOperationException) { } return null; }
            return p.ExitCode == 0 ? o.Result.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception) { return null; }
    }

    /// <summary>The gnuplot script and data for one chart (exposed for tests).</summary>
    public static (string Script, string Data) Compose(ChartSpec chart, string outputFile, string dataFile)
    {
        var sc = new StringBuilder();
        var data = new StringBuilder();
        chart.Write(sc, data, dataFile);
        var head = new StringBuilder();
        head.AppendLine($"set terminal svg size {chart.Width},{chart.Height} fixed noenhanced font 'DejaVu Sans,11' background '#ffffff'");
        head.Append("set output ").AppendLine(Quote(outputFile));
        head.AppendLine("set encoding utf8");
        head.AppendLine("set datafile missing 'NaN'");
        head.Append("set title ").Append(Quote(chart.Title)).AppendLine(" font ',13'");
        return (head.ToString() + sc, data.ToString());
    }

    /// <summary>
    /// Renders every chart into <paramref name="imageDir"/> as <c>&lt;name&gt;.svg</c>, <paramref name="parallel"/> gnuplot
    /// processes at a time. Returns the charts that could not be drawn, with why (no data, gnuplot failed).
    /// </summary>
    public IReadOnlyDictionary<string, string> RenderAll(IReadOnlyList<ChartSpec> charts, string imageDir, int parallel = 2, CancellationToken cancel = default)
    {
        var failures = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        var work = Path.Combine(imageDir, $".gnuplot-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            Parallel.ForEach(charts, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallel), CancellationToken = cancel }, chart =>
            {
                if (!chart.HasData) { failures[chart.Name] = "no data to draw"; return; }
                var dataFile = Path.Combine(work, chart.Name + ".dat");
                var scriptFile = Path.Combine(work, chart.Name + ".gp");
                var tmpOut = Path.Combine(work, chart.Name + ".svg");
                // names relative to the work directory (gnuplot runs there), so no temp path reaches the SVG
                var (script, data) = Compose(chart, Path.GetFileName(tmpOut), Path.GetFileName(dataFile));
                File.WriteAllText(dataFile, data);
                File.WriteAllText(scriptFile, script);
                var error = Run(scriptFile, work);
                if (error is not null) { failures[chart.Name] = error; return; }
                if (!File.Exists(tmpOut) || new FileInfo(tmpOut).Length == 0) { failures[chart.Name] = $"gnuplot wrote no image for {scriptFile}"; return; }
                File.Move(tmpOut, Path.Combine(imageDir, chart.FileName), overwrite: true);
            });
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
        return failures;
    }

    /// <summary>Runs one script; null on success, else an error naming the script.</summary>
    string? Run(string scriptFile, string workDir)
    {
        var psi = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workDir,
        };
        psi.ArgumentList.Add(scriptFile);
        try
        {
            using var p = Process.Start(psi);
            if (p is null) return $"could not start {Executable}";
            var err = p.StandardError.ReadToEndAsync();
            _ = p.StandardOutput.ReadToEndAsync();
            if (!p.WaitForExit(Timeout))
            {
                try { p.Kill(true); } catch (InvalidOperationException) { }
                return $"gnuplot timed out after {Timeout.TotalSeconds:F0} s on {Path.GetFileName(scriptFile)}";
            }
            p.WaitForExit();
            return p.ExitCode == 0 ? null : $"gnuplot failed (exit {p.ExitCode}) on {Path.GetFileName(scriptFile)}: {Last(err.Result, 400)}";
        }
        catch (System.ComponentModel.Win32Exception e) { return $"cannot run {Executable}: {e.Message}"; }
    }

    static string Last(string s, int n) { s = s.Trim(); return s.Length <= n ? s : "…" + s[^n..]; }

    /// <summary>A gnuplot single-quoted string ('' escapes a quote).</summary>
    public static string Quote(string s) => "'" + s.Replace("'", "''").Replace("\n", " ") + "'";

    public static string Num(double? x) => x is not double v ? "" : double.IsNaN(v) ? "NaN" : v.ToString("G8", CultureInfo.InvariantCulture);

    /// <summary>'#AARRGGBB' where AA is gnuplot's transparency (00 opaque).</summary>
    public static string Color(string hex, double transparency)
    {
        var h = hex.TrimStart('#');
        if (h.Length != 6) throw new ArgumentException($"colour '{hex}': expected #RRGGBB");
        int a = (int)Math.Round(Math.Clamp(transparency, 0, 1) * 255);
        return a == 0 ? $"'#{h}'" : $"'#{a:x2}{h}'";
    }
}
