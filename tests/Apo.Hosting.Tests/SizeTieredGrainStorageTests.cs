using System.Text;
using Apo.Hosting.Storage;
using Orleans.Runtime;
using Orleans.Storage;

namespace Apo.Hosting.Tests;

/// <summary>The size routing of <see cref="SizeTieredGrainStorage"/>, over two in-memory stores with real ETag checks.</summary>
public sealed class SizeTieredGrainStorageTests
{
    private const int Threshold = 10;  // bytes of UTF-8 text, see Utf8Serializer
    private readonly FakeStore _small = new();
    private readonly FakeStore _large = new();
    private readonly GrainId _grain = GrainId.Create("prompt", "run/1");
    private SizeTieredGrainStorage Storage => new(_small, _large, new Utf8Serializer(), Threshold);

    private sealed class Record(string value) : IGrainState<string>
    {
        public string State { get; set; } = value;
        public string? ETag { get; set; }
        public bool RecordExists { get; set; }
    }

    private async Task<Record> Read()
    {
        var state = new Record("");
        await Storage.ReadStateAsync("s", _grain, state);
        return state;
    }

    [Fact]
    public async Task Small_states_go_to_the_small_store_and_large_ones_to_the_large_store()
    {
        var state = new Record("short");  // 5 bytes
        await Storage.WriteStateAsync("s", _grain, state);
        Assert.Equal("short", _small.Value);
        Assert.Null(_large.Value);

        state.State = "a much longer value";  // 19 bytes > 10
        await Storage.WriteStateAsync("s", _grain, state);
        Assert.Equal("a much longer value", _large.Value);
        Assert.Null(_small.Value);  // moved, not copied

        var read = await Read();
        Assert.Equal("a much longer value", read.State);
        Assert.True(read.RecordExists);
        Assert.Equal(state.ETag, read.ETag);
    }

    [Fact]
    public async Task A_state_that_shrinks_moves_back_and_keeps_being_writable()
    {
        var state = new Record("a much longer value");
        await Storage.WriteStateAsync("s", _grain, state);
        state.State = "tiny";
        await Storage.WriteStateAsync("s", _grain, state);
        state.State = "tiny2";
        await Storage.WriteStateAsync("s", _grain, state);  // the ETag from the move is valid

        Assert.Equal("tiny2", _small.Value);
        Assert.Null(_large.Value);
        Assert.Equal("tiny2", (await Read()).State);
    }

    [Fact]
    public async Task A_crash_during_a_move_up_leaves_the_previous_state_and_the_next_write_succeeds()
    {
        var state = new Record("short");
        await Storage.WriteStateAsync("s", _grain, state);
        _large.Put("unacknowledged long value");  // the blob was written, the row not yet deleted

        var read = await Read();
        Assert.Equal("short", read.State);  // the table row is the state while it exists

        read.State = "another long value!";
        await Storage.WriteStateAsync("s", _grain, read);  // overwrites the leftover, no conflict
        Assert.Equal("another long value!", (await Read()).State);
        Assert.Null(_small.Value);
    }

    [Fact]
    public async Task Clear_removes_the_record_from_both_stores()
    {
        var state = new Record("short");
        await Storage.WriteStateAsync("s", _grain, state);
        _large.Put("shadowed leftover value");
        await Storage.ClearStateAsync("s", _grain, state);

        Assert.Null(_small.Value);
        Assert.Null(_large.Value);
        var read = await Read();
        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);
    }

    [Fact]
    public async Task A_stale_etag_is_a_conflict()
    {
        var first = new Record("one");
        await Storage.WriteStateAsync("s", _grain, first);
        var stale = new Record("two") { ETag = first.ETag, RecordExists = true };
        first.State = "three";
        await Storage.WriteStateAsync("s", _grain, first);

        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync("s", _grain, stale));
    }

    /// <summary>Serialized size = UTF-8 length of the string state.</summary>
    private sealed class Utf8Serializer : IGrainStorageSerializer
    {
        public BinaryData Serialize<T>(T input) => BinaryData.FromBytes(Encoding.UTF8.GetBytes((string)(object)input!));
        public T Deserialize<T>(BinaryData input) => (T)(object)Encoding.UTF8.GetString(input.ToArray());
    }

    /// <summary>One record, ETag-checked like Azure: writes need the current ETag (null = must not exist); clear deletes.</summary>
    private sealed class FakeStore : IGrainStorage
    {
        private int _version;
        public string? Value { get; private set; }
        private string? ETag => Value is null ? null : _version.ToString();

        public void Put(string value)
        {
            Value = value;
            _version++;
        }

        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            grainState.RecordExists = Value is not null;
            grainState.ETag = ETag;
            if (Value is not null) grainState.State = (T)(object)Value;
            return Task.CompletedTask;
        }

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            Check(grainState.ETag);
            Put((string)(object)grainState.State!);
            grainState.ETag = ETag;
            grainState.RecordExists = true;
            return Task.CompletedTask;
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            Check(grainState.ETag);
            Value = null;
            grainState.ETag = null;
            grainState.RecordExists = false;
            return Task.CompletedTask;
        }

        private void Check(string? etag)
        {
            if (etag != ETag)
                throw new InconsistentStateException($"etag {etag ?? "null"} != {ETag ?? "null"}");
        }
    }
}
