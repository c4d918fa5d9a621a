using Apo.Model.Qwen2;
using static TorchSharp.torch;

namespace Apo.Model.Inference;

/// <summary>
/// Attention of a prefill pass: prompts right-padded into one batch attend causally among themselves
/// (padding comes after every real token, so no mask is needed), and each prompt's keys/values are
/// copied into the slot rows of all its samples — one prefill serves all N samples of a prompt.
/// </summary>
sealed class PrefillAttention(IReadOnlyList<PrefillAttention.Target> targets) : IAttentionBackend
{
    /// <summary>Prompt row <paramref name="Row"/> of the batch, <paramref name="Length"/> real tokens, goes to <paramref name="SlabRows"/> of <paramref name="Slab"/>.</summary>
    public sealed record Target(int Row, int Length, SlotCache.Slab Slab, Tensor SlabRows);

    public Tensor Attend(int layer, Tensor q, Tensor k, Tensor v)
    {
        foreach (var target in targets)
        {
            long copies = target.SlabRows.shape[0];
            using var keys = k.narrow(0, target.Row, 1).narrow(2, 0, target.Length).expand(copies, -1, -1, -1);
            using var values = v.narrow(0, target.Row, 1).narrow(2, 0, target.Length).expand(copies, -1, -1, -1);
            using var keySlots = target.Slab.Keys[layer].narrow(2, 0, target.Length);
            using var valueSlots = target.Slab.Values[layer].narrow(2, 0, target.Length);
            keySlots.index_copy_(0, target.SlabRows, keys);
            valueSlots.index_copy_(0, target.SlabRows, values);
        }
        return DenseAttention.Attend(q, k, v, null);
    }
}
