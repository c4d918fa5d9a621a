using System.Runtime.InteropServices;

namespace Apo.Common.Memory;

/// <summary>
/// How the process's C heap (where libtorch's CPU tensors live) hands memory back. glibc serves a block
/// from the heap unless it is larger than its mmap threshold, and by default raises that threshold to the
/// size of every mmapped block freed, up to 32 MiB. Activations of a long sequence ([tokens, hidden] is
/// 7 MiB in float32 at 2k tokens) then come from the heap, where freed space fragments and is not returned:
/// measured here, one 4-layer training step's resident memory grew by ~400 MB per step this way and peaks
/// stopped reflecting what was alive (docs/BENCHMARKS.md). A fixed threshold of 1 MiB maps every block
/// above it on its own and unmaps it when freed, so resident memory follows the live tensors. Mapping costs a
/// page fault per page of every such block, which a tiny model's millisecond steps feel (the embedded presets
/// ran 2× slower) and a large one's do not (the 0.5B step: unchanged), so processes switch it on when they
/// load a model of at least <see cref="LargeModelParameters"/> parameters.
/// </summary>
public static class NativeHeap
{
    /// <summary>The fixed mmap threshold.</summary>
    public const int MmapThresholdBytes = 1 << 20;

    /// <summary>Models from this size on (a 2-layer model with the Qwen2.5 vocabulary has 9.8M) switch the fixed threshold on.</summary>
    public const long LargeModelParameters = 5_000_000;

    /// <summary>Switches the fixed threshold on when a model of <paramref name="parameters"/> parameters is about to be built.</summary>
    public static void PrepareFor(long parameters)
    {
        if (parameters >= LargeModelParameters) ReturnLargeBlocksToTheSystem();
    }

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
