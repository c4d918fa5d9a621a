using System.Text.Json.Nodes;

namespace Apo.Grains.Training;

/// <summary>
/// <c>metrics.jsonl</c> mirrored as TensorBoard event files in <c>&lt;output&gt;/tensorboard/</c>, written by TorchSharp's
/// own <c>torch.utils.tensorboard.SummaryWriter</c>: every numeric field of a metrics line becomes the scalar
/// <c>train/&lt;field&gt;</c> at its step, held-out accuracy (measured at checkpoints) <c>eval/heldout_accuracy</c>.
/// metrics.jsonl stays the record: when a trainer starts or resumes, the folder is rebuilt from it, so a run resumed
/// after a crash shows every step once, never the lost steps of the dead incarnation.
/// </summary>
public sealed class TensorBoardLog
{
    /// <summary>The folder under the output directory (point <c>tensorboard --logdir</c> at it, or at the runs root).</summary>
    public const string FolderName = "tensorboard";

    readonly TorchSharp.Modules.SummaryWriter writer;

    TensorBoardLog(TorchSharp.Modules.SummaryWriter writer) => this.writer = writer;

    /// <summary>Clears <c>&lt;output&gt;/tensorboard/</c> and replays every line of <paramref name="metrics"/> into a new event file.</summary>
    public static TensorBoardLog Rebuild(string outputDirectory, MetricsLog metrics)
    {
        string folder = Path.Combine(outputDirectory, FolderName);
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(folder);
        var log = new TensorBoardLog(TorchSharp.torch.utils.tensorboard.SummaryWriter(folder, "", false));
        foreach (var line in metrics.Read()) log.Write(line);
        return log;
    }

    /// <summary>Writes one iteration's scalars (the writer appends each event to the file at once).</summary>
    public void Append(IterationMetrics metrics) => Write(JsonNode.Parse(metrics.ToJsonLine())!.AsObject());

    void Write(JsonObject line)
    {
        if (line["step"] is not JsonValue s || !s.TryGetValue(out long step)) return;
        foreach (var (name, node) in line)
        {
            if (name == "step" || node is not JsonValue v || !v.TryGetValue(out double value)) continue;  // null: not finite when written
            string tag = name == "heldout_accuracy" ? "eval/heldout_accuracy" : $"train/{name}";
            writer.add_scalar(tag, (float)value, checked((int)step));
        }
    }
}
