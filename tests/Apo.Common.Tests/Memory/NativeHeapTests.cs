using System.Runtime.InteropServices;
using Apo.Common.Memory;

namespace Apo.Common.Tests.Memory;

/// <summary>This process's C heap is measured here, so no other test may allocate from it at the same time.</summary>
[CollectionDefinition(nameof(NativeHeapCollection), DisableParallelization = true)]
public sealed class NativeHeapCollection;

/// <summary>
/// NativeHeap's fixed mmap threshold, observed through glibc's own statistics (mallinfo2's hblkhd, the
/// bytes in separately mapped blocks). glibc only; the test returns early elsewhere. The setting stays for
/// the rest of this test process, where nothing else depends on glibc's default.
/// </summary>
[Collection(nameof(NativeHeapCollection))]
public class NativeHeapTests
{
    const int Megabyte = 1 << 20;

    [StructLayout(LayoutKind.Sequential)]
    struct MallInfo2
    {
        public nuint Arena, Ordblks, Smblks, Hblks, Hblkhd, Usmblks, Fsmblks, Uordblks, Fordblks, Keepcost;
    }

    [DllImport("libc", EntryPoint = "mallinfo2")]
    static extern MallInfo2 Query();

    static long MappedBytes() => (long)Query().Hblkhd;

    [Fact]
    public void WithTheFixedThresholdBlocksAboveItAreMappedOnTheirOwnEvenAfterALargerOneWasFreed()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.RuntimeIdentifier.Contains("musl")) return;
        Assert.True(NativeHeap.ReturnLargeBlocksToTheSystem());

        // Under glibc's default, freeing a mapped 16 MiB block raises the threshold to 16 MiB, and 2 MiB
        // blocks come from the heap from then on (where freed space fragments and stays resident): run
        // without the setting, this test measured 0 bytes mapped.
        Marshal.FreeHGlobal(Marshal.AllocHGlobal(16 * Megabyte));
        long before = MappedBytes();
        var blocks = Enumerable.Range(0, 64).Select(_ => Marshal.AllocHGlobal(2 * Megabyte)).ToList();
        long mapped = MappedBytes() - before;
        foreach (var block in blocks) Marshal.FreeHGlobal(block);

        // glibc maps a block only when the heap has no free space for it, and the heap may hold some from
        // earlier work in this process; 128 MiB is far more than it keeps, so most blocks must be mapped.
        Assert.InRange(mapped, 64 * Megabyte, 64 * (2 * Megabyte + 64 * 1024));
        Assert.Equal(before, MappedBytes()); // each was unmapped when freed
    }
}
