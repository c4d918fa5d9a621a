using System.Diagnostics;
using System.Runtime.InteropServices;
using Apo.Common.Diagnostics;

namespace Apo.Common.Tests.Diagnostics;

/// <summary>ProcStatus reads VmHWM (kB in /proc) and reports bytes; null off Linux or for a process that is gone.</summary>
public class ProcStatusTests
{
    const long Megabyte = 1 << 20;

    [Fact]
    public void OwnPeakIsInBytesAndAtLeastTheMemoryHeldNow()
    {
        if (!OperatingSystem.IsLinux()) { Assert.Null(ProcStatus.PeakResidentBytes()); return; }
        const int size = 64 * (int)Megabyte;
        IntPtr buffer = Marshal.AllocHGlobal(size);
        try
        {
            var page = new byte[Megabyte];
            Array.Fill(page, (byte)1);
            for (int offset = 0; offset < size; offset += (int)Megabyte) Marshal.Copy(page, 0, buffer + offset, (int)Megabyte);
            long resident;
            using (var self = Process.GetCurrentProcess()) resident = self.WorkingSet64;
            long? peak = ProcStatus.PeakResidentBytes();

            Assert.NotNull(peak);
            // The peak is a high-water mark, so it is at least what is resident now (which holds the 64 MiB);
            // a reading in kB instead of bytes would be 1024 times too small. The slack covers the kernel's
            // per-CPU batching of its RSS counters, which the two files may read a moment apart.
            Assert.True(resident > size, $"resident {resident} should hold the {size}-byte buffer");
            Assert.True(peak >= resident - 4 * Megabyte, $"peak {peak} < resident {resident}");
        }
        finally
        {
            Marshal.FreeHGlobal(buffer);
        }
    }

    [Fact]
    public void AnotherProcessHasAPeakUntilItIsGone()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/bin/sleep")) return;
        using var child = Process.Start(new ProcessStartInfo("/bin/sleep", "30") { UseShellExecute = false })!;
        try
        {
            // The child may still be exec'ing: wait until the kernel reports it.
            long? peak = null;
            for (int i = 0; i < 100 && (peak = ProcStatus.PeakResidentBytes(child.Id)) is null; i++) Thread.Sleep(20);
            Assert.NotNull(peak);
            Assert.InRange(peak.Value, 4096, 1024 * Megabyte);
        }
        finally
        {
            child.Kill();
            child.WaitForExit();
        }
        Assert.Null(ProcStatus.PeakResidentBytes(child.Id));
    }
}
