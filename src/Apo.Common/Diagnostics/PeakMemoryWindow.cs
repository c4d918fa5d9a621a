using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Apo.Common.Diagnostics;

/// <summary>
/// Measures the peak memory of one stretch of a process (e.g. training, without the set-up before it).
/// Resident memory: the kernel's high-water mark, reset at the start by writing 5 to
/// /proc/self/clear_refs (Linux ≥ 4.0), else the largest of samples. Tensor memory: CPU libtorch has
/// no allocator statistics, so a background thread samples glibc's mallinfo2 (in-use arena bytes +
/// mmapped blocks) every <c>interval</c> and keeps the largest growth over the starting level.
/// </summary>
public sealed class PeakMemoryWindow : IDisposable
{
    readonly Thread sampler;
    readonly TimeSpan interval;
    readonly long? heapAtStart;
    readonly bool kernelPeakReset;
    volatile bool stopping;
    long peakHeap;
    long peakResident;
    MemoryPeaks? result;

    PeakMemoryWindow(TimeSpan interval)
    {
        this.interval = interval;
        // Memory freed by earlier work (e.g. an SFT phase in the same process) but still held by the .NET GC
        // or by glibc would otherwise stay resident and count towards this window's peak.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        NativeHeap.ReturnFreeMemory();
        kernelPeakReset = TryResetKernelPeak();
        heapAtStart = NativeHeap.InUseBytes();
        peakHeap = heapAtStart ?? 0;
        peakResident = ResidentBytes();
        sampler = new Thread(Sample) { IsBackground = true, Name = "peak-memory", Priority = ThreadPriority.AboveNormal };
        sampler.Start();
    }

    /// <summary>Starts a window sampling every <paramref name="interval"/> (default 5 ms).</summary>
    public static PeakMemoryWindow Start(TimeSpan? interval = null) => new(interval ?? TimeSpan.FromMilliseconds(5));

    /// <summary>Ends the window (idempotent) and returns its peaks.</summary>
    public MemoryPeaks Stop()
    {
        if (result is { } done) return done;
        stopping = true;
        sampler.Join();
        Observe();
        long resident = kernelPeakReset && ProcStatus.PeakResidentBytes() is { } hwm ? Math.Max(hwm, peakResident) : peakResident;
        result = new MemoryPeaks(resident, heapAtStart is { } start ? Math.Max(0, peakHeap - start) : null, kernelPeakReset);
        return result;
    }

    public void Dispose() => Stop();

    void Sample()
    {
        while (!stopping)
        {
            Observe();
            Thread.Sleep(interval);
        }
    }

    void Observe()
    {
        if (NativeHeap.InUseBytes() is { } heap && heap > Interlocked.Read(ref peakHeap)) Interlocked.Exchange(ref peakHeap, heap);
        if (kernelPeakReset) return; // the kernel keeps the exact resident peak itself: no need to sample it
        long resident = ResidentBytes();
        if (resident > Interlocked.Read(ref peakResident)) Interlocked.Exchange(ref peakResident, resident);
    }

    static long ResidentBytes()
    {
        using var self = Process.GetCurrentProcess();
        return self.WorkingSet64;
    }

    static bool TryResetKernelPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return ProcStatus.PeakResidentBytes() is not null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            return false;
        }
    }

    /// <summary>glibc's heap statistics; null where the function does not exist (musl, macOS, Windows, glibc &lt; 2.33).</summary>
    static class NativeHeap
    {
        [StructLayout(LayoutKind.Sequential)]
        struct MallInfo2
        {
            public nuint Arena, Ordblks, Smblks, Hblks, Hblkhd, Usmblks, Fsmblks, Uordblks, Fordblks, Keepcost;
        }

        [DllImport("libc", EntryPoint = "mallinfo2")]
        static extern MallInfo2 Query();

        [DllImport("libc", EntryPoint = "malloc_trim")]
        static extern int Trim(nuint pad);

        /// <summary>Returns free heap pages to the kernel (glibc's malloc_trim); a no-op elsewhere.</summary>
        public static void ReturnFreeMemory()
        {
            if (missing || !OperatingSystem.IsLinux()) return;
            try { Trim(0); }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { }
        }

        static bool missing;

        public static long? InUseBytes()
        {
            if (missing || !OperatingSystem.IsLinux()) return null;
            try
            {
                var info = Query();
                return (long)info.Uordblks + (long)info.Hblkhd;
            }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
            {
                missing = true;
                return null;
            }
        }
    }
}
