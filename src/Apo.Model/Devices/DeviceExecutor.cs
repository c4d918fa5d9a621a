using System.Collections.Concurrent;
using TorchSharp;
using static TorchSharp.torch;

namespace Apo.Model.Devices;

/// <summary>
/// Runs all tensor work for one device on one dedicated thread. TorchSharp dispose scopes are
/// thread-static and do not follow <c>await</c>, and a device is not made faster by two threads
/// fighting over it, so grains and commands submit jobs here and await the results. A job is
/// synchronous code: it opens its own dispose scope and returns only managed values (or tensors
/// moved out of its scope that stay owned by this thread's later jobs).
/// </summary>
public sealed class DeviceExecutor : IDisposable
{
    readonly BlockingCollection<Action> queue = new();
    readonly Thread thread;
    int disposed;

    public Device Device { get; }
    public string Name { get; }

    /// <param name="name">Name of this executor's lane (its thread is apo-device-&lt;name&gt;); the device's name by default.</param>
    public DeviceExecutor(string device = "cpu", string? name = null)
    {
        Name = name ?? device;
        Device = ParseDevice(device);
        thread = new Thread(Loop) { IsBackground = true, Name = $"apo-device-{Name}" };
        thread.Start();
    }

    /// <summary>Turns "cpu", "cuda" or "cuda:1" into a device, with a clear error for anything else.</summary>
    public static Device ParseDevice(string name)
    {
        if (name == "cpu") return CPU;
        if (name == "cuda" || name.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!cuda.is_available())
                throw new InvalidDataException($"device \"{name}\" requested but CUDA is not available in this build or machine (use \"cpu\")");
            return torch.device(name);
        }
        throw new InvalidDataException($"unknown device \"{name}\" (expected cpu, cuda or cuda:N)");
    }

    public Task<T> Run<T>(Func<T> job)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(() =>
        {
            try { completion.SetResult(job()); }
            catch (Exception e) { completion.SetException(e); }
        });
        return completion.Task;
    }

    public Task Run(Action job) => Run(() => { job(); return true; });

    /// <summary>True when called from this executor's own thread (to assert that tensor code runs here).</summary>
    public bool IsCurrentThread => Thread.CurrentThread == thread;

    void Enqueue(Action action)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        queue.Add(action);
    }

    void Loop()
    {
        foreach (var action in queue.GetConsumingEnumerable()) action();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0) return;
        queue.CompleteAdding();
        if (!IsCurrentThread) thread.Join();
        queue.Dispose();
    }
}
