using System.Runtime.InteropServices;

namespace Apo.Common.Memory;

/// <summary>
/// How the process's C heap (where libtorch's CPU tensors live) hands memory back. glibc serves a block
/// from the heap unless it is larger than its mmap threshold, and by default raises that threshold to the
/// size of every mmapped block freed, up to 32 MiB. Activations of a long sequence ([tokens, hidden] is
/// 7 MiB in float32 at 2k tokens) then come from the heap, where freed space fragments and is not returned:
/// measured here, one 4-layer training step's resident memory grew by ~400 MB per step this way and peaks
/// stopped reflecting what was alive (docs/BENCHMARKS.md). A fixed threshold of 1 MiB maps every block
/// above it on its own and unmaps it when freed, so resident memory follows the live tensors.
/// </summary>
public static class NativeHeap
{
    /// <summary>The fixed mmap threshold: small enough for a 4k-token row of a 64-wide model, large enough to keep small tensors cheap.</summary>
    public const int MmapThresholdBytes = 1 << 20;

    const int M_MMAP_THRESHOLD = -3;

    [DllImport("libc", EntryPoint = "mallopt")]
    static extern int MallocOption(int parameter, int value);

    /// <summary>Sets the fixed threshold (glibc only; elsewhere, or when libc lacks mallopt, nothing happens). Call once, early.</summary>
    /// <returns>True when the setting took effect.</returns>
    public static bool ReturnLargeBlocksToTheSystem()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try { return MallocOption(M_MMAP_THRESHOLD, MmapThresholdBytes) == 1; }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { return false; }
    }
}
