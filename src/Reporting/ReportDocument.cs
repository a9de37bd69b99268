using System.Globalization;
using System.Net;
using System.Text;

namespace MnistClaims.Reporting;

// A small document model the report is built in once and rendered twice: self-contained HTML and
// Markdown that a code host renders. Text is plain: each renderer escapes it for its own syntax.

public abstract record Inline;
public sealed record Txt(string Text) : Inline;
public sealed record CodeSpan(string Text) : Inline;
public sealed record Strong(string Text) : Inline;
public sealed record LinkSpan(string Text, string Href) : Inline;
/// <summary>A coloured label (verdicts); <see cref="Kind"/> picks the colour.</summary>
public sealed record Badge(string Text, string Kind) : Inline;
public sealed record LineBreak : Inline;

/// <summary>A run of inline spans; a plain string converts implicitly.</summary>
public sealed class Rich(IReadOnlyList<Inline> parts)
{
    public IReadOnlyList<Inline> Parts { get; } = parts;
    public static implicit operator Rich(string s) => new([new Txt(s)]);
    public static Rich Of(params Inline[] parts) => new(parts);
    public string PlainText => string.Concat(Parts.Select(p => p switch
    {
        Txt t => t.Text, CodeSpan c => c.Text, Strong s => s.Text, LinkSpan l => l.Text, Badge b => b.Text, LineBreak => " ", _ => "",
    }));
}

public abstract record Block;
public sealed record Heading(int Level, Rich Text, string Id) : Block;
/// <summary><see cref="Kind"/>: null, "note" (muted) or "warn" (a highlighted box: missing inputs).</summary>
public sealed record Paragraph(Rich Text, string? Kind = null) : Block;
public sealed record BulletList(IReadOnlyList<Rich> Items) : Block;
public sealed record TableBlock(IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<Rich>> Rows) : Block
{
    /// <summary>Right-aligned (numeric) columns.</summary>
    public IReadOnlySet<int> Numeric { get; init; } = new HashSet<int>();
    public string? Css { get; init; }
}
public sealed record Figure(string Src, string Alt, Rich? Caption = null) : Block;
/// <summary>Blocks side by side in HTML, one after the other in Markdown.</summary>
public sealed record Row(IReadOnlyList<Block> Items) : Block;
public sealed record Details(string Summary, IReadOnlyList<Block> Body) : Block;
public sealed record DigitCell(string Src, string Alt, string Line1, string Line2);
public sealed record DigitGrid(IReadOnlyList<DigitCell> Cells, int Columns = 10) : Block;

public static class VerdictStyle
{
    public const string NotRun = "NOT RUN";

    public static string Kind(string verdict) => verdict switch
    {
        "REPRODUCED" => "ok",
        "NOT REPRODUCED" => "bad",
        "INCONCLUSIVE" => "inconc",
        "INCONSISTENT" => "incons",
        "WITHIN NOISE" => "noise",
        "CONSISTENT" => "cons",
        _ => "none",
    };

    /// <summary>A marker a Markdown renderer can show without colour.</summary>
    public static string Symbol(string kind) => kind switch
    {
        "ok" => "🟢", "bad" => "🔴", "inconc" => "🟡", "incons" => "🟠", "noise" => "🟣", "cons" => "🔵", _ => "⚪",
    };
}

