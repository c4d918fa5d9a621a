using System.Globalization;
using Apo.Common.IO;

namespace Apo.Grains.Training;

/// <summary>
/// <c>&lt;output&gt;/checkpoints/</c>: one folder <c>step-&lt;n&gt;</c> per checkpoint, itself a Hugging Face
/// model directory (config.json, safetensors, tokenizer) plus <c>optimizer.bin</c> and
/// <c>trainer.json</c>, and a <c>latest</c> file naming the newest complete one. A folder is built
/// under a hidden staging name and renamed into place before <c>latest</c> is rewritten
/// (atomically), so a crash at any moment leaves <c>latest</c> naming a complete checkpoint.
/// Only the newest <see cref="Keep"/> checkpoints are kept.
/// </summary>
public sealed class CheckpointStore(string directory)
{
    public const string LatestFileName = "latest";
    public const string OptimizerFileName = "optimizer.bin";
    public const int Keep = 2;

    public string Directory { get; } = directory;

    public string PathOf(long step) => System.IO.Path.Combine(Directory, $"step-{step}");

    /// <summary>
    /// Writes checkpoint <paramref name="checkpoint"/>: <paramref name="writeContents"/> fills a fresh
    /// staging folder (which does not exist yet when called: <c>ModelDirectory.Save</c> creates it).
    /// </summary>
    public string Save(TrainerCheckpoint checkpoint, Action<string> writeContents)
    {
        System.IO.Directory.CreateDirectory(Directory);
        string target = PathOf(checkpoint.Iteration);
        string staging = System.IO.Path.Combine(Directory, $".step-{checkpoint.Iteration}.{Guid.NewGuid():N}.staging");
        try
        {
            writeContents(staging);
            AtomicFile.WriteAllText(System.IO.Path.Combine(staging, TrainerCheckpoint.FileName), checkpoint.ToJson());
            // A folder of the same step can only be an earlier attempt at the same iteration: replace it.
            if (System.IO.Directory.Exists(target)) System.IO.Directory.Delete(target, recursive: true);
            System.IO.Directory.Move(staging, target);
        }
        catch
        {
            if (System.IO.Directory.Exists(staging)) System.IO.Directory.Delete(staging, recursive: true);
            throw;
        }
        AtomicFile.WriteAllText(System.IO.Path.Combine(Directory, LatestFileName), $"step-{checkpoint.Iteration}\n");
        Prune(checkpoint.Iteration);
        return target;
    }

    /// <summary>The checkpoint <c>latest</c> names, or null when there is none.</summary>
    public (string Path, TrainerCheckpoint Checkpoint)? Latest()
    {
        string latest = System.IO.Path.Combine(Directory, LatestFileName);
        if (!File.Exists(latest)) return null;
        string name = File.ReadAllText(latest).Trim();
        if (!name.StartsWith("step-", StringComparison.Ordinal) || !long.TryParse(name["step-".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out _))
            throw new InvalidDataException($"{latest}: expected \"step-<n>\", found \"{name}\"");
        string path = System.IO.Path.Combine(Directory, name);
        string json = System.IO.Path.Combine(path, TrainerCheckpoint.FileName);
        if (!File.Exists(json)) throw new FileNotFoundException($"{latest} names {name}, but {json} does not exist", json);
        return (path, TrainerCheckpoint.Parse(File.ReadAllText(json), json));
    }

    /// <summary>Removes staging folders of interrupted saves.</summary>
    public void RemoveStaging()
    {
        if (!System.IO.Directory.Exists(Directory)) return;
        foreach (var dir in System.IO.Directory.GetDirectories(Directory, ".step-*"))
            System.IO.Directory.Delete(dir, recursive: true);
    }

    /// <summary>Steps of the checkpoint folders present, ascending.</summary>
    public IReadOnlyList<long> Steps() =>
        System.IO.Directory.Exists(Directory)
            ? System.IO.Directory.GetDirectories(Directory, "step-*")
                .Select(d => long.TryParse(System.IO.Path.GetFileName(d)["step-".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out long s) ? s : -1)
                .Where(s => s >= 0).Order().ToList()
            : [];

    void Prune(long newest)
    {
        // Only checkpoints older than the newest are candidates; steps after it (left by a run that
        // was cut back) are stale too.
        var older = Steps().Where(s => s < newest).ToList();
        foreach (long step in older.Take(Math.Max(0, older.Count - (Keep - 1))))
            System.IO.Directory.Delete(PathOf(step), recursive: true);
        foreach (long step in Steps().Where(s => s > newest))
            System.IO.Directory.Delete(PathOf(step), recursive: true);
    }
}
