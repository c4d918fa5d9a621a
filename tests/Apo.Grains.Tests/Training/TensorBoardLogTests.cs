using Apo.Grains.Training;

namespace Apo.Grains.Tests.Training;

/// <summary>metrics.jsonl mirrored as TensorBoard event files, read back with an independent TFRecord/Event reader.</summary>
public sealed class TensorBoardLogTests : IDisposable
{
    readonly string root = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "apo-tensorboard-tests-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    static IterationMetrics Line(long step, double? heldOut = null) =>
        new(step, MeanReward: 0.25 * step, Loss: 1.0 / step, KlPerSequence: 0.01 * step, MeanVStar: 0.5, MeanResponseLength: 20 + step,
            TokensPerSecond: 1000, StepSeconds: 0.5, GradientNorm: double.NaN, HeldOutAccuracy: heldOut)
        { Staleness = 1, RolloutWaitSeconds = 0.125, WeightWaitSeconds = 0.0625 };

    [Fact]
    public void Every_numeric_field_of_every_line_is_a_scalar_at_its_step_and_a_resume_rebuilds_without_the_lost_steps()
    {
        var metrics = new MetricsLog(Path.Combine(root, "metrics.jsonl"));
        var log = TensorBoardLog.Rebuild(root, metrics);
        foreach (var line in new[] { Line(1), Line(2, heldOut: 0.375), Line(3) })
        {
            metrics.Append(line);
            log.Append(line);
        }

        var scalars = TensorBoardEvents.ReadScalars(Path.Combine(root, TensorBoardLog.FolderName));
        Assert.Equal([0.25f, 0.5f, 0.75f], scalars.Where(s => s.Tag == "train/mean_reward").Select(s => s.Value));
        Assert.Equal([1L, 2L, 3L], scalars.Where(s => s.Tag == "train/loss").Select(s => s.Step));
        Assert.Equal((float)(1.0 / 3), scalars.Single(s => s.Tag == "train/loss" && s.Step == 3).Value);
        Assert.Equal(new TensorBoardEvents.Scalar("eval/heldout_accuracy", 2, 0.375f), scalars.Single(s => s.Tag == "eval/heldout_accuracy"));
        // A non-finite value (written as null in metrics.jsonl) is left out rather than plotted as a number.
        Assert.DoesNotContain(scalars, s => s.Tag == "train/gradient_norm");
        // The pipeline's fields of asynchronous stage 2 are scalars like the rest.
        Assert.Equal([0.0625f, 0.0625f, 0.0625f], scalars.Where(s => s.Tag == "train/weight_wait_seconds").Select(s => s.Value));
        Assert.Equal([1f, 1f, 1f], scalars.Where(s => s.Tag == "train/staleness").Select(s => s.Value));
        Assert.Equal(10 * 3 + 1, scalars.Count);

        // The trainer crashed after step 3 and resumes from the checkpoint of step 2: metrics.jsonl is cut back,
        // the event files are rebuilt from it, and step 3 is redone once.
        metrics.CutBackTo(2);
        var resumed = TensorBoardLog.Rebuild(root, metrics);
        var redone = Line(3) with { MeanReward = 9 };
        metrics.Append(redone);
        resumed.Append(redone);
        scalars = TensorBoardEvents.ReadScalars(Path.Combine(root, TensorBoardLog.FolderName));
        Assert.Equal([0.25f, 0.5f, 9f], scalars.Where(s => s.Tag == "train/mean_reward").Select(s => s.Value));
        Assert.Single(Directory.GetFiles(Path.Combine(root, TensorBoardLog.FolderName)));
    }
}
