using Apo.Hosting.Storage;
using Orleans.Runtime;
using Orleans.TestingHost;

namespace Apo.Hosting.Tests;

/// <summary>The file storage behind real grains, across full cluster restarts.</summary>
public sealed class FileGrainStorageClusterTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private Task<InProcessTestCluster> StartAsync() =>
        Clusters.StartAsync(1, (_, silo) => silo.AddFileGrainStorage(ApoStorage.Name, o => o.RootDirectory = _dir.Path));

    [Fact]
    public async Task State_survives_a_full_cluster_restart_and_odd_keys_work()
    {
        string[] keys = ["plain", "a/b\\c:..", "ünïcødé-ключ-🙂", "../escape", "UPPER", "upper"];

        await using (var first = await StartAsync())
        {
            for (var i = 0; i < keys.Length; i++)
            {
                var grain = first.Client.GetGrain<ICounterGrain>(keys[i]);
                await grain.Add(i + 1, "first");
                await grain.Add(100, "second");
            }
        }

        // Every state file stayed inside the storage root.
        var files = Directory.GetFiles(_dir.Path, "*", SearchOption.AllDirectories);
        Assert.Equal(keys.Length, files.Length);

        await using var second = await StartAsync();
        for (var i = 0; i < keys.Length; i++)
        {
            var state = await second.Client.GetGrain<ICounterGrain>(keys[i]).Get();
            Assert.Equal(i + 1 + 100, state.Value);
            Assert.Equal(["first", "second"], state.History);
        }
    }

    [Fact]
    public async Task A_crash_mid_write_keeps_the_previous_state_after_restart()
    {
        await using (var first = await StartAsync())
            await first.Client.GetGrain<ICounterGrain>("k").Add(5, "committed");

        // Simulate the crash: a half-written temp file next to the committed state.
        var stateFile = Directory.GetFiles(_dir.Path, "*" + GrainStatePath.Extension, SearchOption.AllDirectories).Single();
        await File.WriteAllBytesAsync(stateFile + ".crash" + GrainStatePath.TempExtension, new byte[] { 0x41, 0x50, 0x4F });

        await using var second = await StartAsync();
        var grain = second.Client.GetGrain<ICounterGrain>("k");
        Assert.Equal(5, (await grain.Get()).Value);
        Assert.Equal(6, await grain.Add(1, "after"));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(stateFile)!));
    }

    [Fact]
    public async Task Clear_removes_the_record_for_good()
    {
        await using (var first = await StartAsync())
        {
            var grain = first.Client.GetGrain<ICounterGrain>("gone");
            await grain.Add(3, "x");
            await grain.Clear();
        }

        Assert.Empty(Directory.GetFiles(_dir.Path, "*", SearchOption.AllDirectories));
        await using var second = await StartAsync();
        Assert.Equal(0, (await second.Client.GetGrain<ICounterGrain>("gone").Get()).Value);
    }
}
