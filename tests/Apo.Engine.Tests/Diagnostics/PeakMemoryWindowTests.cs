using System.Runtime.InteropServices;
using Apo.Common.Diagnostics;

namespace Apo.Engine.Tests.Diagnostics;

public class PeakMemoryWindowTests
{
    const int Megabyte = 1024 * 1024;

    [Fact]
    public void ABufferAllocatedAndFreedInsideTheWindowShowsInBothPeaks()
    {
        using var window = PeakMemoryWindow.Start(TimeSpan.FromMilliseconds(2));
        const int size = 160 * Megabyte;
        // Marshal.AllocHGlobal is malloc on Unix, the allocator CPU libtorch uses for tensors.
        IntPtr buffer = Marshal.AllocHGlobal(size);
        try
        {
            var page = new byte[Megabyte];
            Array.Fill(page, (byte)1);
            for (int offset = 0; offset < size; offset += Megabyte) Marshal.Copy(page, 0, buffer + offset, Megabyte);
            Thread.Sleep(100); // several sampling periods while the buffer is resident
        }
        finally
        {
            Marshal.FreeHGlobal(buffer);
        }
        var peaks = window.Stop();

        Assert.InRange(peaks.PeakResidentMegabytes, 160, 100_000);
        if (OperatingSystem.IsLinux())
        {
            Assert.NotNull(peaks.PeakNativeHeapGrowthBytes);
            Assert.InRange(peaks.PeakNativeHeapGrowthMegabytes!.Value, 160, 200);
        }
    }

    [Fact]
    public void AWindowWithoutAllocationsReportsLittleHeapGrowthAndStopIsIdempotent()
    {
        var window = PeakMemoryWindow.Start();
        Thread.Sleep(30);
        var first = window.Stop();
        Assert.Same(first, window.Stop());
        if (first.PeakNativeHeapGrowthMegabytes is { } growth) Assert.InRange(growth, 0, 16);
    }
}
