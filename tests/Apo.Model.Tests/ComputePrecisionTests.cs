using Apo.Model.Devices;
using static TorchSharp.torch;

namespace Apo.Model.Tests;

public class ComputePrecisionTests
{
    [Theory]
    [InlineData("checkpoint", ScalarType.BFloat16, ScalarType.BFloat16)]
    [InlineData("checkpoint", ScalarType.Float32, ScalarType.Float32)]
    [InlineData("float32", ScalarType.BFloat16, ScalarType.Float32)]
    [InlineData("bfloat16", ScalarType.Float32, ScalarType.BFloat16)]
    [InlineData("float16", ScalarType.BFloat16, ScalarType.Float16)]
    [InlineData("auto", ScalarType.Float32, ScalarType.Float32)]
    public void ExplicitSettingsAndFloat32CheckpointsResolveWithoutLookingAtTheDevice(string setting, ScalarType stored, ScalarType expected) =>
        Assert.Equal(expected, ComputePrecision.Resolve(setting, stored, CPU));

    [Fact]
    public void AutoKeepsHalfPrecisionOnCuda() =>
        Assert.Equal(ScalarType.BFloat16, ComputePrecision.Resolve("auto", ScalarType.BFloat16, new Device(TorchSharp.DeviceType.CUDA, 0)));

    [Fact]
    public void AutoOnThisCpuFollowsItsFlags()
    {
        var flags = File.ReadLines("/proc/cpuinfo").First(l => l.StartsWith("flags")).Split(' ');
        bool avx512 = flags.Contains("avx512bw") && flags.Contains("avx512vl") && flags.Contains("avx512dq");
        bool fast = avx512 || flags.Contains("amx_bf16");
        Assert.Equal(fast ? ScalarType.BFloat16 : ScalarType.Float32, ComputePrecision.Resolve("auto", ScalarType.BFloat16, CPU));
    }

    [Fact]
    public void AnUnknownSettingIsRefused()
    {
        Assert.False(ComputePrecision.IsValid("float64"));
        var error = Assert.Throws<ArgumentException>(() => ComputePrecision.Resolve("float64", ScalarType.Float32, CPU));
        Assert.Contains("\"float64\"", error.Message);
    }
}
