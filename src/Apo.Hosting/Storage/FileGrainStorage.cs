using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Runtime;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Apo.Hosting.Storage;

/// <summary>
/// Durable local grain storage: one file per (grain, state name) under <see cref="FileGrainStorageOptions.RootDirectory"/>,
/// replaced atomically on every write, with ETags for optimistic concurrency (a write or clear with a
/// stale ETag throws <see cref="InconsistentStateException"/>). Meant for a single silo process owning
/// the folder (the embedded mode); concurrent writers in one process are serialised per file.
/// </summary>
public sealed class FileGrainStorage : IGrainStorage
{
    private readonly string _name;
    private readonly string _root;
    private readonly IGrainStorageSerializer _serializer;
    private readonly IActivatorProvider _activators;
    private readonly ILogger<FileGrainStorage> _logger;
    // Striped locks: the ETag check and the rename must not interleave for the same file.
    private readonly SemaphoreSlim[] _locks = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    /// <summary>Creates the storage provider <paramref name="name"/>.</summary>
    public FileGrainStorage(string name, FileGrainStorageOptions options, IActivatorProvider activators, ILogger<FileGrainStorage> logger)
    {
        if (string.IsNullOrWhiteSpace(options.RootDirectory))
            throw new ArgumentException($"Grain storage \"{name}\": RootDirectory is empty", nameof(options));
        _name = name;
        _root = Path.GetFullPath(options.RootDirectory);
        _serializer = options.GrainStorageSerializer
            ?? throw new ArgumentException($"Grain storage \"{name}\": GrainStorageSerializer is not set", nameof(options));
        _activators = activators;
        _logger = logger;
    }

    /// <summary>The absolute folder that holds the state files.</summary>
    public string RootDirectory => _root;

    /// <inheritdoc />
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ReadStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc />
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        var path = GrainStatePath.For(_root, grainId, stateName);
        var content = await StateFile.TryReadAsync(path, cancellationToken).ConfigureAwait(false);
        if (content is null)
        {
            Reset(grainState);
            return;
        }

        grainState.State = _serializer.Deserialize<T>(new BinaryData(content.Value.Payload));
        grainState.ETag = content.Value.ETag;
        grainState.RecordExists = true;
    }

    /// <inheritdoc />
    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        WriteStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc />
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        var path = GrainStatePath.For(_root, grainId, stateName);
        var gate = LockFor(path);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var stored = await StateFile.TryReadAsync(path, cancellationToken).ConfigureAwait(false);
            CheckETag<T>("write", grainId, stateName, grainState.ETag, stored?.ETag);

            var etag = StateFile.NewETag();
            var payload = _serializer.Serialize(grainState.State);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            StateFile.DeleteStrayTempFiles(path);
            await StateFile.WriteAtomicallyAsync(path, StateFile.Encode(etag, payload.ToMemory().Span), cancellationToken)
                .ConfigureAwait(false);

            grainState.ETag = etag;
            grainState.RecordExists = true;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <inheritdoc />
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ClearStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc />
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        var path = GrainStatePath.For(_root, grainId, stateName);
        var gate = LockFor(path);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var stored = await StateFile.TryReadAsync(path, cancellationToken).ConfigureAwait(false);
            if (stored is not null)
            {
                CheckETag<T>("clear", grainId, stateName, grainState.ETag, stored.Value.ETag);
                File.Delete(path);
            }

            StateFile.DeleteStrayTempFiles(path);
            Reset(grainState);
        }
        finally
        {
            gate.Release();
        }
    }

    private void CheckETag<T>(string operation, GrainId grainId, string stateName, string? expected, string? stored)
    {
        // No file: only a grain that never saw a record (null ETag) may create it.
        if (string.Equals(expected, stored, StringComparison.Ordinal))
            return;

        _logger.LogWarning("Grain storage {Storage}: ETag conflict on {Operation} of {Grain} state {State}",
            _name, operation, grainId, stateName);
        throw new InconsistentStateException(
            $"Grain storage \"{_name}\": ETag conflict on {operation} of grain {grainId} state \"{stateName}\" ({typeof(T).Name}): " +
            $"the caller holds ETag {expected ?? "(none)"} but the stored ETag is {stored ?? "(no record)"}",
            stored ?? "", expected ?? "");
    }

    private void Reset<T>(IGrainState<T> grainState)
    {
        grainState.State = _activators.GetActivator<T>().Create();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    private SemaphoreSlim LockFor(string path) =>
        _locks[(StringComparer.Ordinal.GetHashCode(path) & int.MaxValue) % _locks.Length];
}
