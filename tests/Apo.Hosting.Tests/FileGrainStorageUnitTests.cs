using Apo.Hosting.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Apo.Hosting.Tests;

/// <summary>The storage provider on its own (no silo): ETags, atomicity, damaged files.</summary>
public sealed class FileGrainStorageUnitTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer().BuildServiceProvider();
    private readonly FileGrainStorage _storage;
    private static readonly GrainId Grain = GrainId.Create("counter", "k1");

    public FileGrainStorageUnitTests()
    {
        _storage = new FileGrainStorage("test",
            new FileGrainStorageOptions
            {
                RootDirectory = _dir.Path,
                GrainStorageSerializer = new OrleansGrainStorageSerializer(_services.GetRequiredService<Serializer>()),
            },
            _services.GetRequiredService<IActivatorProvider>(),
            NullLogger<FileGrainStorage>.Instance);
    }

    public void Dispose()
    {
        _services.Dispose();
        _dir.Dispose();
    }

    private static GrainState<CounterState> State(int value, string? etag = null) =>
        new(new CounterState { Value = value, History = [$"v{value}"] }, etag!);

    private async Task<GrainState<CounterState>> Read()
    {
        var state = new GrainState<CounterState>();
        await _storage.ReadStateAsync("counter", Grain, state);
        return state;
    }

    [Fact]
    public async Task Missing_record_reads_as_fresh_state_without_etag()
    {
        var state = await Read();
        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.NotNull(state.State);
        Assert.Equal(0, state.State!.Value);
    }

    [Fact]
    public async Task Write_then_read_round_trips_state_and_etag()
    {
        var written = State(7);
        await _storage.WriteStateAsync("counter", Grain, written);
        Assert.NotNull(written.ETag);

        var read = await Read();
        Assert.True(read.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
        Assert.Equal(7, read.State!.Value);
        Assert.Equal(["v7"], read.State!.History);
    }

    [Fact]
    public async Task Every_write_changes_the_etag()
    {
        var state = State(1);
        await _storage.WriteStateAsync("counter", Grain, state);
        var first = state.ETag;
        await _storage.WriteStateAsync("counter", Grain, state);
        Assert.NotEqual(first, state.ETag);
    }

    [Fact]
    public async Task Stale_etag_write_is_rejected_and_keeps_the_newer_state()
    {
        await _storage.WriteStateAsync("counter", Grain, State(1));
        var a = await Read();
        var b = await Read();

        a.State!.Value = 2;
        await _storage.WriteStateAsync("counter", Grain, a);    // a wins
        b.State!.Value = 3;
        var error = await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync("counter", Grain, b));
        Assert.Equal(a.ETag, error.StoredEtag);
        Assert.Equal(2, (await Read()).State!.Value);
    }

    [Fact]
    public async Task Creating_over_an_existing_record_without_etag_is_rejected()
    {
        await _storage.WriteStateAsync("counter", Grain, State(1));
        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync("counter", Grain, State(5)));
    }

    [Fact]
    public async Task Writing_with_an_etag_after_the_record_was_cleared_is_rejected()
    {
        var holder = State(1);
        await _storage.WriteStateAsync("counter", Grain, holder);
        var clearer = await Read();
        await _storage.ClearStateAsync("counter", Grain, clearer);

        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync("counter", Grain, holder));
    }

    [Fact]
    public async Task Clear_deletes_the_file_and_resets_the_state()
    {
        var state = State(4);
        await _storage.WriteStateAsync("counter", Grain, state);
        var path = GrainStatePath.For(_storage.RootDirectory, Grain, "counter");
        Assert.True(File.Exists(path));

        await _storage.ClearStateAsync("counter", Grain, state);
        Assert.False(File.Exists(path));
        Assert.Null(state.ETag);
        Assert.False(state.RecordExists);
        Assert.Equal(0, state.State!.Value);
        Assert.False((await Read()).RecordExists);
    }

    [Fact]
    public async Task Stale_etag_clear_is_rejected()
    {
        var old = State(1);
        await _storage.WriteStateAsync("counter", Grain, old);
        var staleEtag = old.ETag;
        await _storage.WriteStateAsync("counter", Grain, old);
        var stale = new GrainState<CounterState>(old.State, staleEtag!);
        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.ClearStateAsync("counter", Grain, stale));
    }

    [Fact]
    public async Task Interrupted_writes_leave_the_previous_state_readable_and_are_cleaned_up()
    {
        var state = State(10);
        await _storage.WriteStateAsync("counter", Grain, state);
        var path = GrainStatePath.For(_storage.RootDirectory, Grain, "counter");
        var committed = await File.ReadAllBytesAsync(path);

        // What a crash can leave: a temp file cut off half way, and a complete temp never renamed.
        await File.WriteAllBytesAsync($"{path}.dead0001{GrainStatePath.TempExtension}", committed.AsSpan(0, committed.Length / 2).ToArray());
        await File.WriteAllBytesAsync($"{path}.dead0002{GrainStatePath.TempExtension}", committed);

        var read = await Read();
        Assert.Equal(10, read.State!.Value);
        Assert.Equal(state.ETag, read.ETag);

        read.State!.Value = 11;
        await _storage.WriteStateAsync("counter", Grain, read);
        Assert.Equal(11, (await Read()).State!.Value);
        Assert.Equal([path], Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public async Task A_truncated_state_file_is_reported_not_misread()
    {
        await _storage.WriteStateAsync("counter", Grain, State(3));
        var path = GrainStatePath.For(_storage.RootDirectory, Grain, "counter");
        var bytes = await File.ReadAllBytesAsync(path);
        await File.WriteAllBytesAsync(path, bytes[..^3]);

        var error = await Assert.ThrowsAsync<InvalidDataException>(Read);
        Assert.Contains(path, error.Message);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public async Task A_flipped_payload_byte_is_reported()
    {
        await _storage.WriteStateAsync("counter", Grain, State(3));
        var path = GrainStatePath.For(_storage.RootDirectory, Grain, "counter");
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[^1] ^= 0x40;
        await File.WriteAllBytesAsync(path, bytes);

        var error = await Assert.ThrowsAsync<InvalidDataException>(Read);
        Assert.Contains("SHA-256", error.Message);
    }

    [Fact]
    public async Task State_names_and_grain_types_are_kept_apart()
    {
        await _storage.WriteStateAsync("counter", Grain, State(1));
        await _storage.WriteStateAsync("other", Grain, State(2));
        await _storage.WriteStateAsync("counter", GrainId.Create("counter2", "k1"), State(3));

        Assert.Equal(1, (await Read()).State!.Value);
        var other = new GrainState<CounterState>();
        await _storage.ReadStateAsync("other", Grain, other);
        Assert.Equal(2, other.State!.Value);
    }
}
