using static TorchSharp.torch;

namespace Apo.Model.Checkpoints;

/// <summary>One tensor's header entry in a safetensors file: where its bytes are and what they mean.</summary>
public sealed record TensorEntry(string Name, string File, ScalarType DType, long[] Shape, long Begin, long End)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => checked(a * b));
    public long ByteCount => End - Begin;
}
