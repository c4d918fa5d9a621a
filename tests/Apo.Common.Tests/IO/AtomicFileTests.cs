using System.Text;
using Apo.Common.IO;

namespace Apo.Common.Tests.IO;

/// <summary>
/// AtomicFile: readers see the old contents or the complete new ones, never a torn file.
/// Covered: a write that fails after writing most of its bytes (the delegate throws, or the flush is
/// cancelled) leaves the old file byte-for-byte and removes its temporary file; while a write is under
/// way the target still holds the old contents; a shorter new file leaves no tail of the old one.
/// Not covered: a real SIGKILL or power loss. The target is only ever touched by the final rename, so
/// a kill before it leaves the target as a throw does; what differs is that no catch runs, so the
/// temporary ".name.guid.tmp" file stays behind (readers of the target never open it). Power loss after
/// the rename can still lose the rename itself (the folder is not fsynced), which again leaves the old file.
/// </summary>
public class AtomicFileTests
{
    const string Old = "old contents, which must survive a failed write\n";

    sealed class WriteFailed : Exception;

    /// <summary>The temporary file a write is filling: named after the target, hidden, in the same folder.</summary>
    static string TempOf(string target) =>
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.*.tmp"));

    [Fact]
    public void AWriteThatThrowsAfterMostOfItsBytesLeavesTheOldFileAndNoTemporaryFile()
    {
        using var dir = new TempDirectory();
        string target = dir.Write("state.json", Old);
        var big = new byte[4 << 20];
        Random.Shared.NextBytes(big);

        Assert.Throws<WriteFailed>(() => AtomicFile.Write(target, stream =>
        {
            stream.Write(big, 0, big.Length - 1);
            stream.Flush();
            Assert.True(new FileInfo(TempOf(target)).Length >= big.Length - 1); // the bytes really went out
            throw new WriteFailed();
        }));

        Assert.Equal(Old, File.ReadAllText(target));
        Assert.Empty(dir.Leftovers("state.json"));
    }

    [Fact]
    public async Task AnAsyncWriteThatThrowsOrIsCancelledLeavesTheOldFileAndNoTemporaryFile()
    {
        using var dir = new TempDirectory();
        string target = dir.Write("state.json", Old);

        await Assert.ThrowsAsync<WriteFailed>(() => AtomicFile.WriteAsync(target, async stream =>
        {
            await stream.WriteAsync(new byte[1 << 20]);
            throw new WriteFailed();
        }));
        Assert.Equal(Old, File.ReadAllText(target));
        Assert.Empty(dir.Leftovers("state.json"));

        // Cancellation is seen at the flush, after the delegate wrote everything: still nothing replaced.
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            AtomicFile.WriteAsync(target, stream => stream.WriteAsync(new byte[1 << 20]).AsTask(), cancelled.Token));
        Assert.Equal(Old, File.ReadAllText(target));
        Assert.Empty(dir.Leftovers("state.json"));
    }

    [Fact]
    public void WhileAWriteIsUnderWayTheTargetStillHoldsTheOldContents()
    {
        using var dir = new TempDirectory();
        string target = dir.Write("state.json", Old);
        string? seenDuringWrite = null;

        AtomicFile.Write(target, stream =>
        {
            stream.Write("newer, and longer than what it replaces"u8);
            stream.Flush();
            seenDuringWrite = File.ReadAllText(target);
        });

        Assert.Equal(Old, seenDuringWrite);
        Assert.Equal("newer, and longer than what it replaces", File.ReadAllText(target));
        Assert.Empty(dir.Leftovers("state.json"));
    }

    [Fact]
    public void AShorterFileReplacesALongerOneCompletely()
    {
        using var dir = new TempDirectory();
        string target = dir.Write("data.bin", new string('x', 10_000));
        AtomicFile.WriteAllBytes(target, [1, 2, 3]);
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(target));
    }

    [Fact]
    public void MissingFoldersAreCreated()
    {
        using var dir = new TempDirectory();
        string target = Path.Combine(dir.Path, "a", "b", "c.txt");
        AtomicFile.WriteAllText(target, "deep");
        Assert.Equal("deep", File.ReadAllText(target));
    }

    [Fact]
    public void WriteAllTextIsUtf8WithoutAByteOrderMark()
    {
        using var dir = new TempDirectory();
        string target = dir.File("text.txt");
        const string text = "héllo, 世界 😀 \u00e9\u0301\n";
        AtomicFile.WriteAllText(target, text);
        Assert.Equal(new UTF8Encoding(false).GetBytes(text), File.ReadAllBytes(target)); // no EF BB BF in front
        Assert.Equal(text, File.ReadAllText(target));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // no Unix modes there; AtomicFile ignores the parameter
    public void AUnixModeIsTheFilesModeFromItsCreationOn()
    {
        if (OperatingSystem.IsWindows()) return;
        const UnixFileMode owner = UnixFileMode.UserRead | UnixFileMode.UserWrite; // 0600
        using var dir = new TempDirectory();
        // An existing world-readable file must not lend its mode to the new one.
        string target = dir.Write("tls.key", "old key");
        File.SetUnixFileMode(target, owner | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        UnixFileMode? whileWriting = null;

        AtomicFile.Write(target, stream =>
        {
            // The mode is given to open(2) itself, so it holds from the file's first moment; this is the
            // earliest a test can look, with the key's bytes already in it and nobody else allowed to read.
            stream.Write("secret key"u8);
            stream.Flush();
            whileWriting = File.GetUnixFileMode(TempOf(target));
        }, owner);

        Assert.Equal(owner, whileWriting);
        Assert.Equal(owner, File.GetUnixFileMode(target));
        Assert.Equal("secret key", File.ReadAllText(target));

        AtomicFile.WriteAllText(target, "rotated key", owner);
        Assert.Equal(owner, File.GetUnixFileMode(target));
    }
}
