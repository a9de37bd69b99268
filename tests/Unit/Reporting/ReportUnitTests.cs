using MnistClaims.Claims.Documents;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using MnistClaims.Reporting;

namespace MnistClaims.Tests.Unit.Reporting;

[TestFixture]
public class PngTests
{
    [Test]
    public void Crc32_MatchesTheStandardCheckValue() =>
        Assert.That(Crc32.Compute(Encoding.ASCII.GetBytes("123456789")), Is.EqualTo(0xCBF43926u));

    [Test]
    public void Encode_WritesSignatureHeaderValidCrcsAndThePixels()
    {
        byte[] pixels = [0, 64, 128, 192, 255, 7];
        var png = Png.Encode(pixels, 3, 2);
        Assert.That(png[..8], Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }));
        var chunks = new List<(string Type, byte[] Data)>();
        int pos = 8;
        while (pos < png.Length)
        {
            int len = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(pos));
            var type = Encoding.ASCII.GetString(png, pos + 4, 4);
            var data = png.AsSpan(pos + 8, len).ToArray();
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos + 8 + len));
            Assert.That(crc, Is.EqualTo(Crc32.Compute(png.AsSpan(pos + 4, 4 + len))), $"CRC of {type}");
            chunks.Add((type, data));
            pos += 12 + len;
        }
        Assert.That(chunks.Select(c => c.Type), Is.EqualTo(new[] { "IHDR", "IDAT", "IEND" }));
        var ihdr = chunks[0].Data;
        Assert.Multiple(() =>
        {
            Assert.That(BinaryPrimitives.ReadInt32BigEndian(ihdr), Is.EqualTo(3));
            Assert.That(BinaryPrimitives.ReadInt32BigEndian(ihdr.AsSpan(4)), Is.EqualTo(2));
            Assert.That(ihdr[8], Is.EqualTo(8), "bit depth");
            Assert.That(ihdr[9], Is.EqualTo(0), "greyscale");
        });
        using var z = new ZLibStream(new MemoryStream(chunks[1].Data), CompressionMode.Decompress);
        using var raw = new MemoryStream();
        z.CopyTo(raw);
        Assert.That(raw.ToArray(), Is.EqualTo(new byte[] { 0, 0, 64, 128, 0, 192, 255, 7 }), "filter byte 0 then the row, per row");
    }

    [Test]
    public void Encode_IsDeterministicAndChecksItsInput()
    {
        var px = Enumerable.Range(0, 28 * 28 * 3).Select(i => (byte)i).ToArray();
        Assert.That(Png.Encode(px, 28, 28, 3), Is.EqualTo(Png.Encode(px, 28, 28, 3)));
        Assert.Throws<ArgumentException>(() => Png.Encode(px, 28, 28, 1));
        Assert.Throws<ArgumentException>(() => Png.Encode(px, 28, 28, 2));
    }

    [Test]
    public void Upscale_RepeatsEachPixel() =>
        Assert.That(Png.Upscale([1, 2, 3, 4], 2, 2, 2), Is.EqualTo(new byte[] { 1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4 }));
}

[TestFixture]
public class MarkdownTests
{
    [Test]
    public void Escape_NeutralisesTableAndEmphasisSyntax() =>
        Assert.That(MarkdownRenderer.Escape("a|b *c* _d_ [e](f) <g>"), Is.EqualTo(@"a\|b \*c\* \_d\_ \[e\](f) \<g\>"));

    [Test]
    public void Table_HasOneLinePerRowAndEscapedCells()
    {
        var md = MarkdownRenderer.Render([
            new TableBlock(["claim", "value"], [
                [Rich.Of(new CodeSpan("001-x"), new LineBreak(), new Txt("a | b")), "1"],
                [Rich.Of(new Badge("NOT REPRODUCED", "bad")), "2"],
            ]) { Numeric = new HashSet<int> { 1 } },
        ]);
        var lines = md.TrimEnd().Split('\n');
        Assert.That(lines, Has.Length.EqualTo(4));
        Assert.That(lines[1], Is.EqualTo("|---|---:|"));
        Assert.That(lines[2], Is.EqualTo(@"| `001-x`<br>a \| b | 1 |"));
        Assert.That(lines[3], Does.Contain("🔴 **NOT REPRODUCED**"));
    }

    [Test]
    public void FiguresAreRelativeImagesAndDigitGridsAreTables()
    {
        var md = MarkdownRenderer.Render([
            new Heading(2, "Doc", "doc-000"),
            new Figure("img/a.svg", "a chart"),
            new DigitGrid([new DigitCell("img/digits/t00001.png", "test image 1", "#1: 2 → 7", "p = 0.9")], 10),
            new Details("more", [new Paragraph("inside")]),
        ]);
        Assert.That(md, Does.Contain("## Doc\n"));
        Assert.That(md, Does.Contain("![a chart](img/a.svg)"));
        Assert.That(md, Does.Contain("| ![test image 1](img/digits/t00001.png)<br>\\#1: 2 → 7<br>p = 0.9 |"));
        Assert.That(md, Does.Contain("<details><summary>more</summary>\n\ninside\n\n</details>"));
        Assert.That(Regex.IsMatch(md, @"\]\(/|\]\(http"), Is.False, "no absolute or remote image references");
    }

    [Test]
    public void Html_EscapesTextAndColoursVerdicts()
    {
        var html = HtmlRenderer.Render("t", [new Paragraph(Rich.Of(new Txt("<script>"), new Badge("REPRODUCED", VerdictStyle.Kind("REPRODUCED"))))]);
        Assert.That(html, Does.Contain("&lt;script&gt;"));
        Assert.That(html, Does.Contain("<span class=\"badge ok\">REPRODUCED</span>"));
        Assert.That(html, Does.Not.Contain("http://").And.Not.Contain("https://"), "no network fetches");
    }

    [Test]
    public void DocumentedValues_ParsePrintedNumbers()
    {
        Assert.That(DocumentedValues.ParseDocumented("97.210% (rounded: [0.97205, 0.97215])"), Is.EqualTo(0.9721).Within(1e-12));
        Assert.That(DocumentedValues.ParseDocumented("0.0039 (rounded: [0.00385, 0.00395])"), Is.EqualTo(0.0039));
        Assert.That(DocumentedValues.ParseDocumented("0.9623-0.9698"), Is.Null);
        Assert.That(DocumentedValues.ParseDocumented("(the document's own numbers)"), Is.Null);
    }
}
