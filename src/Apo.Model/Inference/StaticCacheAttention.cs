using Apo.Model.Qwen2;
using static TorchSharp.torch;

namespace Apo.Model.Inference;

/// <summary>
/// Attention through a <see cref="KvCache"/> shared by the whole batch at one offset: this call's keys
/// and values go to slots offset..offset+T, queries attend to slots 0..offset+T under the bias. The
/// layout of <see cref="StaticSampler"/> and of token-by-token decoding checks.
/// </summary>
public sealed class StaticCacheAttention(KvCache cache, int offset, Tensor bias) : IAttentionBackend
{
    public Tensor Attend(int layer, Tensor q, Tensor k, Tensor v)
    {
        var (keys, values) = cache.Write(layer, k, v, offset);
        return DenseAttention.Attend(q, k: keys, v: values, bias);
    }
}
