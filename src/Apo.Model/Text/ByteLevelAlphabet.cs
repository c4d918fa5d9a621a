namespace Apo.Model.Text;

/// <summary>
/// GPT-2's reversible byte-to-character mapping used by byte-level BPE (and by Qwen2):
/// printable Latin-1 bytes map to themselves, the other 68 bytes map to U+0100 onwards,
/// so that every token is a printable string without spaces or control characters.
/// </summary>
public static class ByteLevelAlphabet
{
    private static readonly char[] ByteToCharTable = BuildTable();
    private static readonly Dictionary<char, byte> CharToByteTable =
        Enumerable.Range(0, 256).ToDictionary(b => ByteToCharTable[b], b => (byte)b);

    /// <summary>The 256 byte symbols in GPT-2's vocabulary order (printable bytes first), as (byte, character).</summary>
    public static IReadOnlyList<(byte Byte, char Symbol)> InVocabularyOrder { get; } = BuildOrder();

    /// <summary>The character that stands for <paramref name="value"/> in byte-level tokens.</summary>
    public static char ByteToChar(byte value) => ByteToCharTable[value];

    /// <summary>The byte a byte-level character stands for, or false when it is not one of the 256 symbols.</summary>
    public static bool TryCharToByte(char symbol, out byte value) => CharToByteTable.TryGetValue(symbol, out value);

    /// <summary>Maps the UTF-8 bytes of <paramref name="text"/> to their byte-level characters.</summary>
    public static string Encode(string text)
    {
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(text);
        return string.Create(bytes.Length, bytes, static (span, b) =>
        {
            for (int i = 0; i < b.Length; i++) span[i] = ByteToCharTable[b[i]];
        });
    }

    private static bool IsPrintableByte(int b) =>
        (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);

    private static char[] BuildTable()
    {
        var table = new char[256];
        int next = 0;
        for (int b = 0; b < 256; b++)
            table[b] = IsPrintableByte(b) ? (char)b : (char)(256 + next++);
        return table;
    }

    private static IReadOnlyList<(byte, char)> BuildOrder()
    {
        // GPT-2 lists the printable bytes first (in byte order), then the remapped ones.
        var printable = Enumerable.Range(0, 256).Where(IsPrintableByte);
        var remapped = Enumerable.Range(0, 256).Where(b => !IsPrintableByte(b));
        return printable.Concat(remapped).Select(b => ((byte)b, ByteToCharTable[b])).ToArray();
    }
}
