using System.Diagnostics;
using Apo.Common.Diagnostics;

namespace Apo.Cli.Bench;

/// <summary>
/// Runs this same `apo` program as a child process (through `dotnet apo.dll` or the native host,
/// whichever started us), output to a log file, and follows its peak resident memory while it runs.
/// </summary>
public static class SelfProcess
{
    /// <summary>What a finished child left behind.</summary>
    /// <param name="PeakResidentBytes">The child's VmHWM as last read before it exited (polled every 200 ms); null off Linux.</param>
    public sealed record Outcome(int ExitCode, TimeSpan Elapsed, long? PeakResidentBytes);

    public static async Task<Outcome> RunAsync(IReadOnlyList<string> args, string logPath, CancellationToken cancellation = default)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which program is running");
        start.FileName = host;
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "apo.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        // The child writes plain progress lines, not a live terminal display, into its log.
        start.Environment["TERM"] = "dumb";

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logPath))!);
        await using var log = new StreamWriter(logPath, append: false) { AutoFlush = true };
        var clock = Stopwatch.StartNew();
        using var child = Process.Start(start) ?? throw new InvalidOperationException($"could not start {host}");
        var lines = new object();
        child.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (lines) log.WriteLine(e.Data); };
        child.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (lines) log.WriteLine(e.Data); };
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();

        long? peak = null;
        using var registration = cancellation.Register(() => { try { child.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } });
        while (!child.HasExited)
        {
            if (ProcStatus.PeakResidentBytes(child.Id) is { } now) peak = Math.Max(peak ?? 0, now);
            await Task.WhenAny(child.WaitForExitAsync(CancellationToken.None), Task.Delay(200, CancellationToken.None));
        }
        await child.WaitForExitAsync(CancellationToken.None);
        clock.Stop();
        cancellation.ThrowIfCancellationRequested();
        return new Outcome(child.ExitCode, clock.Elapsed, peak);
    }
}
