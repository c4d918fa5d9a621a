using System.Text.Json;

namespace Apo.Model.Text;

public sealed partial class TextTokenizer
{
    /// <summary>
    /// Loads a Hugging Face tokenizer directory: <c>tokenizer.json</c> when present (model.vocab,
    /// model.merges as "a b" strings or [a, b] pairs, added_tokens), otherwise <c>vocab.json</c> +
    /// <c>merges.txt</c> with added tokens from <c>tokenizer_config.json</c>'s added_tokens_decoder
    /// or <c>added_tokens.json</c>; when none are configured, Qwen2's three special tokens follow the
    /// vocabulary. EOS and padding come from <c>tokenizer_config.json</c> when it names them.
    /// The pre-tokenizer and normalizer are always Qwen2's, whatever tokenizer.json says.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">Neither tokenizer.json nor vocab.json + merges.txt is there.</exception>
    /// <exception cref="InvalidDataException">A file is malformed; the message names the file (and line or field).</exception>
    public static TextTokenizer Load(string modelDirectory)
    {
        ArgumentNullException.ThrowIfNull(modelDirectory);
        if (!Directory.Exists(modelDirectory))
            throw new DirectoryNotFoundException($"{modelDirectory}: tokenizer directory not found");

        string tokenizerJson = Path.Combine(modelDirectory, "tokenizer.json");
        string configPath = Path.Combine(modelDirectory, "tokenizer_config.json");
        TokenizerConfig? config = File.Exists(configPath) ? TokenizerConfig.Read(configPath) : null;

        Dictionary<string, int> vocabulary;
        List<(string, string)> merges;
        List<AddedToken> added;
        string vocabularySource, addedSource;
        if (File.Exists(tokenizerJson))
        {
            (vocabulary, merges, added) = ReadTokenizerJson(tokenizerJson);
            vocabularySource = addedSource = tokenizerJson;
            if (added.Count == 0 && config?.AddedTokens is { Count: > 0 } fromConfig) (added, addedSource) = (fromConfig, configPath);
        }
        else
        {
            string vocabPath = Path.Combine(modelDirectory, "vocab.json");
            string mergesPath = Path.Combine(modelDirectory, "merges.txt");
            foreach (string required in new[] { vocabPath, mergesPath })
                if (!File.Exists(required))
                    throw new FileNotFoundException($"{required} not found (a tokenizer directory needs tokenizer.json, or vocab.json and merges.txt)", required);
            using (JsonDocument doc = TokenizerJson.Parse(vocabPath))
                vocabulary = TokenizerJson.ReadVocabulary(doc.RootElement, vocabPath, "");
            merges = MergesFile.Read(mergesPath, vocabulary);
            vocabularySource = vocabPath;
            string addedTokensJson = Path.Combine(modelDirectory, "added_tokens.json");
            (added, addedSource) = config?.AddedTokens is { } fromConfig ? (fromConfig, configPath)
                : File.Exists(addedTokensJson) ? (ReadAddedTokensJson(addedTokensJson), addedTokensJson)
                : ([], vocabPath);
        }
        if (added.Count == 0) added = DefaultAddedTokens(vocabulary);

        if (TokenizerConsistency.CheckVocabulary(vocabulary) is { } badVocabulary)
            throw new InvalidDataException($"{vocabularySource}: {badVocabulary}");
        if (TokenizerConsistency.CheckAddedTokens(vocabulary, added) is { } badAdded)
            throw new InvalidDataException($"{addedSource}: {badAdded}");
        if (TokenizerConsistency.Check(vocabulary, [], added, config?.EosToken, config?.PadToken) is { } badNamed)
            throw new InvalidDataException($"{configPath}: {badNamed}");
        return new TextTokenizer(
            vocabulary, merges.ToArray(), added.OrderBy(t => t.Id).ToArray(),
            config?.EosToken ?? SpecialTokens.EndOfText, config?.PadToken ?? SpecialTokens.EndOfText);
    }