public static class HtmlRenderer
{
    public const string Css = """
        :root { --ok:#1e7b34; --ok-bg:#dcf3e1; --bad:#a4161a; --bad-bg:#fbe0e0; --incons:#9a5b00; --incons-bg:#fdebd0; --cons:#1d4f91; --cons-bg:#dde8f7; --inconc:#6b5a00; --inconc-bg:#fbf3c4; --noise:#5b3a8a; --noise-bg:#ece3f7; --none:#555; --none-bg:#e9e9e9; }
        * { box-sizing: border-box; }
        body { font-family: "DejaVu Sans", system-ui, -apple-system, "Segoe UI", sans-serif; font-size: 14px; line-height: 1.45; color: #1b1b1b; margin: 0; background: #fafafa; }
        main { max-width: 1500px; margin: 0 auto; padding: 16px 28px 40px; background: #fff; }
        h1 { font-size: 26px; margin: 8px 0 4px; }
        h2 { font-size: 21px; margin: 34px 0 8px; padding-top: 10px; border-top: 3px solid #333; }
        h3 { font-size: 17px; margin: 24px 0 6px; border-bottom: 1px solid #ddd; padding-bottom: 3px; }
        h4 { font-size: 15px; margin: 18px 0 4px; color: #333; }
        code { font-family: "DejaVu Sans Mono", ui-monospace, monospace; font-size: 12.5px; background: #f2f2f2; padding: 0 3px; border-radius: 3px; }
        table { border-collapse: collapse; margin: 8px 0 14px; font-size: 13px; }
        th, td { border: 1px solid #d6d6d6; padding: 4px 7px; vertical-align: top; text-align: left; }
        th { background: #f0f0f0; position: sticky; top: 0; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        table.verdicts td:nth-child(1) { max-width: 430px; }
        table.verdicts td:nth-child(2), table.verdicts td:nth-child(3) { max-width: 260px; }
        table.verdicts td:nth-child(5) { max-width: 330px; color: #444; font-size: 12px; }
        .badge { display: inline-block; padding: 1px 7px; border-radius: 10px; font-weight: 600; font-size: 12px; white-space: nowrap; }
        .badge.ok { color: var(--ok); background: var(--ok-bg); } .badge.bad { color: var(--bad); background: var(--bad-bg); }
        .badge.incons { color: var(--incons); background: var(--incons-bg); } .badge.cons { color: var(--cons); background: var(--cons-bg); } .badge.inconc { color: var(--inconc); background: var(--inconc-bg); } .badge.noise { color: var(--noise); background: var(--noise-bg); }
        .badge.none { color: var(--none); background: var(--none-bg); }
        p.note { color: #555; font-size: 13px; margin: 4px 0; }
        p.warn { background: #fff4d6; border-left: 4px solid #e0a800; padding: 6px 10px; }
        figure { margin: 8px 0; }
        figure img { max-width: 100%; height: auto; border: 1px solid #e3e3e3; background: #fff; }
        figcaption { font-size: 12px; color: #555; }
        .row { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 14px 18px; align-items: start; }
        .row > * { min-width: 0; }
        .row figure img { width: 100%; }
        details { margin: 6px 0; } summary { cursor: pointer; color: #333; }
        .digits { display: grid; gap: 6px; margin: 8px 0 14px; }
        .digit { text-align: center; font-size: 11px; line-height: 1.25; }
        .digit img { width: 56px; height: 56px; image-rendering: pixelated; display: block; margin: 0 auto 2px; border: 1px solid #ccc; }
        nav ul { columns: 2; margin: 4px 0; }
        footer { margin-top: 40px; border-top: 3px solid #333; padding-top: 6px; }
        """;

    public static string Render(string title, IReadOnlyList<Block> blocks)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        sb.Append("<title>").Append(E(title)).Append("</title>\n<style>\n").Append(Css).Append("\n</style>\n</head>\n<body>\n<main>\n");
        foreach (var b in blocks) Block(sb, b);
        sb.Append("</main>\n</body>\n</html>\n");
        return sb.ToString();
    }

    static string E(string s) => WebUtility.HtmlEncode(s);

    public static string Inline(Rich r)
    {
        var sb = new StringBuilder();
        foreach (var p in r.Parts)
            sb.Append(p switch
            {
                Txt t => E(t.Text),
                CodeSpan c => $"<code>{E(c.Text)}</code>",
                Strong s => $"<strong>{E(s.Text)}</strong>",
                LinkSpan l => $"<a href=\"{E(l.Href)}\">{E(l.Text)}</a>",
                Badge b => $"<span class=\"badge {E(b.Kind)}\">{E(b.Text)}</span>",
                LineBreak => "<br>",
                _ => "",
            });
        return sb.ToString();
    }

    static void Block(StringBuilder sb, Block b)
    {
        switch (b)
        {
            case Heading h:
                sb.Append($"<h{h.Level} id=\"{E(h.Id)}\">").Append(Inline(h.Text)).Append($"</h{h.Level}>\n");
                break;
            case Paragraph p:
                sb.Append(p.Kind is null ? "<p>" : $"<p class=\"{E(p.Kind)}\">").Append(Inline(p.Text)).Append("</p>\n");
                break;
            case BulletList l:
                sb.Append("<ul>\n");
                foreach (var i in l.Items) sb.Append("<li>").Append(Inline(i)).Append("</li>\n");
                sb.Append("</ul>\n");
                break;
            case TableBlock t:
                sb.Append(t.Css is null ? "<table>\n" : $"<table class=\"{E(t.Css)}\">\n").Append("<thead><tr>");
                foreach (var h in t.Header) sb.Append("<th>").Append(E(h)).Append("</th>");
                sb.Append("</tr></thead>\n<tbody>\n");
                foreach (var row in t.Rows)
                {
                    sb.Append("<tr>");
                    for (int i = 0; i < row.Count; i++)
                        sb.Append(t.Numeric.Contains(i) ? "<td class=\"num\">" : "<td>").Append(Inline(row[i])).Append("</td>");
                    sb.Append("</tr>\n");
                }
                sb.Append("</tbody>\n</table>\n");
                break;
            case Figure f:
                sb.Append("<figure><img src=\"").Append(E(f.Src)).Append("\" alt=\"").Append(E(f.Alt)).Append("\" loading=\"eager\">");
                if (f.Caption is not null) sb.Append("<figcaption>").Append(Inline(f.Caption)).Append("</figcaption>");
                sb.Append("</figure>\n");
                break;
            case Row r:
                sb.Append("<div class=\"row\">\n");
                foreach (var i in r.Items) { sb.Append("<div>\n"); Block(sb, i); sb.Append("</div>\n"); }
                sb.Append("</div>\n");
                break;
            case Details d:
                sb.Append("<details><summary>").Append(E(d.Summary)).Append("</summary>\n");
                foreach (var i in d.Body) Block(sb, i);
                sb.Append("</details>\n");
                break;
            case DigitGrid g:
                sb.Append($"<div class=\"digits\" style=\"grid-template-columns: repeat({g.Columns}, 84px)\">\n");
                foreach (var c in g.Cells)
                    sb.Append("<div class=\"digit\"><img src=\"").Append(E(c.Src)).Append("\" alt=\"").Append(E(c.Alt)).Append("\">")
                      .Append(E(c.Line1)).Append("<br>").Append(E(c.Line2)).Append("</div>\n");
                sb.Append("</div>\n");
                break;
            default:
                throw new InvalidOperationException($"unknown block {b.GetType().Name}");
        }
    }
}

