using System.Text.Json;
using Apo.Cli.Runs;
using Apo.Common.IO;
using Apo.Engine.Presets;
using Apo.Tasks.Synthetic;

namespace Apo.Cli.Bench;

/// <summary>
/// What `apo bench` and `apo ablate` share: one reference trained per directory, then `apo run` children in
/// its subdirectories, each starting from a copy of that reference in its own process (so its time and peak
/// memory are its own). A finished child is read back rather than rerun; an unfinished one resumes.
/// </summary>
public static class ReferenceChildren
{
    /// <summary>The child's exit code, wall time and peak RSS, kept beside its run so a resumed bench still reports them.</summary>
    const string ProcessFileName = "bench-process.json";

    /// <summary>Trains the reference of <paramref name="layout"/> with <paramref name="preset"/> unless it is there.</summary>
    public static void EnsureReference(RunLayout layout, EmbeddedPreset preset, Action<string> progress)
    {
        TorchSharp.torch.set_num_threads(preset.TorchThreads > 0 ? preset.TorchThreads : Environment.ProcessorCount);
        progress("reference policy (supervised, shared by every run here)...");
        ReferencePolicy.EnsureTrained(layout.Reference, preset, ArithmeticWordProblems.Generate(preset.Task).Train);
    }

    /// <summary>Runs `apo <paramref name="args"/>` in &lt;root&gt;/&lt;key&gt; unless it finished earlier; its summary and process figures.</summary>
    public static async Task<(RunSummary Summary, SelfProcess.Outcome? Outcome)> RunAsync(RunLayout root, string key, IReadOnlyList<string> args,
        Action<string> progress, CancellationToken cancellation)
    {
        string directory = Path.Combine(root.Root, key);
        var child = new RunLayout(directory);
        SelfProcess.Outcome? outcome = null;
        string log = Path.Combine(directory, "bench.log");
        if (!File.Exists(child.SummaryJson))
        {
            CopyReference(root.Reference, child.Reference);
            progress($"{key}: apo {string.Join(' ', args)} (log: {log})...");
            outcome = await SelfProcess.RunAsync(args, log, cancellation);
            if (outcome.ExitCode != 0 || !File.Exists(child.SummaryJson))
                // A failed child is a failed run (exit 1, "apo: error: …"), the error contract every run already has.
                throw new RunFailedException($"{root.Root}: {key}: `apo run` exited with {outcome.ExitCode}; see {log}");
            AtomicFile.WriteAllText(Path.Combine(directory, ProcessFileName), JsonSerializer.Serialize(outcome));
        }
        else
        {
            progress($"{key}: finished earlier, reading {child.SummaryJson}");
            string saved = Path.Combine(directory, ProcessFileName);
            if (File.Exists(saved)) outcome = JsonSerializer.Deserialize<SelfProcess.Outcome>(File.ReadAllText(saved));
        }
        return (RunSummary.Load(child.SummaryJson), outcome);
    }

    /// <summary>Copies the shared reference into a child's run directory (to a temp name, then renamed: never half there).</summary>
    static void CopyReference(string source, string target)
    {
        if (Directory.Exists(target)) return;
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        string temp = target + ".copying";
        if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        Directory.CreateDirectory(temp);
        foreach (var file in Directory.GetFiles(source)) File.Copy(file, Path.Combine(temp, Path.GetFileName(file)));
        Directory.Move(temp, target);
    }
}
