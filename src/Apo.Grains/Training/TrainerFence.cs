using System.Globalization;
using Apo.Common.IO;

namespace Apo.Grains.Training;

/// <summary>
/// Which trainer incarnation owns a run's output directory: <c>trainer.epoch</c> holds the epoch of the
/// newest one. Each incarnation claims the directory when it starts (its epoch comes from the trainer's grain
/// state, whose writes Orleans checks by ETag, so two incarnations never share one) and checks the claim
/// before every write of a checkpoint, a metrics line, a weight version or the final policy. A zombie — an
/// old activation still running after its replacement started, e.g. across a network partition — finds a
/// newer epoch and stops without writing.
/// </summary>
public sealed class TrainerFence
{
    /// <summary>The file that names the owning epoch.</summary>
    public const string FileName = "trainer.epoch";

    readonly string path;

    TrainerFence(string path, long epoch)
    {
        this.path = path;
        Epoch = epoch;
    }

    /// <summary>This incarnation's epoch.</summary>
    public long Epoch { get; }

    /// <summary>Claims <paramref name="outputDirectory"/> for <paramref name="epoch"/>; refused when a newer incarnation holds it.</summary>
    public static TrainerFence Claim(string outputDirectory, long epoch)
    {
        var fence = new TrainerFence(Path.Combine(outputDirectory, FileName), epoch);
        if (Read(fence.path) is { } current && current > epoch)
            throw new SupersededTrainerException($"{fence.path}: trainer incarnation {epoch} was superseded by incarnation {current}; it stops without writing");
        Directory.CreateDirectory(outputDirectory);
        AtomicFile.WriteAllText(fence.path, epoch.ToString(CultureInfo.InvariantCulture));
        return fence;
    }

    /// <summary>Throws <see cref="SupersededTrainerException"/> when another incarnation claimed the directory since.</summary>
    public void Check(string what)
    {
        if (Read(path) is { } current && current != Epoch)
            throw new SupersededTrainerException($"{path}: trainer incarnation {Epoch} was superseded by incarnation {current}; not writing {what}");
    }

    /// <summary>The newest epoch that claimed <paramref name="outputDirectory"/>, or null when none did.</summary>
    public static long? Newest(string outputDirectory) => Read(Path.Combine(outputDirectory, FileName));

    static long? Read(string path)
    {
        if (!File.Exists(path)) return null;
        string text = File.ReadAllText(path).Trim();
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long epoch) ? epoch
            : throw new InvalidDataException($"{path}: expected a trainer epoch (a non-negative integer), found \"{text}\"");
    }
}

/// <summary>A trainer incarnation found that a newer one owns its run: it must stop and write nothing more.</summary>
public sealed class SupersededTrainerException(string message) : Exception(message);
