using static TorchSharp.torch;

namespace Apo.Model.Inference;

/// <summary>
/// A value model's predictions over response positions, laid out like <see cref="TeacherForcingOutput"/>:
/// column t of row b is read at the position that predicts response token t of sequence b.
/// Owns its tensors (also registered with the caller's dispose scope, if any).
/// </summary>
public sealed class ResponseValues : IDisposable
{
    internal ResponseValues(Tensor values, Tensor mask)
    {
        Values = values;
        Mask = mask;
    }

    /// <summary>[B, R] float32, 0 on padding.</summary>
    public Tensor Values { get; }

    /// <summary>[B, R] float32, 1 on real response tokens.</summary>
    public Tensor Mask { get; }

    public void Dispose()
    {
        Values.Dispose();
        Mask.Dispose();
    }
}
