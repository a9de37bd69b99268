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
    /// <summary>Claims selected but not judged (<c>reproduce --no-train</c> without the cached runs they need).</summary>
    public IReadOnlyList<string> NotJudged { get; init; } = [];

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
        bool Apart(VerdictRow r) => r.Kind == nameof(ClaimKind.ByConstruction);
        sb.AppendLine("| verdict | count |").AppendLine("|---|---|");
        foreach (var g in Rows.Where(r => !Apart(r)).GroupBy(r => r.Verdict).OrderBy(g => g.Key)) sb.AppendLine($"| {g.Key} | {g.Count()} |");
        int apart = Rows.Count(Apart);
        if (NotJudged.Count > 0)
            sb.AppendLine().AppendLine($"Not judged in this run ({NotJudged.Count}: their experiments had fewer than 4 cached seeds; `harness reproduce` trains them): {string.Join(", ", NotJudged.Select(id => $"`{id}`"))}.");
        if (apart > 0) sb.AppendLine().AppendLine($"{apart} claim(s) whose verdict is fixed by construction (times on other hardware, a document's own buggy output, counts the document makes impossible) are listed apart under each document and not counted above.");
        foreach (var doc in Rows.GroupBy(r => r.Document))
        {
            sb.AppendLine().AppendLine($"## {doc.Key}").AppendLine();
            Table(doc.Where(r => !Apart(r)));
            if (doc.Any(Apart))
            {
                sb.AppendLine().AppendLine("Fixed by construction (not evidence about the document's reproducibility):").AppendLine();
                Table(doc.Where(Apart));
            }
        }
        void Table(IEnumerable<VerdictRow> rows)
        {
            sb.AppendLine("| claim | documented | measured (mean ± std [min, max]) | verdict | decided by | evidence |");
            sb.AppendLine("|---|---|---|---|---|---|");
            foreach (var r in rows)
                sb.AppendLine($"| `{r.Id}`<br>{Md(r.Quote)} | {Md(r.Documented)} | {Md(r.Measured)}{(r.Seeds is int n ? $" (N = {n})" : "")} | **{r.Verdict}** | {Md(r.Test.Length > 0 ? r.Test : r.Rule)} | {Md(r.Evidence)} |");
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
