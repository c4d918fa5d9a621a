using static TorchSharp.torch;

namespace Apo.Model.Qwen2;

/// <summary>
/// Rotary position embedding in the Hugging Face "rotate half" layout: the head vector is split
/// into two halves (x1, x2) and rotated as (x1·cos − x2·sin, x2·cos + x1·sin), with frequencies
/// theta^(−2i/d). Angles come from explicit position ids, so left padding does not shift them.
/// Stateless: nothing to save, nothing to move between devices.
/// </summary>
public static class RotaryEmbedding
{
    /// <summary>cos and sin tables [B, 1, T, headDim] for position ids [B, T], in <paramref name="dtype"/>.</summary>
    public static (Tensor Cos, Tensor Sin) Tables(Tensor positionIds, int headDim, double theta, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        // Same float32 recipe as transformers: 1 / theta^(arange(0, d, 2) / d).
        var exponents = arange(0, headDim, 2, dtype: ScalarType.Int64, device: positionIds.device).to(ScalarType.Float32) / headDim;
        var inverseFrequency = pow(theta, exponents).reciprocal();
        var angles = positionIds.to(ScalarType.Float32).unsqueeze(-1) * inverseFrequency; // [B, T, d/2]
        var doubled = cat([angles, angles], dim: -1).unsqueeze(1);                      // [B, 1, T, d]
        var cos = doubled.cos().to(dtype);
        var sin = doubled.sin().to(dtype);
        return (cos.MoveToOuterDisposeScope(), sin.MoveToOuterDisposeScope());
    }

    /// <summary>Rotates x [B, heads, T, headDim] by the tables from <see cref="Tables"/>.</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        using var scope = NewDisposeScope();
        long half = x.shape[^1] / 2;
        var first = x.narrow(-1, 0, half);
        var second = x.narrow(-1, half, half);
        var rotated = cat([second.neg(), first], dim: -1);
        return (x * cos + rotated * sin).MoveToOuterDisposeScope();
    }
}
