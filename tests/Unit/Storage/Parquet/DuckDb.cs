using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace MnistClaims.Tests.Unit.Storage.Parquet;

/// <summary>
/// Runs SQL through tools/duckdb/query.mjs (node + @duckdb/node-api) for interop tests.
/// Locating the tool: env MNIST_CLAIMS_DUCKDB_DIR, else walk up from the test binary directory, else from this
/// source file's compile-time path, looking for tools/duckdb/query.mjs. node comes from env NODE or PATH.
/// A missing node or node_modules FAILS the test (never silently passes) and says to run `make setup`.
/// </summary>
public static class DuckDb
{
    public sealed record Result(IReadOnlyList<(string Name, string Type)> Columns, IReadOnlyList<JsonElement[]> Rows)
    {
        public int Col(string name)
        {
            for (int i = 0; i < Columns.Count; i++) if (Columns[i].Name == name) return i;
            throw new KeyNotFoundException($"duckdb result has no column '{name}': {string.Join(", ", Columns.Select(c => c.Name))}");
        }
    }

    private static string? _toolDir;

    public static string ToolDir => _toolDir ??= LocateToolDir();

    public static string Quote(string path) => "'" + path.Replace("'", "''") + "'";

    private static string LocateToolDir([CallerFilePath] string sourceFile = "")
    {
        var env = Environment.GetEnvironmentVariable("MNIST_CLAIMS_DUCKDB_DIR");
        if (!string.IsNullOrEmpty(env)) return env;
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile) ?? "" })
        {
            for (var d = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); d != null; d = d.Parent)
            {
                var candidate = Path.Combine(d.FullName, "tools", "duckdb");
                if (File.Exists(Path.Combine(candidate, "query.mjs"))) return candidate;
            }
        }
        Assert.Fail("cannot find tools/duckdb/query.mjs above the test directory; set MNIST_CLAIMS_DUCKDB_DIR or run from the repository");
        return null!;
    }

    /// <summary>Fails the calling test unless node and @duckdb/node-api are installed.</summary>
    public static void RequireInstalled()
    {
        var dir = ToolDir;
        if (!Directory.Exists(Path.Combine(dir, "node_modules", "@duckdb", "node-api")))
            Assert.Fail($"DuckDB interop tooling is not installed ({Path.Combine(dir, "node_modules", "@duckdb", "node-api")} is missing). Run `make setup` (or `npm ci --prefix tools/duckdb`).");
    }

    public static Result Query(string sql)
    {
        RequireInstalled();
        var node = Environment.GetEnvironmentVariable("NODE");
        if (string.IsNullOrEmpty(node)) node = "node";
        var psi = new ProcessStartInfo(node)
        {
            WorkingDirectory = ToolDir,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
        };
        psi.ArgumentList.Add(Path.Combine(ToolDir, "query.mjs"));
        Process p;
        try { p = Process.Start(psi)!; }
        catch (Exception ex)
        {
            Assert.Fail($"cannot start node ('{node}'): {ex.Message}. Install node 20+ and run `make setup`.");
            throw;
        }
        using (p)
        {
            p.StandardInput.Write(sql);
            p.StandardInput.Close();
            var stdoutTask = p.StandardOutput.ReadToEndAsync();
            var stderrTask = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(120_000))
            {
                p.Kill(entireProcessTree: true);
                Assert.Fail($"duckdb query timed out: {sql}");
            }
            var stdout = stdoutTask.Result;
            var stderr = stderrTask.Result;
            if (p.ExitCode != 0) Assert.Fail($"duckdb query failed (exit {p.ExitCode}): {stderr}\nSQL: {sql}");
            using var doc = JsonDocument.Parse(stdout);
            var cols = doc.RootElement.GetProperty("columns").EnumerateArray()
                .Select(c => (c.GetProperty("name").GetString()!, c.GetProperty("type").GetString()!)).ToList();
            var rows = doc.RootElement.GetProperty("rows").EnumerateArray()
                .Select(r => r.EnumerateArray().Select(e => e.Clone()).ToArray()).ToList();
            return new Result(cols, rows);
        }
    }

    /// <summary>Double from a DuckDB JSON value (number, or "NaN"/"Infinity"/"-Infinity"/bigint string).</summary>
    public static double AsDouble(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number => e.GetDouble(),
        JsonValueKind.String => e.GetString() switch
        {
            "NaN" => double.NaN,
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            var s => double.Parse(s!, System.Globalization.CultureInfo.InvariantCulture),
        },
        _ => throw new InvalidOperationException($"not a number: {e}"),
    };

    public static long AsInt64(JsonElement e) => e.ValueKind == JsonValueKind.String
        ? long.Parse(e.GetString()!, System.Globalization.CultureInfo.InvariantCulture)
        : e.GetInt64();
}
