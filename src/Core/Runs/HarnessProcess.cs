namespace MnistClaims.Core.Runs;

/// <summary>How a process starts the harness program again (workers of <c>reproduce</c>, tests that need a fresh process).</summary>
public static class HarnessProcess
{
    public const string AssemblyName = "harness";

    /// <summary>
    /// The harness's own apphost when it is the running program; otherwise (under <c>dotnet</c>, or a test host that
    /// references it) <c>dotnet harness.dll</c> from this process's base directory.
    /// </summary>
    public static (string Exe, string[] Prefix) Command()
    {
        var exe = Environment.ProcessPath ?? "dotnet";
        bool isDotnet = Path.GetFileNameWithoutExtension(exe) == "dotnet";
        var entry = System.Reflection.Assembly.GetEntryAssembly();
        if (entry?.GetName().Name == AssemblyName && !isDotnet) return (exe, []);
        var dll = entry?.GetName().Name == AssemblyName ? entry.Location : Path.Combine(AppContext.BaseDirectory, AssemblyName + ".dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"cannot start the harness again: {dll} does not exist", dll);
        return (isDotnet ? exe : "dotnet", [dll]);
    }
}
