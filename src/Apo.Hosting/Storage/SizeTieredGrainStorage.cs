using System.Diagnostics.CodeAnalysis;
using Orleans.Runtime;
using Orleans.Storage;

namespace Apo.Hosting.Storage;

/// <summary>
/// One grain storage over two: states whose serialized size is at most a threshold live in the
/// <c>small</c> store (Azure Table: cheap point reads), larger ones in the <c>large</c> store (Azure
/// Blob: no 1 MiB entity limit). A prompt's stage-1 record grows with N samples × their token ids, so
/// it moves to the large store by itself when it outgrows a table entity; grains never choose.
/// </summary>
/// <remarks>
/// Invariant: when the small store holds a record, it is the state; the large store counts only when
/// the small one has none. Moving up writes the large record first and then deletes the small one, so a
/// crash in between leaves the previous (acknowledged) state readable. Moving down writes the small
/// record first, which shadows a leftover large record until the next move up overwrites it. The ETag
/// handed to the grain is prefixed with the store it came from ("S|" or "L|").
/// Both inner stores must delete records on clear (no empty tombstones), or moves would conflict.
/// </remarks>
public sealed class SizeTieredGrainStorage(
    IGrainStorage small, IGrainStorage large, IGrainStorageSerializer serializer, int thresholdBytes) : IGrainStorage
{
    private const string SmallPrefix = "S|";
    private const string LargePrefix = "L|";

    /// <inheritdoc />
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var fromSmall = new Slot<T>(grainState.State);
        await small.ReadStateAsync(stateName, grainId, fromSmall);
        if (fromSmall.RecordExists)
        {
            Copy(fromSmall, grainState, SmallPrefix);
            return;
        }
        var fromLarge = new Slot<T>(grainState.State);
        await large.ReadStateAsync(stateName, grainId, fromLarge);
        if (fromLarge.RecordExists)
            Copy(fromLarge, grainState, LargePrefix);
        else
        {
            grainState.State = fromSmall.State;
            grainState.ETag = null;
            grainState.RecordExists = false;
        }
    }

    /// <inheritdoc />
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var size = serializer.Serialize(grainState.State).ToMemory().Length;
        var toLarge = size > thresholdBytes;
        var (target, prefix) = toLarge ? (large, LargePrefix) : (small, SmallPrefix);
        var current = StoreOf(grainState.ETag);

        var slot = new Slot<T>(grainState.State)
        {
            ETag = current == prefix ? InnerETag(grainState.ETag)
                : current is null ? null
                : await ExistingETag<T>(target, stateName, grainId),  // moving: overwrite a leftover of an interrupted move
        };
        await target.WriteStateAsync(stateName, grainId, slot);

        if (current is not null && current != prefix)
        {
            var source = current == SmallPrefix ? small : large;
            var old = new Slot<T>(grainState.State) { ETag = InnerETag(grainState.ETag), RecordExists = true };
            await source.ClearStateAsync(stateName, grainId, old);
        }
        Copy(slot, grainState, prefix, keepState: true);
    }

    /// <inheritdoc />
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var current = StoreOf(grainState.ETag);
        if (current is not null)
        {
            var store = current == SmallPrefix ? small : large;
            var slot = new Slot<T>(grainState.State) { ETag = InnerETag(grainState.ETag), RecordExists = true };
            await store.ClearStateAsync(stateName, grainId, slot);
        }
        // A shadowed leftover in the large store must not resurface once the small record is gone.
        var leftover = await ExistingETag<T>(large, stateName, grainId);
        if (leftover is not null)
            await large.ClearStateAsync(stateName, grainId, new Slot<T>(grainState.State) { ETag = leftover, RecordExists = true });
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    private static async Task<string?> ExistingETag<T>(IGrainStorage store, string stateName, GrainId grainId)
    {
        var probe = new Slot<T>(default!);
        await store.ReadStateAsync(stateName, grainId, probe);
        return probe.RecordExists ? probe.ETag : null;
    }

    private static string? StoreOf(string? etag) =>
        etag is null ? null
        : etag.StartsWith(SmallPrefix, StringComparison.Ordinal) ? SmallPrefix
        : etag.StartsWith(LargePrefix, StringComparison.Ordinal) ? LargePrefix
        : throw new InconsistentStateException($"ETag \"{etag}\" was not issued by {nameof(SizeTieredGrainStorage)}");

    private static string? InnerETag(string? etag) => etag?[2..];

    private static void Copy<T>(Slot<T> from, IGrainState<T> to, string prefix, bool keepState = false)
    {
        if (!keepState) to.State = from.State;
        to.ETag = from.ETag is null ? null : prefix + from.ETag;
        to.RecordExists = true;
    }

    // Orleans hands a grain's state over possibly null (before its first read); the slot carries it as is.
    private sealed class Slot<T>(T? state) : IGrainState<T>
    {
        [AllowNull] public T State { get; set; } = state!;
        public string? ETag { get; set; }
        public bool RecordExists { get; set; }
    }
}
