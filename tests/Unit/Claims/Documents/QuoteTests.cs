using System.Text.RegularExpressions;
using MnistClaims.Claims;
using MnistClaims.Core.Runs;

namespace MnistClaims.Tests.Unit.Claims.Documents;

/// <summary>
/// Every claim's quote is the document's own words (issue 12, item 5): the fragments of a quote, separated by " ... "
/// (or " … "), each occur in the document text, compared with runs of whitespace collapsed to one space. Labels,
/// locators and the harness's own paraphrase belong in the claim's metric or assumptions, never in its quote.
/// </summary>
public sealed class QuoteTests
{
    /// <summary>The five documents: $MNIST_CLAIMS_DOCUMENTS, else the copy committed under documents/ (so the test
    /// needs nothing outside the checkout).</summary>
    static string? DocumentsDir()
    {
        var env = Environment.GetEnvironmentVariable("MNIST_CLAIMS_DOCUMENTS");
        if (!string.IsNullOrWhiteSpace(env) && Directory.Exists(env)) return env;
        if (RepoPaths.Root is not { } root) return null;
        var dir = Path.Combine(root, "documents");
        return Directory.Exists(dir) ? dir : null;
    }

    /// <summary>The committed copy is the documents as published (../shared/seeds beside the checkout, where it exists).</summary>
    [Test]
    public void The_committed_documents_are_the_published_ones()
    {
        var root = RepoPaths.RequireRoot();
        foreach (var d in Registry.Documents)
            Assert.That(File.Exists(Path.Combine(root, "documents", d)), Is.True, $"documents/{d} is missing");
        var shared = Path.GetFullPath(Path.Combine(root, "..", "shared", "seeds"));
        if (!Directory.Exists(shared)) return;   // a clone without the shared folder: the committed copy is what there is
        foreach (var d in Registry.Documents.Append("NOTES.md"))
            Assert.That(File.ReadAllBytes(Path.Combine(root, "documents", d)), Is.EqualTo(File.ReadAllBytes(Path.Combine(shared, d))), $"documents/{d} differs from ../shared/seeds/{d}");
    }

    static string Normalize(string s) => Regex.Replace(s, @"\s+", " ").Trim();

    /// <summary>The fragments a quote is made of.</summary>
    public static IEnumerable<string> Fragments(string quote) =>
        Regex.Split(quote, @"\s+(?:\.\.\.|…)\s+|^(?:\.\.\.|…)\s+|\s+(?:\.\.\.|…)$").Select(Normalize).Where(f => f.Length > 0);

    [Test]
    public void Fragments_split_on_elisions_only()
    {
        Assert.That(Fragments("a b ... c  d … e"), Is.EqualTo(new[] { "a b", "c d", "e" }));
        Assert.That(Fragments("misses[:20]"), Is.EqualTo(new[] { "misses[:20]" }));
    }

    [Test]
    public void Every_quote_occurs_verbatim_in_its_document()
    {
        var dir = DocumentsDir();
        Requires.Tool(dir is not null, "the documents (documents/ in the checkout or $MNIST_CLAIMS_DOCUMENTS) are missing");
        var texts = Registry.Documents.ToDictionary(d => d, d => Normalize(File.ReadAllText(Path.Combine(dir!, d))));
        var bad = new List<string>();
        foreach (var c in Registry.Claims)
        {
            if (string.IsNullOrWhiteSpace(c.Quote)) { bad.Add($"{c.Id}: empty quote"); continue; }
            foreach (var f in Fragments(c.Quote))
                if (!texts[c.Document].Contains(f, StringComparison.Ordinal)) bad.Add($"{c.Id}: \"{f}\"");
        }
        Assert.That(bad, Is.Empty, $"{bad.Count} quote fragment(s) are not the document's words:\n" + string.Join("\n", bad));
    }
}
