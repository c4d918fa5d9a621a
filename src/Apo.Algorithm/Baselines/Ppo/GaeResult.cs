using static TorchSharp.torch;

namespace Apo.Algorithm.Baselines.Ppo;

/// <summary>Advantages and value targets from GAE, [B, T] each; dispose both.</summary>
public sealed record GaeResult(Tensor Advantages, Tensor Returns) : IDisposable
{
    /// <inheritdoc />
    public void Dispose()
    {
        Advantages.Dispose();
        Returns.Dispose();
    }
}