    /// <summary>Qwen2's layout: the special tokens right after the vocabulary, unless the vocabulary already has them.</summary>
    private static List<AddedToken> DefaultAddedTokens(Dictionary<string, int> vocabulary)
    {
        int next = vocabulary.Values.Max() + 1;
        return SpecialTokens.Qwen2Defaults
            .Select(name => new AddedToken(vocabulary.TryGetValue(name, out int id) ? id : next++, name, Special: true))
            .ToList();
    }

    private static (Dictionary<string, int>, List<(string, string)>, List<AddedToken>) ReadTokenizerJson(string path)
    {
        using JsonDocument doc = TokenizerJson.Parse(path);
        JsonElement root = doc.RootElement;
        JsonElement model = TokenizerJson.Required(root, "model", JsonValueKind.Object, path, "");
        if (model.TryGetProperty("type", out JsonElement type) && type.ValueKind == JsonValueKind.String && type.GetString() != "BPE")
            throw new InvalidDataException($"{path}: field \"model.type\" is \"{type.GetString()}\", but only BPE tokenizers are supported");

        var vocabulary = TokenizerJson.ReadVocabulary(TokenizerJson.Required(model, "vocab", JsonValueKind.Object, path, "model"), path, "model.vocab");
        JsonElement mergeArray = TokenizerJson.Required(model, "merges", JsonValueKind.Array, path, "model");
        var merges = new List<(string, string)>();
        var seen = new HashSet<(string, string)>();
        int index = 0;
        foreach (JsonElement entry in mergeArray.EnumerateArray())
        {
            (string, string)? merge = entry.ValueKind switch
            {
                JsonValueKind.String => MergesFile.ParsePair(entry.GetString()!),
                JsonValueKind.Array when entry.GetArrayLength() == 2
                    && entry[0].ValueKind == JsonValueKind.String && entry[1].ValueKind == JsonValueKind.String
                    => (entry[0].GetString()!, entry[1].GetString()!),
                _ => null,
            };
            string? problem = merge is null
                ? $"{entry.GetRawText()} is neither \"a b\" nor [\"a\", \"b\"]"
                : TokenizerConsistency.CheckMerge(vocabulary, merge.Value, seen);
            if (problem is not null)
                throw new InvalidDataException($"{path}: field \"model.merges[{index}]\" (merge {index + 1}): {problem}");
            merges.Add(merge!.Value);
            index++;
        }

        var added = new List<AddedToken>();
        if (root.TryGetProperty("added_tokens", out JsonElement addedArray) && addedArray.ValueKind != JsonValueKind.Null)
        {
            if (addedArray.ValueKind != JsonValueKind.Array)
                throw new InvalidDataException($"{path}: field \"added_tokens\" should be an array");
            int i = 0;
            foreach (JsonElement token in addedArray.EnumerateArray())
            {
                string where = $"added_tokens[{i++}]";
                JsonElement id = TokenizerJson.Required(token, "id", JsonValueKind.Number, path, where);
                string content = TokenizerJson.Required(token, "content", JsonValueKind.String, path, where).GetString()!;
                if (!id.TryGetInt32(out int idValue))
                    throw new InvalidDataException($"{path}: field \"{where}.id\" should be an integer, not {id.GetRawText()}");
                added.Add(new AddedToken(idValue, content, TokenizerJson.OptionalBool(token, "special", true, path, where)));
            }
        }
        return (vocabulary, merges, added);
    }

    /// <summary>The older added_tokens.json form: {"token": id, ...}, all treated as special.</summary>
    private static List<AddedToken> ReadAddedTokensJson(string path)
    {
        using JsonDocument doc = TokenizerJson.Parse(path);
        return TokenizerJson.ReadVocabulary(doc.RootElement, path, "")
            .Select(kv => new AddedToken(kv.Value, kv.Key, Special: true))
            .ToList();
    }
}
