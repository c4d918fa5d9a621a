using static TorchSharp.torch;

namespace Apo.Model.Checkpoints;

/// <summary>Maps safetensors dtype strings to TorchSharp scalar types and element sizes.</summary>
public static class SafeTensorsDType
{
    static readonly (string Name, ScalarType Type, int Size)[] Known =
    {
        ("F64", ScalarType.Float64, 8), ("F32", ScalarType.Float32, 4), ("F16", ScalarType.Float16, 2),
        ("BF16", ScalarType.BFloat16, 2), ("I64", ScalarType.Int64, 8), ("I32", ScalarType.Int32, 4),
        ("I16", ScalarType.Int16, 2), ("I8", ScalarType.Int8, 1), ("U8", ScalarType.Byte, 1), ("BOOL", ScalarType.Bool, 1),
    };

    public static bool TryParse(string name, out ScalarType type, out int elementSize)
    {
        foreach (var k in Known)
        {
            if (k.Name != name) continue;
            type = k.Type;
            elementSize = k.Size;
            return true;
        }
        type = default;
        elementSize = 0;
        return false;
    }

    public static string NameOf(ScalarType type)
    {
        foreach (var k in Known) if (k.Type == type) return k.Name;
        throw new NotSupportedException($"safetensors cannot store tensors of type {type}");
    }

    /// <summary>Parses the torch_dtype spelling used in Hugging Face config.json files.</summary>
    public static ScalarType FromTorchDtypeName(string name) => name switch
    {
        "float32" or "float" => ScalarType.Float32,
        "bfloat16" => ScalarType.BFloat16,
        "float16" or "half" => ScalarType.Float16,
        "float64" or "double" => ScalarType.Float64,
        _ => throw new InvalidDataException($"unsupported torch_dtype \"{name}\" (expected float32, bfloat16 or float16)"),
    };

    public static string ToTorchDtypeName(ScalarType type) => type switch
    {
        ScalarType.Float32 => "float32",
        ScalarType.BFloat16 => "bfloat16",
        ScalarType.Float16 => "float16",
        ScalarType.Float64 => "float64",
        _ => throw new NotSupportedException($"no torch_dtype name for {type}"),
    };
}
