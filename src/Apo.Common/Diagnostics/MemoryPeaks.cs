namespace Apo.Common.Diagnostics;

/// <summary>What a <see cref="PeakMemoryWindow"/> saw between its start and its stop.</summary>
/// <param name="PeakResidentBytes">Peak resident set size of the process in the window.</param>
/// <param name="PeakNativeHeapGrowthBytes">
/// Peak of the C heap's in-use bytes above their level at the start (null where glibc's mallinfo2 is
/// missing). On CPU libtorch allocates every tensor from this heap, so this is the peak tensor memory
/// of the window plus a few MB of other native allocations.
/// </param>
/// <param name="ResidentPeakIsExact">
/// True when the kernel's own high-water mark (VmHWM, reset at the start) gave the RSS peak; false
/// when it comes from sampling every few milliseconds (a shorter spike can be missed).
/// </param>
public sealed record MemoryPeaks(long PeakResidentBytes, long? PeakNativeHeapGrowthBytes, bool ResidentPeakIsExact)
{
    public double PeakResidentMegabytes => PeakResidentBytes / (1024.0 * 1024.0);
    public double? PeakNativeHeapGrowthMegabytes => PeakNativeHeapGrowthBytes / (1024.0 * 1024.0);
}
