using Apo.Model.Qwen2;
using TorchSharp;
using static TorchSharp.torch;

namespace Apo.Model.Inference;

/// <summary>
/// Attention of one decode step: one new token per sequence, its key/value written into its slot row
/// at its own length, its query attending to that row's cached tokens. The batch rows are grouped by
/// slab; each slab's queries attend to a narrow view of its packed rows. Grouped-query attention
/// without expanding the cache: the heads/kvHeads query heads sharing a key/value head become that
/// head's "query length", so [B, kvHeads, group, d] queries read [B, kvHeads, S, d] keys once.
/// </summary>
sealed class DecodeAttention : IAttentionBackend
{
    readonly IReadOnlyList<Part> parts;

    /// <summary>
    /// Batch rows <paramref name="Offset"/>..Offset+Count are rows <paramref name="SlabRows"/> of <paramref name="Slab"/>
    /// (ascending), writing at <paramref name="Positions"/>; <paramref name="Mask"/> [Active, 1, 1, Width] admits each
    /// slab row's cached tokens. <paramref name="Packed"/>: the batch rows are exactly slab rows 0..Active−1.
    /// </summary>
    public sealed record Part(SlotCache.Slab Slab, int Offset, int Count, Tensor SlabRows, Tensor Positions, Tensor Mask, int Width, bool Packed);

    public DecodeAttention(IReadOnlyList<Part> parts) => this.parts = parts;

    public Tensor Attend(int layer, Tensor q, Tensor k, Tensor v)
    {
        using var scope = NewDisposeScope();
        long heads = q.shape[1], kvHeads = k.shape[1], headDim = q.shape[3], group = heads / kvHeads;
        var outputs = new List<Tensor>(parts.Count);
        foreach (var part in parts)
        {
            var slab = part.Slab;
            var queries = q.narrow(0, part.Offset, part.Count).reshape(part.Count, kvHeads, group, headDim);
            var rows = TensorIndex.Tensor(part.SlabRows);
            var slots = TensorIndex.Tensor(part.Positions);
            slab.Keys[layer].index_put_(k.narrow(0, part.Offset, part.Count).squeeze(2), rows, TensorIndex.Colon, slots);
            slab.Values[layer].index_put_(v.narrow(0, part.Offset, part.Count).squeeze(2), rows, TensorIndex.Colon, slots);
            var keys = slab.Keys[layer].narrow(0, 0, slab.Active).narrow(2, 0, part.Width);
            var values = slab.Values[layer].narrow(0, 0, slab.Active).narrow(2, 0, part.Width);
            // Rows of the slab not decoding this step (waiting for a larger slab) get zero queries; their outputs are dropped.
            var allQueries = part.Packed ? queries
                : zeros(slab.Active, kvHeads, group, headDim, dtype: q.dtype, device: q.device).index_copy_(0, part.SlabRows, queries);
            var attended = nn.functional.scaled_dot_product_attention(allQueries, keys, values, attn_mask: part.Mask);
            if (!part.Packed) attended = attended.index_select(0, part.SlabRows);
            outputs.Add(attended.reshape(part.Count, heads, 1, headDim));
        }
        return (outputs.Count == 1 ? outputs[0] : cat(outputs, 0)).MoveToOuterDisposeScope();
    }
}
