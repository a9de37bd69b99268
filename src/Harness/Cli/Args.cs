using System.Globalization;
using System.Text;

namespace MnistClaims.Harness.Cli;

/// <summary>A command-line usage error; the CLI prints it on one line and exits with code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>One flag of a command: its name, value placeholder (null for switches), default and help text.</summary>
public sealed record Flag(string Name, string? Value, string Help, string? Default = null)
{
    /// <summary>May be given more than once (<see cref="Args.All"/>); any other flag given twice is a usage error.</summary>
    public bool Repeatable { get; init; }
}

/// <summary>
/// A deliberately small parser: <c>--name value</c>, <c>--name=value</c>, switches and positionals.
/// Every flag is declared with its help text, so <c>--help</c> documents all of them and an unknown
/// flag is an error naming it.
/// </summary>
public sealed class Args
{
    readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    readonly Dictionary<string, List<string>> _all = new(StringComparer.Ordinal);
    readonly Dictionary<string, Flag> _flags;
    readonly string _command;
    public IReadOnlyList<string> Positionals { get; }
    public bool HelpRequested { get; }

    public Args(string command, IEnumerable<Flag> flags, string[] argv)
    {
        _command = command;
        _flags = flags.ToDictionary(f => f.Name);
        var pos = new List<string>();
        for (int i = 0; i < argv.Length; i++)
        {
            var a = argv[i];
            if (a is "-h" or "--help") { HelpRequested = true; continue; }
            if (a.StartsWith("--help=", StringComparison.Ordinal)) throw new UsageException($"--help: takes no value, got '{a[7..]}'");
            if (!a.StartsWith("--", StringComparison.Ordinal) || a == "--") { pos.Add(a); continue; }
            var name = a[2..]; string? value = null;
            int eq = name.IndexOf('=');
            if (eq >= 0) { value = name[(eq + 1)..]; name = name[..eq]; }
            if (!_flags.TryGetValue(name, out var flag))
                throw new UsageException($"{command}: unknown flag --{name} (see `harness {command} --help`)");
            if (flag.Value is null)
            {
                if (value is not null && !bool.TryParse(value, out _)) throw new UsageException($"--{name}: is a switch, expected no value or true/false, got '{value}'");
                value ??= "true";
            }
            else if (value is not null && value.Length == 0) throw new UsageException($"--{name}: empty value, expected {flag.Value}");
            else if (value is null)
            {
                if (i + 1 >= argv.Length) throw new UsageException($"--{name}: missing value ({flag.Value})");
                // A value never starts with "--": `--out --overwrite` is a missing value, not a directory named --overwrite
                // (write --out=--x for such a name). Negative numbers (-0.1) start with one dash and stay values.
                if (argv[i + 1].StartsWith("--", StringComparison.Ordinal))
                    throw new UsageException($"--{name}: missing value ({flag.Value}), got the flag {argv[i + 1]}");
                value = argv[++i];
                if (value.Length == 0) throw new UsageException($"--{name}: empty value, expected {flag.Value}");
            }
            if (_values.ContainsKey(name) && !flag.Repeatable)
                throw new UsageException($"--{name}: given twice ('{_values[name]}', then '{value}'); give it once");
            _values[name] = value;
            (_all.TryGetValue(name, out var list) ? list : _all[name] = []).Add(value);
        }
        Positionals = pos;
    }

    /// <summary>For commands that take no arguments: a stray one is a usage error, not silently ignored.</summary>
    public void NoPositionals()
    {
        if (Positionals.Count > 0) throw new UsageException($"{_command}: unexpected argument '{Positionals[0]}' (see `harness {_command} --help`)");
    }

    public bool Has(string name) => _values.ContainsKey(name);
    /// <summary>Every value a repeatable flag was given, in order.</summary>
    public IReadOnlyList<string> All(string name) => _all.TryGetValue(name, out var v) ? v : [];
    /// <summary>The given value, else the flag's declared default.</summary>
    public string? String(string name) => _values.TryGetValue(name, out var v) ? v : _flags[name].Default;
    /// <summary>The given value only: typed getters fall back to their caller's value (e.g. a --config file's), not the help default.</summary>
    string? Given(string name) => _values.TryGetValue(name, out var v) ? v : null;
    public bool Switch(string name) => String(name) is { } v && bool.Parse(v);

    public int Int(string name, int fallback) => Given(name) is { } v
        ? int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var x) ? x : throw new UsageException($"--{name}: expected an integer, got '{v}'")
        : fallback;

    public long Long(string name, long fallback) => Given(name) is { } v
        ? long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var x) ? x : throw new UsageException($"--{name}: expected an integer, got '{v}'")
        : fallback;

    public double Double(string name, double fallback) => Given(name) is { } v
        ? double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && double.IsFinite(x) ? x : throw new UsageException($"--{name}: expected a number, got '{v}'")
        : fallback;

    /// <summary>A comma-separated list of positive integers (the given value, else the declared default).</summary>
    public int[] PositiveInts(string name)
    {
        var v = String(name) ?? throw new UsageException($"--{name}: missing value");
        var parts = v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) throw new UsageException($"--{name}: expected a comma-separated list of positive integers, got '{v}'");
        return parts.Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var x) && x > 0 ? x
            : throw new UsageException($"--{name}: expected a comma-separated list of positive integers, got '{p}' in '{v}'")).ToArray();
    }

    public static string Help(string usage, string description, IEnumerable<Flag> flags)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"usage: {usage}").AppendLine().AppendLine(description).AppendLine().AppendLine("options:");
        var list = flags.ToList();
        int w = list.Max(f => f.Name.Length + (f.Value is null ? 0 : f.Value.Length + 1)) + 4;
        foreach (var f in list)
        {
            var left = "--" + f.Name + (f.Value is null ? "" : " " + f.Value);
            sb.Append("  ").Append(left.PadRight(w)).Append(f.Help);
            if (f.Default is not null) sb.Append($" [default: {f.Default}]");
            sb.AppendLine();
        }
        sb.Append("  ").Append("--help".PadRight(w)).AppendLine("show this help");
        return sb.ToString();
    }
}
