using Apo.Grains.Training;

namespace Apo.Grains.Tests.Training;

public sealed class TrainerFenceTests : IDisposable
{
    readonly string dir = Path.Combine(Path.GetTempPath(), "apo-fence-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void A_newer_incarnation_supersedes_the_old_one_which_may_no_longer_write()
    {
        Assert.Null(TrainerFence.Newest(dir));
        var old = TrainerFence.Claim(dir, 1);
        old.Check("checkpoint 5"); // still the owner
        var replacement = TrainerFence.Claim(dir, 2);
        Assert.Equal(2, TrainerFence.Newest(dir));

        var error = Assert.Throws<SupersededTrainerException>(() => old.Check("checkpoint 6"));
        Assert.Equal($"{Path.Combine(dir, TrainerFence.FileName)}: trainer incarnation 1 was superseded by incarnation 2; not writing checkpoint 6", error.Message);
        replacement.Check("checkpoint 6");
        // The old one cannot take the directory back either.
        Assert.Throws<SupersededTrainerException>(() => TrainerFence.Claim(dir, 1));
    }

    [Fact]
    public void A_fence_file_that_is_not_an_epoch_is_refused_naming_it()
    {
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, TrainerFence.FileName), "two");
        var error = Assert.Throws<InvalidDataException>(() => TrainerFence.Claim(dir, 3));
        Assert.Equal($"{Path.Combine(dir, TrainerFence.FileName)}: expected a trainer epoch (a non-negative integer), found \"two\"", error.Message);
    }
}
