using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using MnistClaims.Common;
using MnistClaims.Claims;

namespace MnistClaims.Reporting;

/// <summary>The verdict table of a reproduction: console, Markdown and JSON renderings.</summary>
public sealed record VerdictReport(string Profile, IReadOnlyList<long> Seeds, DateTimeOffset Generated, double WallSeconds, IReadOnlyList<VerdictRow> Rows)
{
    public IReadOnlyDictionary<string, int> Counts => Rows.GroupBy(r => r.Verdict).ToDictionary(g => g.Key, g => g.Count());

    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);
    public static VerdictReport FromJson(string json) => JsonSerializer.Deserialize<VerdictReport>(json, Json)!;

    public string ToConsole()
    {
        var sb = new StringBuilder();
        foreach (var doc in Rows.GroupBy(r => r.Document))
        {
            sb.AppendLine().AppendLine($"== {doc.Key} ==");
            int w = Math.Min(48, doc.Max(r => r.Id.Length));
            foreach (var r in doc)
                sb.AppendLine($"  {Cut(r.Id, w).PadRight(w)}  {r.Verdict,-14}  doc {Cut(r.Documented, 34),-34}  measured {Cut(r.Measured, 48)}");
        }
        sb.AppendLine().AppendLine("verdicts: " + string.Join(", ", Counts.OrderBy(k => k.Key).Select(k => $"{k.Value} {k.Key}")));
        return sb.ToString();
    }

    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        sb.AppendLine("# Verdicts").AppendLine();
        sb.AppendLine($"Profile `{Profile}`, seeds {string.Join(", ", Seeds)}, generated {Generated:yyyy-MM-dd HH:mm} UTC, wall time {TimeSpan.FromSeconds(WallSeconds):hh\\:mm\\:ss}.").AppendLine();
        sb.AppendLine("Rules: " + ClaimFactory.RulesText + ".").AppendLine();
        sb.AppendLine("| verdict | count |").AppendLine("|---|---|");
        foreach (var (k, v) in Counts.OrderBy(k => k.Key)) sb.AppendLine($"| {k} | {v} |");
        foreach (var doc in Rows.GroupBy(r => r.Document))
        {
            sb.AppendLine().AppendLine($"## {doc.Key}").AppendLine();
            sb.AppendLine("| claim | documented | measured (mean ± std [min, max]) | verdict | evidence |");
            sb.AppendLine("|---|---|---|---|---|");
            foreach (var r in doc)
                sb.AppendLine($"| `{r.Id}`<br>{Md(r.Quote)} | {Md(r.Documented)} | {Md(r.Measured)} | **{r.Verdict}** | {Md(r.Evidence)} |");
        }
        return sb.ToString();
    }

    static string Cut(string s, int n) => s.Length <= n ? s : s[..(n - 1)] + "…";
    static string Md(string s) => s.Replace("|", "\\|").Replace("\n", " ");

    /// <summary>Writes verdicts.md and verdicts.json atomically (temp file, then rename).</summary>
    public void Write(string directory)
    {
        Directory.CreateDirectory(directory);
        AtomicFile.WriteAllText(Path.Combine(directory, "verdicts.md"), ToMarkdown());
        AtomicFile.WriteAllText(Path.Combine(directory, "verdicts.json"), ToJson());
    }
}
