using System.Text.Json;

namespace MnistClaims.Tests.Unit.Tooling;

/// <summary>
/// `npm ci` (scripts/setup.sh) refuses a lockfile that is out of sync with package.json, and a lockfile written on one
/// platform by an older npm can lack the optional platform packages other machines need. Both are checked here, so a
/// fresh machine installs exactly the committed versions.
/// </summary>
public sealed class LockfileTests
{
    static readonly string Dir = Path.Combine(global::MnistClaims.Core.Runs.RepoPaths.RequireRoot(), "tools", "duckdb");

    static JsonElement Read(string file) => JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, file))).RootElement;

    static Dictionary<string, string> Deps(JsonElement e, string name) => e.TryGetProperty(name, out var d)
        ? d.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!) : [];

    [Test]
    public void Lockfile_root_matches_package_json()
    {
        var pkg = Read("package.json");
        var root = Read("package-lock.json").GetProperty("packages").GetProperty("");
        Assert.That(Deps(root, "dependencies"), Is.EqualTo(Deps(pkg, "dependencies")), "package-lock.json's root dependencies");
        Assert.That(Deps(root, "devDependencies"), Is.EqualTo(Deps(pkg, "devDependencies")), "package-lock.json's root devDependencies");
    }

    [Test]
    public void Every_dependency_and_optional_platform_package_is_locked()
    {
        var packages = Read("package-lock.json").GetProperty("packages");
        var locked = packages.EnumerateObject().Select(p => p.Name).ToHashSet();
        foreach (var p in packages.EnumerateObject())
            foreach (var kind in new[] { "dependencies", "optionalDependencies" })
                foreach (var (dep, version) in Deps(p.Value, kind))
                {
                    var path = $"node_modules/{dep}";
                    Assert.That(locked, Does.Contain(path), $"{p.Name} needs {dep} ({kind}) but the lockfile has no entry for it");
                    if (char.IsDigit(version[0]))   // an exact version (ranges such as ^2.1.2 are npm's to resolve)
                        Assert.That(packages.GetProperty(path).GetProperty("version").GetString(), Is.EqualTo(version), $"{dep} locked version");
                }
        Assert.That(locked, Does.Contain("node_modules/@duckdb/node-bindings-linux-x64"), "the binding this machine kind loads");
    }
}
