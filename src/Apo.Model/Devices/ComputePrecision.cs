using static TorchSharp.torch;

namespace Apo.Model.Devices;

/// <summary>
/// The dtype a model computes in, given the dtype its checkpoint stores. <c>auto</c> (the default) computes a
/// bf16/fp16 checkpoint in its own dtype where the device has fast kernels for it — CUDA, or a CPU whose
/// libtorch half-precision matmuls go through oneDNN (AVX-512 BW/VL/DQ for bf16, AVX-512 FP16 or AMX for fp16) —
/// and in float32 elsewhere: on an AVX2-only CPU libtorch's own bf16 matmul runs at 1–20 GFLOP/s against
/// ~100 in float32 (measured, docs/BENCHMARKS.md), so half precision there costs far more time than it saves
/// memory. A float32 model computes in float32 and is its own master weights; a half-precision one trains
/// through float32 masters (<c>PolicyOptimizer</c>). Either way the policy is saved in the checkpoint's dtype.
/// </summary>
public static class ComputePrecision
{
    public const string Auto = "auto";

    /// <summary>The accepted settings: auto, checkpoint (always the stored dtype), float32, bfloat16, float16.</summary>
    public static IReadOnlyList<string> Names { get; } = [Auto, "checkpoint", "float32", "bfloat16", "float16"];

    /// <summary>True when <paramref name="setting"/> is one of <see cref="Names"/>.</summary>
    public static bool IsValid(string? setting) => setting is not null && Names.Contains(setting);

    /// <summary>The compute dtype for a checkpoint stored as <paramref name="stored"/> on <paramref name="device"/>.</summary>
    public static ScalarType Resolve(string setting, ScalarType stored, Device device) => setting switch
    {
        Auto => stored == ScalarType.Float32 || HasFastKernels(stored, device) ? stored : ScalarType.Float32,
        "checkpoint" => stored,
        "float32" => ScalarType.Float32,
        "bfloat16" => ScalarType.BFloat16,
        "float16" => ScalarType.Float16,
        _ => throw new ArgumentException($"compute dtype \"{setting}\" is not one of {string.Join(", ", Names)}", nameof(setting)),
    };

    /// <summary>Whether half-precision matmuls of <paramref name="dtype"/> are fast on <paramref name="device"/>.</summary>
    public static bool HasFastKernels(ScalarType dtype, Device device)
    {
        if (device.type == TorchSharp.DeviceType.CUDA) return true;
        var flags = CpuFlags.Value;
        bool avx512 = flags.Contains("avx512bw") && flags.Contains("avx512vl") && flags.Contains("avx512dq");
        return dtype switch
        {
            ScalarType.BFloat16 => avx512 || flags.Contains("amx_bf16"),
            ScalarType.Float16 => flags.Contains("avx512_fp16") || flags.Contains("amx_fp16"),
            _ => true,
        };
    }

    static readonly Lazy<HashSet<string>> CpuFlags = new(() =>
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal));
            return line is null ? [] : line[(line.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        }
        catch (IOException)
        {
            return [];
        }
    });
}
