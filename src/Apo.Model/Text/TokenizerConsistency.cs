namespace Apo.Model.Text;

/// <summary>Checks that a vocabulary, its merges and its added tokens form a usable byte-level BPE.</summary>
internal static class TokenizerConsistency
{
    /// <summary>The first problem found, or null when the parts are consistent.</summary>
    public static string? Check(
        IReadOnlyDictionary<string, int> vocabulary,
        IReadOnlyList<(string Left, string Right)> merges,
        IReadOnlyList<AddedToken> addedTokens,
        string? eosToken,
        string? padToken)
    {
        return CheckVocabulary(vocabulary)
            ?? CheckMerges(vocabulary, merges)
            ?? CheckAddedTokens(vocabulary, addedTokens)
            ?? CheckNamedToken(vocabulary, addedTokens, "eos_token", eosToken)
            ?? CheckNamedToken(vocabulary, addedTokens, "pad_token", padToken);
    }

    public static string? CheckVocabulary(IReadOnlyDictionary<string, int> vocabulary)
    {
        var owners = new Dictionary<int, string>();
        foreach (var (token, id) in vocabulary)
        {
            if (token.Length == 0) return "the vocabulary has an empty token";
            if (id < 0) return $"vocabulary token \"{token}\" has negative id {id}";
            if (!owners.TryAdd(id, token)) return $"vocabulary tokens \"{owners[id]}\" and \"{token}\" share id {id}";
        }
        // Byte-level BPE must be able to spell any byte; the library silently drops unknown symbols.
        foreach (var (value, symbol) in ByteLevelAlphabet.InVocabularyOrder)
            if (!vocabulary.ContainsKey(symbol.ToString()))
                return $"the vocabulary lacks the byte-level symbol \"{symbol}\" (byte 0x{value:X2})";
        return null;
    }

    public static string? CheckMerges(IReadOnlyDictionary<string, int> vocabulary, IReadOnlyList<(string Left, string Right)> merges)
    {
        var seen = new HashSet<(string, string)>();
        for (int i = 0; i < merges.Count; i++)
        {
            string? problem = CheckMerge(vocabulary, merges[i], seen);
            if (problem is not null) return $"merge {i + 1}: {problem}";
        }
        return null;
    }

    /// <summary>The problem with one merge (given the merges before it, in <paramref name="seen"/>), or null.</summary>
    public static string? CheckMerge(IReadOnlyDictionary<string, int> vocabulary, (string Left, string Right) merge, HashSet<(string, string)> seen)
    {
        var (left, right) = merge;
        if (left.Length == 0 || right.Length == 0 || left.Contains(' ') || right.Contains(' '))
            return $"\"{left} {right}\" is not two non-empty symbols without spaces";
        if (!vocabulary.ContainsKey(left)) return $"symbol \"{left}\" is not in the vocabulary";
        if (!vocabulary.ContainsKey(right)) return $"symbol \"{right}\" is not in the vocabulary";
        if (!vocabulary.ContainsKey(left + right)) return $"merged token \"{left + right}\" is not in the vocabulary";
        if (!seen.Add((left, right))) return $"\"{left} {right}\" is listed twice";
        return null;
    }

    public static string? CheckAddedTokens(IReadOnlyDictionary<string, int> vocabulary, IReadOnlyList<AddedToken> addedTokens)
    {
        var ids = new HashSet<int>();
        var contents = new HashSet<string>(StringComparer.Ordinal);
        var vocabularyById = vocabulary.ToDictionary(kv => kv.Value, kv => kv.Key);
        foreach (var token in addedTokens)
        {
            if (token.Content.Length == 0) return $"added token {token.Id} is empty";
            if (token.Id < 0) return $"added token \"{token.Content}\" has negative id {token.Id}";
            if (!ids.Add(token.Id)) return $"added token id {token.Id} is used twice";
            if (!contents.Add(token.Content)) return $"added token \"{token.Content}\" is listed twice";
            if (vocabularyById.TryGetValue(token.Id, out string? other) && other != token.Content)
                return $"added token \"{token.Content}\" has id {token.Id}, which the vocabulary gives to \"{other}\"";
            if (vocabulary.TryGetValue(token.Content, out int vocabId) && vocabId != token.Id)
                return $"added token \"{token.Content}\" has id {token.Id} but id {vocabId} in the vocabulary";
        }
        if (!contents.Contains(SpecialTokens.EndOfText))
            return $"the added tokens do not include {SpecialTokens.EndOfText}";
        return null;
    }

    private static string? CheckNamedToken(IReadOnlyDictionary<string, int> vocabulary, IReadOnlyList<AddedToken> addedTokens, string field, string? token)
    {
        if (token is null || vocabulary.ContainsKey(token) || addedTokens.Any(t => t.Content == token)) return null;
        return $"{field} \"{token}\" is neither an added token nor in the vocabulary";
    }
}
