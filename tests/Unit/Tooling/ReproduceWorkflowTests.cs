using System.Text.RegularExpressions;
using MnistClaims.Common;
using MnistClaims.Core.Runs;
using YamlDotNet.RepresentationModel;

namespace MnistClaims.Tests.Unit.Tooling;

/// <summary>
/// .github/workflows/reproduce.yml cannot run here (no GitHub runners), so its structure is checked: the plan job's
/// script, run with bash, turns SHARDS into exactly the indices 0..SHARDS-1; every matrix job trains its shard into
/// the cache it uploads (hidden shard records included); the merge job needs the matrix job, downloads every shard's
/// artifact, merges, judges from the merged cache and uploads the report.
/// </summary>
public class ReproduceWorkflowTests
{
    static readonly string File_ = Path.Combine(RepoPaths.RequireRoot(), ".github", "workflows", "reproduce.yml");
    YamlMappingNode _root = null!;

    [OneTimeSetUp]
    public void Parse()
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(File_);
        yaml.Load(reader);
        _root = (YamlMappingNode)yaml.Documents.Single().RootNode;
    }

    static YamlNode At(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            Assert.That(node, Is.InstanceOf<YamlMappingNode>(), $"{string.Join('.', path)}: '{key}' under a mapping");
            var map = (YamlMappingNode)node;
            Assert.That(map.Children.ContainsKey(key), Is.True, $"{File_}: no '{key}' (looking for {string.Join('.', path)})");
            node = map[key];
        }
        return node;
    }

    static string S(YamlNode n) => ((YamlScalarNode)n).Value ?? "";

    YamlMappingNode Job(string name) => (YamlMappingNode)At(_root, "jobs", name);

    static List<YamlMappingNode> Steps(YamlMappingNode job) => ((YamlSequenceNode)At(job, "steps")).Children.Cast<YamlMappingNode>().ToList();

    /// <summary>The matrix index as one word, so that a path holding it matches \S+.</summary>
    static string K(string text) => text.Replace("${{ matrix.shard }}", "{K}");

    static string Run(YamlMappingNode step) => step.Children.TryGetValue("run", out var r) ? S(r) : "";
    static string? Uses(YamlMappingNode step) => step.Children.TryGetValue("uses", out var u) ? S(u) : null;

    static IReadOnlyList<string> Needs(YamlMappingNode job) => At(job, "needs") switch
    {
        YamlScalarNode s => [s.Value!],
        YamlSequenceNode q => q.Children.Select(S).ToArray(),
        _ => [],
    };

    [TestCase(1)]
    [TestCase(3)]
    [TestCase(8)]
    [TestCase(0)]   // the workflow's own default
    public void The_plan_job_lists_every_shard_index_once(int shards)
    {
        if (shards == 0)
        {
            var env = S(At(_root, "env", "SHARDS"));
            var m = Regex.Match(env, @"\|\|\s*'(\d+)'");
            Assert.That(m.Success, Is.True, $"env.SHARDS has a default: {env}");
            shards = int.Parse(m.Groups[1].Value);
            Assert.That(S(At(_root, "on", "workflow_dispatch", "inputs", "shards", "default")), Is.EqualTo(m.Groups[1].Value), "one default, stated twice alike");
        }
        var plan = Job("plan");
        var step = Steps(plan).Single(s => s.Children.TryGetValue("id", out var id) && S(id) == "matrix");
        Assert.That(S(At(plan, "outputs", "shards")), Is.EqualTo("${{ steps.matrix.outputs.shards }}"));
        var output = Path.GetTempFileName();
        try
        {
            var r = ProcessRunner.Run(new ProcessSpec("bash", ["-e", "-c", Run(step)])
            {
                Environment = new Dictionary<string, string?> { ["SHARDS"] = shards.ToString(), ["GITHUB_OUTPUT"] = output },
            }, TimeSpan.FromSeconds(30));
            Assert.That(r.ExitCode, Is.EqualTo(0), r.Tail());
            var line = File.ReadAllLines(output).Single();
            Assert.That(line, Is.EqualTo($"shards=[{string.Join(',', Enumerable.Range(0, shards))}]"));
        }
        finally { File.Delete(output); }
    }

    [Test]
    public void The_plan_job_refuses_a_bad_shard_count()
    {
        var step = Steps(Job("plan")).Single(s => s.Children.ContainsKey("id"));
        var r = ProcessRunner.Run(new ProcessSpec("bash", ["-c", Run(step)]) { Environment = new Dictionary<string, string?> { ["SHARDS"] = "0", ["GITHUB_OUTPUT"] = "/dev/null" } }, TimeSpan.FromSeconds(30));
        Assert.That(r.ExitCode, Is.Not.EqualTo(0));
    }

    [Test]
    public void Each_matrix_job_trains_its_shard_and_uploads_that_cache()
    {
        var shard = Job("shard");
        Assert.That(Needs(shard), Does.Contain("plan"));
        Assert.That(S(At(shard, "strategy", "matrix", "shard")), Is.EqualTo("${{ fromJSON(needs.plan.outputs.shards) }}"), "the matrix is the plan's list");
        Assert.That(S(At(shard, "strategy", "fail-fast")), Is.EqualTo("false"), "a failed shard does not cancel the others");
        var steps = Steps(shard);
        var train = steps.Single(s => Run(s).Contains("reproduce --shard"));
        var m = Regex.Match(K(Run(train)), @"reproduce --shard \{K\}/\$SHARDS --cache (\S+)");
        Assert.That(m.Success, Is.True, $"trains shard matrix.shard of SHARDS into a named cache: {Run(train)}");
        var cache = m.Groups[1].Value;
        Assert.That(cache, Does.Contain("{K}"), "each shard its own cache");
        var upload = steps.Single(s => Uses(s)?.StartsWith("actions/upload-artifact@") == true);
        Assert.That(K(S(At(upload, "with", "path"))), Is.EqualTo(cache));
        Assert.That(S(At(upload, "with", "name")), Does.Contain("${{ matrix.shard }}"));
        Assert.That(S(At(upload, "with", "include-hidden-files")), Is.EqualTo("true"), ".shards/ (plan and progress records) goes with the runs");
        Assert.That(steps.IndexOf(upload), Is.GreaterThan(steps.IndexOf(train)));
    }

    [Test]
    public void The_merge_job_needs_every_shard_and_judges_the_merged_cache()
    {
        var merge = Job("merge");
        Assert.That(Needs(merge), Does.Contain("shard"), "waits for the whole matrix");
        Assert.That(S(At(merge, "if")), Does.Contain("!cancelled()"), "runs after failed shards too, to name them");
        var steps = Steps(merge);
        var download = steps.Single(s => Uses(s)?.StartsWith("actions/download-artifact@") == true);
        var pattern = S(At(download, "with", "pattern"));
        var uploaded = S(At(Steps(Job("shard")).Single(s => Uses(s)?.StartsWith("actions/upload-artifact@") == true), "with", "name"));
        Assert.That(Regex.IsMatch(uploaded.Replace("${{ matrix.shard }}", "7"), "^" + Regex.Escape(pattern).Replace("\\*", ".*") + "$"), Is.True,
            $"the download pattern {pattern} matches every shard's artifact {uploaded}");
        var dir = S(At(download, "with", "path"));
        int Index(string text) => steps.FindIndex(s => Run(s).Contains(text));
        var mergeRun = Run(steps[Index("merge ")]);
        Assert.That(mergeRun, Does.Contain($"merge {dir}/"), "merges what was downloaded");
        var into = Regex.Match(mergeRun, @"--into (\S+)").Groups[1].Value;
        Assert.That(Run(steps[Index("--from-cache")]), Does.Contain($"reproduce --from-cache {into} "));
        Assert.That(Run(steps[Index("report --cache")]), Does.Contain($"report --cache {into} "));
        Assert.That(new[] { Index("merge "), Index("--from-cache"), Index("report --cache") }, Is.Ordered.And.All.GreaterThan(steps.IndexOf(download)));
        var report = steps.Last(s => Uses(s)?.StartsWith("actions/upload-artifact@") == true);
        Assert.That(S(At(report, "with", "path")), Is.EqualTo(Regex.Match(Run(steps[Index("--from-cache")]), @"--out (\S+)").Groups[1].Value), "uploads the report it wrote");
    }
}
