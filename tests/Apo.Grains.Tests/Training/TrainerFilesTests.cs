using Apo.Grains.Training;

namespace Apo.Grains.Tests.Training;

public sealed class TrainerFilesTests : IDisposable
{
    readonly string root = Path.Combine(Path.GetTempPath(), "apo-trainer-files-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    static IterationMetrics Line(long step) => new(step, 0.5, 0.25, 0.125, 0.75, 3, 100, 0.5, 1);

    [Fact]
    public void CuttingBackKeepsEarlierStepsAndDropsATornLastLine()
    {
        var log = new MetricsLog(Path.Combine(root, "metrics.jsonl"));
        for (long step = 1; step <= 4; step++) log.Append(Line(step));
        File.AppendAllText(log.Path, "{\"step\": 5, \"loss\"");   // a crash in the middle of an append

        log.CutBackTo(2);

        Assert.Equal([1L, 2L], log.Read().Select(l => (long)l["step"]!).ToArray());
        Assert.Equal(Line(1).ToJsonLine() + "\n" + Line(2).ToJsonLine() + "\n", File.ReadAllText(log.Path));
        Assert.Empty(Directory.GetFiles(root, ".*")); // the atomic rewrite left no temporary file
    }

    [Fact]
    public void ABadLineInTheMiddleIsReportedWithItsNumber()
    {
        var log = new MetricsLog(Path.Combine(root, "metrics.jsonl"));
        Directory.CreateDirectory(root);
        File.WriteAllText(log.Path, Line(1).ToJsonLine() + "\nnot json\n" + Line(2).ToJsonLine() + "\n");
        var error = Assert.Throws<InvalidDataException>(() => log.CutBackTo(1));
        Assert.Contains("metrics.jsonl line 2", error.Message);
    }

    [Fact]
    public void OnlyTheNewestTwoCheckpointsAreKeptAndLatestNamesTheNewest()
    {
        var store = new CheckpointStore(Path.Combine(root, "checkpoints"));
        for (long step = 1; step <= 4; step++)
        {
            long s = step;
            store.Save(new TrainerCheckpoint(s, new DataPosition(s / 3, (int)(s % 3)), s, "sha256:plan", 2 * s, s),
                dir => { Directory.CreateDirectory(dir); File.WriteAllText(Path.Combine(dir, "weights"), $"w{s}"); });
        }
        Assert.Equal([3L, 4L], store.Steps());
        var (path, checkpoint) = store.Latest()!.Value;
        Assert.Equal(store.PathOf(4), path);
        Assert.Equal(new TrainerCheckpoint(4, new DataPosition(1, 1), 4, "sha256:plan", 8, 4), checkpoint);
        Assert.Equal("w4", File.ReadAllText(Path.Combine(path, "weights")));
        Assert.Empty(Directory.GetDirectories(store.Directory, ".*"));
    }

    [Fact]
    public void AFailedSaveLeavesTheLatestCheckpointInPlace()
    {
        var store = new CheckpointStore(Path.Combine(root, "checkpoints"));
        store.Save(new TrainerCheckpoint(2, DataPosition.Start, 2, "sha256:plan", 4, 2), dir => Directory.CreateDirectory(dir));
        Assert.Throws<IOException>(() => store.Save(new TrainerCheckpoint(4, DataPosition.Start, 4, "sha256:plan", 8, 4),
            dir => { Directory.CreateDirectory(dir); throw new IOException("disk full"); }));
        Assert.Equal(2, store.Latest()!.Value.Checkpoint.Iteration);
        Assert.Equal([2L], store.Steps());
        Assert.Empty(Directory.GetDirectories(store.Directory, ".*"));
    }

    [Fact]
    public void ACheckpointOfTheWrongShapeNamesTheFileAndField()
    {
        var error = Assert.Throws<InvalidDataException>(() => TrainerCheckpoint.Parse("{\"iteration\": 2}", "x/trainer.json"));
        Assert.Contains("x/trainer.json", error.Message);
        Assert.Contains("plan_hash", error.Message);
    }
}
