using Apo.Model.Qwen2;
using static TorchSharp.torch;

namespace Apo.Model.Inference;

/// <summary>
/// Preallocated key/value cache for one batch, kept outside the model (as in gpt-fast): per layer a
/// [B, kvHeads, capacity, headDim] tensor for keys and one for values, written at the slots the
/// caller names. Inference only (use under <c>no_grad</c>). Owns its tensors: dispose it.
/// </summary>
public sealed class KvCache : IDisposable
{
    readonly Tensor[] keys, values;

    public KvCache(Qwen2Config config, int batchSize, int capacity, Device device, ScalarType dtype)
    {
        if (batchSize <= 0 || capacity <= 0) throw new ArgumentOutOfRangeException(nameof(capacity), "batch size and capacity must be positive");
        BatchSize = batchSize;
        Capacity = capacity;
        keys = PerLayer(config, batchSize, capacity, device, dtype);
        values = PerLayer(config, batchSize, capacity, device, dtype);
    }

    /// <summary>
    /// One zero-filled [rows, kvHeads, capacity, headDim] tensor per layer, detached from any dispose scope
    /// (a cache lives across many steps, until it is disposed). Zeros, not garbage: masked slots still enter q·k.
    /// </summary>
    internal static Tensor[] PerLayer(Qwen2Config config, int rows, int capacity, Device device, ScalarType dtype) =>
        Enumerable.Range(0, config.NumHiddenLayers)
            .Select(_ => zeros(rows, config.NumKeyValueHeads, capacity, config.HeadDim, dtype: dtype, device: device).DetachFromDisposeScope())
            .ToArray();

    public int BatchSize { get; }
    public int Capacity { get; }

    /// <summary>
    /// Stores k, v [B, kvHeads, T, headDim] at slots offset..offset+T of <paramref name="layer"/> and returns
    /// views of slots 0..offset+T (everything a query at those positions may attend to).
    /// </summary>
    public (Tensor Keys, Tensor Values) Write(int layer, Tensor k, Tensor v, int offset)
    {
        long time = k.shape[2];
        keys[layer].narrow(2, offset, time).copy_(k);
        values[layer].narrow(2, offset, time).copy_(v);
        return (keys[layer].narrow(2, 0, offset + time), values[layer].narrow(2, 0, offset + time));
    }

    public void Dispose()
    {
        foreach (var t in keys) t.Dispose();
        foreach (var t in values) t.Dispose();
    }
}
