using Apo.Model.Text;

namespace Apo.Model.Tests;

/// <summary>Tokenizers and texts shared by the tokenizer tests.</summary>
internal static class TokenizerFixtures
{
    /// <summary>
    /// Ids 0–255: the byte symbols in GPT-2 order. Printable ASCII '!'..'~' come first, so the id
    /// of such a byte is (byte − 33): 'a' = 64, 'b' = 65, 'c' = 66, 's' = 82, 't' = 83. The 68
    /// non-printable bytes follow from id 188 in byte order, so space (byte 32, the 33rd of them,
    /// shown as 'Ġ') is 188 + 32 = 220 and '\n' (byte 10, shown as 'Ċ') is 198 — GPT-2's ids.
    /// </summary>
    public static Dictionary<string, int> ByteVocabulary()
    {
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (_, symbol) in ByteLevelAlphabet.InVocabularyOrder) vocabulary.Add(symbol.ToString(), vocabulary.Count);
        return vocabulary;
    }

    public static readonly (string, string)[] CatMerges =
    [
        ("Ġ", "c"),   // rank 0 -> "Ġc"   id 256
        ("a", "t"),   // rank 1 -> "at"   id 257
        ("Ġc", "at"), // rank 2 -> "Ġcat" id 258
        ("c", "a"),   // rank 3 -> "ca"   id 259
    ];

    /// <summary>The byte vocabulary plus the four <see cref="CatMerges"/>; special tokens 260, 261, 262.</summary>
    public static TextTokenizer CatTokenizer()
    {
        var vocabulary = ByteVocabulary();
        vocabulary.Add("Ġc", 256);
        vocabulary.Add("at", 257);
        vocabulary.Add("Ġcat", 258);
        vocabulary.Add("ca", 259);
        return TextTokenizer.Create(vocabulary, CatMerges, QwenSpecials(260));
    }

    /// <summary>Bytes only, no merges: every UTF-8 byte is one token.</summary>
    public static TextTokenizer BytesOnlyTokenizer() => TextTokenizer.Create(ByteVocabulary(), [], QwenSpecials(256));

    public static AddedToken[] QwenSpecials(int first) =>
    [
        new(first, "<|endoftext|>"),
        new(first + 1, "<|im_start|>"),
        new(first + 2, "<|im_end|>"),
    ];

    /// <summary>Short arithmetic word problems with answers, from a seeded generator.</summary>
    public static List<string> WordProblems(int count, int seed)
    {
        var random = new Random(seed);
        string[] names = ["Tom", "Anna", "Lena", "Omar", "Priya", "Sam", "Mia", "Ken"];
        string[] items = ["apples", "pencils", "books", "marbles", "cookies", "stickers"];
        var texts = new List<string>(count);
        for (int i = 0; i < count; i++)
        {
            string name = names[random.Next(names.Length)], item = items[random.Next(items.Length)];
            int a = random.Next(2, 60), b = random.Next(1, 40);
            bool gives = random.Next(2) == 0;
            string question = gives
                ? $"{name} has {a + b} {item}. {name} gives away {b} {item}. How many {item} does {name} have now?"
                : $"{name} has {a} {item} and buys {b} more {item}. How many {item} does {name} have in total?";
            int answer = gives ? a : a + b;
            texts.Add($"{question} Let's think step by step and output the final answer after \"####\".\n{name} has {answer} {item}.\n#### {answer}");
        }
        return texts;
    }

    public static string TempDirectory()
    {
        string path = Path.Combine(Path.GetTempPath(), "apo-tokenizer-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
