using System.Diagnostics;

namespace Apo.Cli.Tests;

/// <summary>Runs the real `apo` program as a child process, as a user would, and captures what it prints.</summary>
public static class ApoProcess
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        public string[] Lines => StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        /// <summary>
        /// The bad-input contract: exit code 2, and stderr ends with exactly one <c>apo: error: …</c> line (progress lines
        /// may come before it), no stack trace, and the line names each of <paramref name="names"/> (file, line, field,
        /// option). Returns the message after the prefix.
        /// </summary>
        public string AssertBadInput(params string[] names)
        {
            var lines = StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.True(ExitCode == 2, $"exit code {ExitCode}, expected 2 (bad input); stderr:\n{StdErr}");
            var errors = lines.Where(l => l.StartsWith("apo: error: ", StringComparison.Ordinal)).ToList();
            Assert.True(errors.Count == 1 && lines[^1] == errors[0], $"expected exactly one final \"apo: error:\" line; stderr:\n{StdErr}");
            Assert.DoesNotContain("   at ", StdErr);
            foreach (string name in names) Assert.Contains(name, errors[0]);
            return errors[0]["apo: error: ".Length..];
        }
    }

    static string ApoDll => Path.Combine(AppContext.BaseDirectory, "apo.dll");

    public static Result Run(params string[] args) => Run(TimeSpan.FromMinutes(5), args);

    /// <summary>Starts apo without waiting (the caller owns the process, e.g. to kill it mid-run).</summary>
    public static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(ApoDll);
        foreach (string a in args) start.ArgumentList.Add(a);
        var process = Process.Start(start)!;
        // Drain the pipes so a chatty child never blocks on a full buffer.
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        return process;
    }

    public static Result Run(TimeSpan timeout, params string[] args) => Run(timeout, null, args);

    /// <summary>Runs apo with extra environment variables (e.g. a cluster's connection string and ids).</summary>
    public static Result Run(TimeSpan timeout, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        start.ArgumentList.Add(ApoDll);
        foreach (string a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"apo {string.Join(' ', args)} did not finish within {timeout}");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
