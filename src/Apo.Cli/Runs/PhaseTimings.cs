using System.Text.Json;
using Apo.Common.IO;

namespace Apo.Cli.Runs;

/// <summary>
/// Seconds spent per phase, summed over every invocation that worked on the run (a resumed run
/// adds the time of the invocation that finished it to what the killed one had recorded).
/// </summary>
public sealed class PhaseTimings
{
    public double Sft { get; set; }
    public double StageOne { get; set; }
    public double StageTwo { get; set; }
    public double Eval { get; set; }
    /// <summary>Largest peak resident memory (MB) of stages 1–2 over the invocations that ran them (embedded runs).</summary>
    public double? PeakRssMegabytes { get; set; }
    /// <summary>Largest peak native-heap growth (MB) of stages 1–2 over those invocations.</summary>
    public double? PeakTensorMegabytes { get; set; }
    public bool RssPeakIsExact { get; set; } = true;

    /// <summary>Folds one invocation's peaks in: a resumed run reports the worst invocation, not only the last.</summary>
    public void AddPeaks(Apo.Common.Diagnostics.MemoryPeaks peaks)
    {
        PeakRssMegabytes = Math.Max(PeakRssMegabytes ?? 0, peaks.PeakResidentMegabytes);
        if (peaks.PeakNativeHeapGrowthMegabytes is { } heap) PeakTensorMegabytes = Math.Max(PeakTensorMegabytes ?? 0, heap);
        RssPeakIsExact &= peaks.ResidentPeakIsExact;
    }

    public static PhaseTimings Load(string path)
    {
        if (!File.Exists(path)) return new PhaseTimings();
        try
        {
            return JsonSerializer.Deserialize<PhaseTimings>(File.ReadAllText(path)) ?? new PhaseTimings();
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message})");
        }
    }

    public void Save(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this));

    public PhaseSeconds ToSeconds() => new(Sft, StageOne, StageTwo, Eval, Sft + StageOne + StageTwo + Eval);
}
