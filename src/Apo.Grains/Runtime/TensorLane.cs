using Apo.Model;
using Apo.Model.Devices;

namespace Apo.Grains.Runtime;

/// <summary>
/// One lane of tensor work on a device: a <see cref="DeviceExecutor"/> (its own thread and torch thread count)
/// and the model directories loaded for it, each loaded once and shared read-only by that lane's jobs (e.g. the
/// frozen reference used by stage 1 and by the trainer). A model is never shared across lanes, so two lanes never
/// touch one module at the same time.
/// </summary>
public sealed class TensorLane : IDisposable
{
    readonly Dictionary<string, LoadedModel> models = new(StringComparer.Ordinal);
    readonly string computeDtype;

    public DeviceExecutor Executor { get; }

    internal TensorLane(string device, string name, int torchThreads, string computeDtype)
    {
        this.computeDtype = computeDtype;
        Executor = new DeviceExecutor(device, name);
        // OpenMP's thread count is a property of the calling thread: set on the lane's own thread, it is this lane's alone.
        if (torchThreads > 0) Executor.Run(() => TorchSharp.torch.set_num_threads(torchThreads)).GetAwaiter().GetResult();
    }

    /// <summary>A model directory loaded onto this lane's device in its compute dtype, once. Call on <see cref="Executor"/>'s thread.</summary>
    public LoadedModel Shared(string modelDirectory)
    {
        EnsureOnDeviceThread();
        string key = Path.GetFullPath(modelDirectory);
        if (!models.TryGetValue(key, out var model))
        {
            var config = Apo.Model.Qwen2.Qwen2Config.Load(Path.Combine(key, ModelDirectory.ConfigFileName));
            Apo.Common.Memory.NativeHeap.PrepareFor(config.ParameterCount);
            model = ModelDirectory.Load(key, Executor.Device, ComputePrecision.Resolve(computeDtype, config.ScalarType, Executor.Device), forInference: true);
            models[key] = model;
        }
        return model;
    }

    public void EnsureOnDeviceThread()
    {
        if (!Executor.IsCurrentThread) throw new InvalidOperationException($"tensor work must run on the {Executor.Name} executor's thread");
    }

    public void Dispose()
    {
        Executor.Run(() =>
        {
            foreach (var model in models.Values) model.Dispose();
            models.Clear();
        }).GetAwaiter().GetResult();
        Executor.Dispose();
    }
}
