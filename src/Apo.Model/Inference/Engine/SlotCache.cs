using Apo.Model.Qwen2;
using static TorchSharp.torch;

namespace Apo.Model.Inference;

/// <summary>
/// The rollout engine's key/value memory: per slab of a <see cref="KvSlabPlan"/>, per layer, one
/// [rows, kvHeads, capacity, headDim] tensor for keys and one for values, allocated once. A sequence
/// owns one row of one slab; rows in use are kept packed at the front of each slab (0..Active−1) so
/// attention reads a narrow view, never a gathered copy. Inference only; owns its tensors: dispose it.
/// </summary>
sealed class SlotCache : IDisposable
{
    public SlotCache(Qwen2Config config, KvSlabPlan plan, Device device, ScalarType dtype)
    {
        Slabs = plan.Slabs.Select(s => new Slab(config, s.Rows, s.Capacity, device, dtype)).ToArray();
    }

    public Slab[] Slabs { get; }

    /// <summary>Copies the first <paramref name="length"/> cached tokens of a row into another row (same or another slab).</summary>
    public static void CopyRow(Slab from, int fromRow, Slab to, int toRow, int length)
    {
        for (int layer = 0; layer < from.Keys.Length; layer++)
        {
            to.Keys[layer][toRow].narrow(1, 0, length).copy_(from.Keys[layer][fromRow].narrow(1, 0, length));
            to.Values[layer][toRow].narrow(1, 0, length).copy_(from.Values[layer][fromRow].narrow(1, 0, length));
        }
    }

    public void Dispose()
    {
        foreach (var slab in Slabs) slab.Dispose();
    }

    /// <summary>Rows of one capacity.</summary>
    public sealed class Slab : IDisposable
    {
        public Slab(Qwen2Config config, int rows, int capacity, Device device, ScalarType dtype)
        {
            Rows = rows;
            Capacity = capacity;
            Keys = KvCache.PerLayer(config, rows, capacity, device, dtype);
            Values = KvCache.PerLayer(config, rows, capacity, device, dtype);
        }

        public int Rows { get; }
        public int Capacity { get; }
        public Tensor[] Keys { get; }
        public Tensor[] Values { get; }
        /// <summary>Rows 0..Active−1 belong to live sequences.</summary>
        public int Active { get; set; }
        public int Free => Rows - Active;

        public void Dispose()
        {
            foreach (var t in Keys) t.Dispose();
            foreach (var t in Values) t.Dispose();
        }
    }
}
