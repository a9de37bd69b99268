using System.ComponentModel;
using System.Diagnostics;

namespace MnistClaims.Common;

/// <summary>What a finished child process did.</summary>
public sealed record ProcessResult(string Program, int ExitCode, string StdOut, string StdErr)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>The last <paramref name="chars"/> characters of stderr (or stdout when stderr is empty), on one line.</summary>
    public string Tail(int chars = 400)
    {
        var s = (StdErr.Trim().Length > 0 ? StdErr : StdOut).Trim().ReplaceLineEndings(" ");
        return s.Length <= chars ? s : "…" + s[^chars..];
    }
}

/// <summary>A program could not be started, or did not finish in time. The message names the program and why.</summary>
public sealed class ProcessFailedException(string message, Exception? inner = null) : IOException(message, inner);

/// <summary>What to start: the program, its arguments (passed as a list, never through a shell) and its surroundings.</summary>
public sealed record ProcessSpec(string Program, IReadOnlyList<string> Arguments)
{
    public string? WorkingDirectory { get; init; }
    /// <summary>Variables to set (a null value removes the variable from the child's environment).</summary>
    public IReadOnlyDictionary<string, string?>? Environment { get; init; }
    public string? StdIn { get; init; }
    /// <summary>
    /// A conversation instead of a batch: stdin stays open for <see cref="RunningProcess.WriteLine"/>, stdout arrives line by
    /// line through <see cref="RunningProcess.TryReadLine"/>, and only the last 16 KB of stderr are kept, so a child that
    /// lives for hours (a training worker) holds flat memory in its parent.
    /// </summary>
    public bool Interactive { get; init; }

    public ProcessStartInfo StartInfo()
    {
        var psi = new ProcessStartInfo(Program)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = StdIn is not null || Interactive,
            UseShellExecute = false, WorkingDirectory = WorkingDirectory ?? "",
        };
        foreach (var a in Arguments) psi.ArgumentList.Add(a);
        if (Environment is not null)
            foreach (var (k, v) in Environment)
                if (v is null) psi.Environment.Remove(k); else psi.Environment[k] = v;
        return psi;
    }
}

/// <summary>A started child process whose output is being collected; killed (with its children) when disposed unfinished.</summary>
public sealed class RunningProcess : IDisposable
{
    readonly Process _p;
    readonly System.Collections.Concurrent.ConcurrentQueue<string>? _lines;
    public string Program { get; }
    public Task<string> StdOut { get; }
    public Task<string> StdErr { get; }

    internal RunningProcess(Process p, string program, string? stdin, bool interactive = false)
    {
        _p = p; Program = program;
        if (interactive)
        {
            _lines = new();
            StdOut = Task.Run(async () =>
            {
                while (await p.StandardOutput.ReadLineAsync() is { } line) _lines.Enqueue(line);
                return "";
            });
            StdErr = Task.Run(async () =>
            {
                const int keep = 16 * 1024;
                var tail = new System.Text.StringBuilder();
                while (await p.StandardError.ReadLineAsync() is { } line)
                {
                    tail.Append(line).Append('\n');
                    if (tail.Length > 2 * keep) tail.Remove(0, tail.Length - keep);
                }
                return tail.Length > keep ? tail.ToString(tail.Length - keep, keep) : tail.ToString();
            });
            return;
        }
        StdOut = p.StandardOutput.ReadToEndAsync();
        StdErr = p.StandardError.ReadToEndAsync();
        if (stdin is not null) { p.StandardInput.Write(stdin); p.StandardInput.Close(); }
    }

    /// <summary>Sends one line to an interactive child's stdin; false when the child no longer reads it (it has exited).</summary>
    public bool WriteLine(string line)
    {
        if (_lines is null) throw new InvalidOperationException($"{Program} was not started interactive");
        try { _p.StandardInput.WriteLine(line); _p.StandardInput.Flush(); return true; }
        catch (IOException) { return false; }
    }

    /// <summary>Closes an interactive child's stdin: the end of its input.</summary>
    public void CloseInput()
    {
        try { _p.StandardInput.Close(); }
        catch (IOException) { }
    }

    /// <summary>The next line an interactive child wrote to stdout, if one has arrived.</summary>
    public bool TryReadLine(out string line)
    {
        if (_lines is null) throw new InvalidOperationException($"{Program} was not started interactive");
        return _lines.TryDequeue(out line!);
    }

    public int Id => _p.Id;
    public bool HasExited => _p.HasExited;

    /// <summary>Waits up to <paramref name="timeout"/>; false when it is still running.</summary>
    public bool WaitForExit(TimeSpan timeout) => _p.WaitForExit(timeout);

    /// <summary>The result once the process has exited (waits for its output to be drained).</summary>
    public ProcessResult Result()
    {
        _p.WaitForExit();
        return new ProcessResult(Program, _p.ExitCode, StdOut.Result, StdErr.Result);
    }

    /// <summary>Stops the process and every child it started.</summary>
    public void Kill()
    {
        try { if (!_p.HasExited) _p.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { }
        catch (Win32Exception) { }
    }

    public void Dispose()
    {
        Kill();
        _p.Dispose();
    }
}

/// <summary>
/// The one way the codebase starts programs (npm, git, nvidia-smi, python3-torch, the harness's own workers, ...):
/// arguments as a list, output captured, a timeout that kills the whole process tree, and one-line errors.
/// </summary>
public static class ProcessRunner
{
    /// <summary>Starts <paramref name="spec"/>; a program that cannot be started is a <see cref="ProcessFailedException"/>.</summary>
    public static RunningProcess Start(ProcessSpec spec)
    {
        try
        {
            var p = Process.Start(spec.StartInfo()) ?? throw new ProcessFailedException($"{spec.Program}: could not start");
            return new RunningProcess(p, spec.Program, spec.StdIn, spec.Interactive);
        }
        catch (Win32Exception e)
        {
            var why = e.NativeErrorCode == 2 ? "not found" : e.Message;
            throw new ProcessFailedException($"cannot run {spec.Program} ({why})", e);
        }
    }

    /// <summary>Runs to completion. Not starting or exceeding <paramref name="timeout"/> (the tree is then killed) throws
    /// <see cref="ProcessFailedException"/>; a non-zero exit code is the caller's to judge.</summary>
    public static ProcessResult Run(ProcessSpec spec, TimeSpan timeout, CancellationToken cancel = default)
    {
        using var p = Start(spec);
        using var reg = cancel.Register(p.Kill);
        if (!p.WaitForExit(timeout))
        {
            p.Kill();
            throw new ProcessFailedException($"{spec.Program} {string.Join(' ', spec.Arguments.Take(3))}…: timed out after {timeout.TotalSeconds:F0} s");
        }
        cancel.ThrowIfCancellationRequested();
        return p.Result();
    }

    public static ProcessResult Run(string program, IEnumerable<string> args, TimeSpan timeout) => Run(new ProcessSpec(program, args.ToArray()), timeout);

    /// <summary>Stdout of a successful run, or null when the program is missing, fails or times out (for optional probes).</summary>
    public static string? TryOutput(string program, IEnumerable<string> args, TimeSpan timeout)
    {
        try
        {
            var r = Run(program, args, timeout);
            return r.Succeeded ? r.StdOut : null;
        }
        catch (ProcessFailedException) { return null; }
    }

    /// <summary>True when a process with this id is running (for recognising stale locks and temp files).</summary>
    public static bool IsAlive(int pid)
    {
        if (pid <= 0) return false;
        if (OperatingSystem.IsLinux()) return Directory.Exists($"/proc/{pid}");
        try { using var p = Process.GetProcessById(pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }
}
