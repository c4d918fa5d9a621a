using Apo.Model.Devices;
using static TorchSharp.torch;

namespace Apo.Model.Tests.Devices;

public class DeviceExecutorTests
{
    [Fact]
    public async Task AllJobsRunOnOneDedicatedThreadInSubmissionOrder()
    {
        using var executor = new DeviceExecutor("cpu");
        var threads = new System.Collections.Concurrent.ConcurrentBag<int>();
        var order = new List<int>();
        var jobs = Enumerable.Range(0, 50).Select(i => executor.Run(() =>
        {
            threads.Add(Environment.CurrentManagedThreadId);
            order.Add(i);
            using var scope = NewDisposeScope();
            return ones(4).sum().item<float>();
        })).ToList();
        var results = await Task.WhenAll(jobs);

        Assert.All(results, r => Assert.Equal(4f, r));
        Assert.Single(threads.Distinct());
        Assert.NotEqual(Environment.CurrentManagedThreadId, threads.First());
        Assert.Equal(Enumerable.Range(0, 50), order);
    }

    [Fact]
    public async Task AJobsExceptionReachesItsCallerAndTheExecutorKeepsWorking()
    {
        using var executor = new DeviceExecutor("cpu");
        await Assert.ThrowsAsync<InvalidOperationException>(() => executor.Run<int>(() => throw new InvalidOperationException("boom")));
        Assert.Equal(3, await executor.Run(() => 3));
    }

    [Fact]
    public void UnknownOrUnavailableDevicesAreClearErrors()
    {
        Assert.Contains("tpu", Assert.Throws<InvalidDataException>(() => new DeviceExecutor("tpu")).Message);
        if (!cuda.is_available())
            Assert.Contains("CUDA is not available", Assert.Throws<InvalidDataException>(() => DeviceExecutor.ParseDevice("cuda:0")).Message);
    }

    [Fact]
    public async Task SubmittingAfterDisposeFails()
    {
        var executor = new DeviceExecutor("cpu");
        Assert.Equal(1, await executor.Run(() => 1));
        executor.Dispose();
        Assert.Throws<ObjectDisposedException>(() => { _ = executor.Run(() => 2); });
    }
}
