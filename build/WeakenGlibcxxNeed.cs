using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

// MSBuild inline task (see TorchSharpNativeFix.targets). Edits the ELF .gnu.version_r section of
// every libLibTorchSharp.so below Directory so that its GLIBCXX_3.4.32 need is weak.
public class ApoWeakenGlibcxxNeed : Task
{
    const string NeededVersion = "GLIBCXX_3.4.32";
    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlgWeak = 0x2;

    [Required] public string Directory { get; set; } = "";
    [Required] public string Mode { get; set; } = "auto";

    public override bool Execute()
    {
        if (!System.IO.Directory.Exists(Directory)) return true;
        var libraries = System.IO.Directory.GetFiles(Directory, "libLibTorchSharp.so", SearchOption.AllDirectories);
        if (libraries.Length == 0) return true;
        if (Mode != "true" && SystemLibstdcxxHasVersion())
        {
            Log.LogMessage(MessageImportance.Low, $"System libstdc++ provides {NeededVersion}; TorchSharp natives left as shipped.");
            return true;
        }
        foreach (var path in libraries)
        {
            try
            {
                var bytes = File.ReadAllBytes(path);
                switch (Weaken(bytes))
                {
                    case Outcome.Patched:
                        WriteAtomically(path, bytes);
                        Log.LogMessage(MessageImportance.High, $"Marked {NeededVersion} weak in {path}");
                        break;
                    case Outcome.AlreadyWeak:
                        Log.LogMessage(MessageImportance.Low, $"{path}: {NeededVersion} already weak");
                        break;
                    case Outcome.NotNeeded:
                        Log.LogMessage(MessageImportance.Low, $"{path}: no {NeededVersion} need");
                        break;
                }
            }
            catch (Exception e)
            {
                Log.LogError($"Could not patch {path}: {e.Message}");
                return false;
            }
        }
        return !Log.HasLoggedErrors;
    }

    enum Outcome { NotNeeded, AlreadyWeak, Patched }

    static bool SystemLibstdcxxHasVersion()
    {
        string[] candidates =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6", "/lib64/libstdc++.so.6",
        };
        foreach (var candidate in candidates)
        {
            if (!File.Exists(candidate)) continue;
            var haystack = File.ReadAllBytes(candidate);
            return IndexOf(haystack, Encoding.ASCII.GetBytes(NeededVersion + "\0")) >= 0;
        }
        // No glibc libstdc++ found (macOS, musl, ...): nothing we know how to fix.
        return true;
    }

    static Outcome Weaken(byte[] elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1) throw new InvalidDataException("only 64-bit little-endian ELF is supported");

        ulong shoff = BitConverter.ToUInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        for (int i = 0; i < shnum; i++)
        {
            int sh = checked((int)shoff + i * shentsize);
            if (BitConverter.ToUInt32(elf, sh + 4) != ShtGnuVerneed) continue;
            int offset = checked((int)BitConverter.ToUInt64(elf, sh + 0x18));
            int link = (int)BitConverter.ToUInt32(elf, sh + 0x28);
            int count = (int)BitConverter.ToUInt32(elf, sh + 0x2C);
            int strtab = checked((int)BitConverter.ToUInt64(elf, checked((int)shoff + link * shentsize) + 0x18));
            return WeakenInVerneed(elf, offset, count, strtab);
        }
        return Outcome.NotNeeded;
    }

    static Outcome WeakenInVerneed(byte[] elf, int offset, int count, int strtab)
    {
        int need = offset;
        for (int n = 0; n < count; n++)
        {
            int auxCount = BitConverter.ToUInt16(elf, need + 2);
            int aux = need + (int)BitConverter.ToUInt32(elf, need + 8);
            for (int a = 0; a < auxCount; a++)
            {
                int flagsAt = aux + 4;
                string name = ReadCString(elf, strtab + (int)BitConverter.ToUInt32(elf, aux + 8));
                if (name == NeededVersion)
                {
                    ushort flags = BitConverter.ToUInt16(elf, flagsAt);
                    if ((flags & VerFlgWeak) != 0) return Outcome.AlreadyWeak;
                    flags |= VerFlgWeak;
                    elf[flagsAt] = (byte)(flags & 0xff);
                    elf[flagsAt + 1] = (byte)(flags >> 8);
                    return Outcome.Patched;
                }
                uint nextAux = BitConverter.ToUInt32(elf, aux + 12);
                if (nextAux == 0) break;
                aux += (int)nextAux;
            }
            uint next = BitConverter.ToUInt32(elf, need + 12);
            if (next == 0) break;
            need += (int)next;
        }
        return Outcome.NotNeeded;
    }

    static string ReadCString(byte[] bytes, int start)
    {
        int end = start;
        while (end < bytes.Length && bytes[end] != 0) end++;
        return Encoding.ASCII.GetString(bytes, start, end - start);
    }

    static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i <= haystack.Length - needle.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j]) j++;
            if (j == needle.Length) return i;
        }
        return -1;
    }

    // Write beside the target then rename: never a half-written library, and a hard link into the
    // NuGet cache is replaced rather than edited through.
    static void WriteAtomically(string path, byte[] bytes)
    {
        string temp = path + ".apo-tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            stream.Write(bytes, 0, bytes.Length);
            stream.Flush(true);
        }
        File.Replace(temp, path, null);
    }
}
