using System.Text.Json;
using MnistClaims.Claims;

namespace MnistClaims.Harness.Cli;

/// <summary><c>harness claims</c>: lists the registry (claims or experiments), as text or JSON.</summary>
public static class ClaimsCommand
{
    static readonly Flag[] Flags =
    [
        new("json", null, "print JSON instead of text"),
        new("experiments", null, "list the experiments instead of the claims"),
        new("documents", "P,P,..", "only these documents (file-name prefixes)"),
    ];

    public static int Run(string[] argv)
    {
        var a = new Args("claims", Flags, argv);
        if (a.HelpRequested) { Console.Out.Write(Args.Help("harness claims [options]", "Lists every claim of the five documents with its metric, documented value, tolerance and assumptions.", Flags)); return 0; }
        a.NoPositionals();
        var claims = Judge.Select(ReproduceCommand.List(a.String("documents")), null);
        var json = new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
        if (a.Switch("experiments"))
        {
            var exps = Judge.ExperimentsOf(claims).Concat(Registry.Experiments.Where(e => claims.Any(c => c.Document == e.Document))).Distinct().ToArray();
            if (a.Switch("json"))
                Console.Out.WriteLine(JsonSerializer.Serialize(exps.Select(e => new { e.Id, e.Document, e.Title, config = JsonDocument.Parse(e.Config.ToCanonicalJson(false)).RootElement, e.Assumptions, total_steps = e.TotalSteps, fast_steps = e.FastSteps }), json));
            else
                foreach (var e in exps) Console.Out.WriteLine($"{e.Id,-28} {e.TotalSteps,10:N0} steps  {e.Title}");
            return 0;
        }
        if (a.Switch("json"))
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(claims.Select(c => new
            {
                c.Id, c.Document, kind = c.Kind.ToString(), c.Quote, c.Metric, c.Documented, c.Rule, c.Assumptions, c.Experiments,
            }), json));
            return 0;
        }
        foreach (var doc in claims.GroupBy(c => c.Document))
        {
            Console.Out.WriteLine($"== {doc.Key} ({doc.Count()} claims)");
            foreach (var c in doc)
            {
                Console.Out.WriteLine($"  {c.Id}  [{c.Kind}]");
                Console.Out.WriteLine($"      quote:      {c.Quote}");
                Console.Out.WriteLine($"      metric:     {c.Metric}");
                Console.Out.WriteLine($"      documented: {c.Documented}");
                Console.Out.WriteLine($"      rule:       {c.Rule}");
                if (c.Experiments.Count > 0) Console.Out.WriteLine($"      experiments: {string.Join(", ", c.Experiments)}");
                foreach (var s in c.Assumptions) Console.Out.WriteLine($"      assumes:    {s}");
            }
        }
        Console.Out.WriteLine($"{claims.Count} claims");
        return 0;
    }
}
