using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Apo.Model.Text;

namespace Apo.Model.Tests;

/// <summary>
/// Golden ids from an independent implementation: TokenizerData/hf-js-reference holds a saved
/// tokenizer (800 ids, trained on word problems and mixed-script text) and the ids that Hugging
/// Face's tokenizers.js 0.2.0 gives for 276 texts (word problems, emoji, CJK, Hangul, combining
/// marks, whitespace runs, contractions, special tokens, random Unicode), made by make-reference.mjs.
/// </summary>
public class TokenizerReferenceTests
{
    private static string DataDirectory([CallerFilePath] string thisFile = "") =>
        Path.Combine(Path.GetDirectoryName(thisFile)!, "TokenizerData", "hf-js-reference");

    private static List<(string Text, int[] Ids)> ReferenceCases() =>
        File.ReadLines(Path.Combine(DataDirectory(), "reference.jsonl"))
            .Where(line => line.Length > 0)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Select(e => (e.GetProperty("text").GetString()!, e.GetProperty("ids").EnumerateArray().Select(i => i.GetInt32()).ToArray()))
            .ToList();

    [Fact]
    public void Encodes_like_hugging_face_tokenizers_js()
    {
        var tokenizer = TextTokenizer.Load(DataDirectory());
        var cases = ReferenceCases();
        Assert.Equal(276, cases.Count);
        foreach (var (text, ids) in cases)
        {
            Assert.Equal(ids, tokenizer.Encode(text));
            Assert.Equal(text.Normalize(NormalizationForm.FormC), tokenizer.Decode(ids));
        }
    }

    [Fact]
    public void Vocab_and_merges_files_give_the_same_ids_as_tokenizer_json()
    {
        string dir = TokenizerFixtures.TempDirectory();
        try
        {
            foreach (string name in new[] { "vocab.json", "merges.txt", "tokenizer_config.json" })
                File.Copy(Path.Combine(DataDirectory(), name), Path.Combine(dir, name));
            var tokenizer = TextTokenizer.Load(dir);
            foreach (var (text, ids) in ReferenceCases()) Assert.Equal(ids, tokenizer.Encode(text));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Chat_template_matches_the_jinja_rendering_of_the_saved_template()
    {
        var tokenizer = TextTokenizer.Load(DataDirectory());
        using var chat = JsonDocument.Parse(File.ReadAllText(Path.Combine(DataDirectory(), "chat.json")));
        var messages = chat.RootElement.GetProperty("messages").EnumerateArray()
            .Select(m => (m.GetProperty("role").GetString()!, m.GetProperty("content").GetString()!))
            .ToList();
        Assert.Equal(chat.RootElement.GetProperty("withPrompt").GetString(), tokenizer.ApplyChatTemplate(messages, addGenerationPrompt: true));
        Assert.Equal(chat.RootElement.GetProperty("withoutPrompt").GetString(), tokenizer.ApplyChatTemplate(messages, addGenerationPrompt: false));
    }
}
