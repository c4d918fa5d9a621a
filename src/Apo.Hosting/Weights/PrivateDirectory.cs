namespace Apo.Hosting.Weights;

/// <summary>
/// A folder only this user may enter (mode 0700), for caches whose files a silo later loads. A folder that already
/// exists is narrowed to 0700 if this user owns it; one that belongs to someone else (chmod is refused) is refused,
/// so a folder another user created in a shared temp directory cannot feed this silo files. Cached weights are
/// also checked against their version's content hash before use; this keeps others from even reading them.
/// </summary>
public static class PrivateDirectory
{
    const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates or narrows <paramref name="path"/> to mode 0700 and returns its full path; <paramref name="field"/> names it in errors.</summary>
    public static string Ensure(string path, string field)
    {
        string full = Path.GetFullPath(path);
        if (OperatingSystem.IsWindows())
            return Directory.CreateDirectory(full).FullName;  // ACLs, not modes: the user profile's temp folder is private already
        if (!Directory.Exists(full))
            Directory.CreateDirectory(full, OwnerOnly);
        if (new DirectoryInfo(full).LinkTarget is { } target)
            throw new InvalidDataException($"{field}: \"{full}\" is a symbolic link (to \"{target}\"); the weight cache must be a real folder of this user");
        if (File.GetUnixFileMode(full) != OwnerOnly)
        {
            try
            {
                File.SetUnixFileMode(full, OwnerOnly);
            }
            catch (UnauthorizedAccessException)
            {
                throw new InvalidDataException(
                    $"{field}: \"{full}\" exists and belongs to another user (mode {Octal(File.GetUnixFileMode(full))}); " +
                    "refusing to load weights from it: choose another folder or remove it");
            }
        }
        return full;
    }

    static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');
}
