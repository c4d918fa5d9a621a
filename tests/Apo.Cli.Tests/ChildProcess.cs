using System.Collections.Concurrent;
using System.Diagnostics;

namespace Apo.Cli.Tests;

/// <summary>
/// A running `apo` child with its own environment whose output lines are kept as they arrive, so a
/// test can wait for a line (a silo that joined, a run's progress) and kill it at a chosen moment.
/// Disposing kills it if it still runs.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    readonly Process process;
    readonly ConcurrentQueue<string> lines = new();

    public string Name { get; }

    public ChildProcess(string name, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        Name = name;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "apo.dll"));
        foreach (string a in args) start.ArgumentList.Add(a);
        foreach (var (key, value) in environment) start.Environment[key] = value;
        process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Id => process.Id;
    public bool HasExited => process.HasExited;
    public int ExitCode => process.ExitCode;

    /// <summary>Everything printed so far (stdout and stderr interleaved as received).</summary>
    public string Output => string.Join('\n', lines);

    /// <summary>Waits until a line satisfies <paramref name="match"/>; fails if the process exits first or time runs out.</summary>
    public async Task<string> WaitForLine(Func<string, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (lines.FirstOrDefault(match) is { } line) return line;
            if (process.HasExited)
                throw new InvalidOperationException($"{Name} exited with code {process.ExitCode} before the awaited line:\n{Output}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{Name}: awaited line not seen within {timeout}:\n{Output}");
            await Task.Delay(200);
        }
    }

    /// <summary>Waits for the exit; kills the process tree and fails when it takes longer.</summary>
    public async Task<int> WaitForExit(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try { await process.WaitForExitAsync(cancel.Token); }
        catch (OperationCanceledException) { Kill(); throw new TimeoutException($"{Name} did not finish within {timeout}:\n{Output}"); }
        process.WaitForExit(); // flushes the asynchronous output readers
        return process.ExitCode;
    }

    /// <summary>SIGTERM, as Kubernetes sends before it deletes a pod: the process may shut down gracefully.</summary>
    public void Terminate()
    {
        if (!process.HasExited && kill(process.Id, 15) != 0)
            throw new InvalidOperationException($"{Name}: kill({process.Id}, SIGTERM) failed with errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int signal);

    /// <summary>SIGKILL: no graceful shutdown, as if the machine died.</summary>
    public void Kill()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.WaitForExit(10_000);
    }

    public void Dispose()
    {
        try { Kill(); } catch (InvalidOperationException) { }
        process.Dispose();
    }
}
