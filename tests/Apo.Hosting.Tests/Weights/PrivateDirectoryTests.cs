using Apo.Hosting.Weights;

namespace Apo.Hosting.Tests.Weights;

/// <summary>The weight cache folder: created private (0700), narrowed when it is ours and too open, never a symbolic link.</summary>
public sealed class PrivateDirectoryTests : IDisposable
{
    const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void A_new_cache_is_created_readable_by_this_user_only()
    {
        string path = PrivateDirectory.Ensure(Path.Combine(dir.Path, "a", "cache"), "weight cache");
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
    }

    [Fact]
    public void An_existing_cache_of_ours_that_others_could_write_is_narrowed_to_0700()
    {
        string path = Directory.CreateDirectory(Path.Combine(dir.Path, "open")).FullName;
        File.SetUnixFileMode(path, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute);
        PrivateDirectory.Ensure(path, "weight cache");
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
    }

    [Fact]
    public void A_symbolic_link_is_refused_naming_the_field_and_its_target()
    {
        string target = Directory.CreateDirectory(Path.Combine(dir.Path, "elsewhere")).FullName;
        string link = Path.Combine(dir.Path, "link");
        Directory.CreateSymbolicLink(link, target);
        var error = Assert.Throws<InvalidDataException>(() => PrivateDirectory.Ensure(link, "Silo:Weights:CacheDirectory"));
        Assert.Equal($"Silo:Weights:CacheDirectory: \"{link}\" is a symbolic link (to \"{target}\"); the weight cache must be a real folder of this user", error.Message);
    }
}