public static class MarkdownRenderer
{
    public static string Render(IReadOnlyList<Block> blocks)
    {
        var sb = new StringBuilder();
        foreach (var b in blocks) Block(sb, b);
        return sb.ToString().TrimEnd() + "\n";
    }

    /// <summary>Escapes the characters Markdown (GFM) would read as syntax, including '|' for table cells.</summary>
    public static string Escape(string s)
    {
        var sb = new StringBuilder(s.Length + 8);
        foreach (var ch in s)
        {
            if (ch is '\\' or '`' or '*' or '_' or '[' or ']' or '<' or '>' or '|' or '#' or '~') sb.Append('\\');
            if (ch is '\n' or '\r') { sb.Append(' '); continue; }
            sb.Append(ch);
        }
        return sb.ToString();
    }

    static string Code(string s)
    {
        s = s.Replace("\n", " ").Replace("|", "\\|");
        int ticks = 1;
        while (s.Contains(new string('`', ticks))) ticks++;
        var fence = new string('`', ticks);
        return ticks > 1 || s.StartsWith('`') || s.EndsWith('`') ? $"{fence} {s} {fence}" : $"{fence}{s}{fence}";
    }

    public static string Inline(Rich r) => string.Concat(r.Parts.Select(p => p switch
    {
        Txt t => Escape(t.Text),
        CodeSpan c => Code(c.Text),
        Strong s => $"**{Escape(s.Text)}**",
        LinkSpan l => $"[{Escape(l.Text)}]({l.Href.Replace(" ", "%20").Replace(")", "%29")})",
        Badge b => $"{VerdictStyle.Symbol(b.Kind)} **{Escape(b.Text)}**",
        LineBreak => "<br>",
        _ => "",
    }));

    static void Block(StringBuilder sb, Block b)
    {
        switch (b)
        {
            case Heading h:
                sb.Append('#', h.Level).Append(' ').Append(Inline(h.Text)).Append("\n\n");
                break;
            case Paragraph p:
                sb.Append(p.Kind == "warn" ? "> **⚠** " : "").Append(Inline(p.Text)).Append("\n\n");
                break;
            case BulletList l:
                foreach (var i in l.Items) sb.Append("- ").Append(Inline(i)).Append('\n');
                sb.Append('\n');
                break;
            case TableBlock t:
                sb.Append("| ").Append(string.Join(" | ", t.Header.Select(Escape))).Append(" |\n|");
                for (int i = 0; i < t.Header.Count; i++) sb.Append(t.Numeric.Contains(i) ? "---:|" : "---|");
                sb.Append('\n');
                foreach (var row in t.Rows) sb.Append("| ").Append(string.Join(" | ", row.Select(Inline))).Append(" |\n");
                sb.Append('\n');
                break;
            case Figure f:
                sb.Append("![").Append(Escape(f.Alt)).Append("](").Append(f.Src).Append(")\n\n");
                if (f.Caption is not null) sb.Append('*').Append(Inline(f.Caption)).Append("*\n\n");
                break;
            case Row r:
                foreach (var i in r.Items) Block(sb, i);
                break;
            case Details d:
                sb.Append("<details><summary>").Append(System.Net.WebUtility.HtmlEncode(d.Summary)).Append("</summary>\n\n");
                foreach (var i in d.Body) Block(sb, i);
                sb.Append("</details>\n\n");
                break;
            case DigitGrid g:
                if (g.Cells.Count == 0) break;
                int cols = Math.Min(g.Columns, g.Cells.Count);
                sb.Append('|').Append(string.Concat(Enumerable.Repeat("   |", cols))).Append("\n|").Append(string.Concat(Enumerable.Repeat(":-:|", cols))).Append('\n');
                for (int i = 0; i < g.Cells.Count; i += cols)
                {
                    sb.Append('|');
                    for (int j = i; j < i + cols; j++)
                    {
                        if (j < g.Cells.Count)
                        {
                            var c = g.Cells[j];
                            sb.Append($" ![{Escape(c.Alt)}]({c.Src})<br>{Escape(c.Line1)}<br>{Escape(c.Line2)} |");
                        }
                        else sb.Append("   |");
                    }
                    sb.Append('\n');
                }
                sb.Append('\n');
                break;
            default:
                throw new InvalidOperationException($"unknown block {b.GetType().Name}");
        }
    }

    internal static string F(double x, string format = "G4") => x.ToString(format, CultureInfo.InvariantCulture);
}
