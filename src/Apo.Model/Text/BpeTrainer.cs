using System.Text.RegularExpressions;

namespace Apo.Model.Text;

/// <summary>
/// Learns a small byte-level BPE vocabulary (for the tiny reference model) from a corpus, with
/// the same normalization and pre-tokenizer as <see cref="TextTokenizer"/>. Deterministic: the
/// most frequent adjacent pair is merged first, ties go to the pair whose (left, right) strings
/// sort first ordinally, and the corpus order does not matter.
/// </summary>
public static class BpeTrainer
{
    private const int MinimumPairCount = 2;

    /// <summary>
    /// Trains a tokenizer of at most <paramref name="vocabSize"/> ids: the 256 byte symbols (ids
    /// 0–255, GPT-2 order), then one token per learned merge, then <c>&lt;|endoftext|&gt;</c>,
    /// <c>&lt;|im_start|&gt;</c>, <c>&lt;|im_end|&gt;</c>. Fewer ids result when no pair occurs at
    /// least twice any more. Special-token strings in the corpus are not learned from.
    /// </summary>
    public static TextTokenizer Train(IEnumerable<string> corpus, int vocabSize)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        int minimum = 256 + SpecialTokens.Qwen2Defaults.Count;
        if (vocabSize < minimum)
            throw new ArgumentOutOfRangeException(nameof(vocabSize), vocabSize, $"a byte-level vocabulary needs at least {minimum} ids (256 bytes + 3 special tokens)");

        var state = new MergeState(CountWords(corpus));
        int mergeBudget = vocabSize - minimum;
        while (state.NewTokenCount < mergeBudget && state.MergeBestPair(MinimumPairCount)) { }

        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int id = 0; id < state.Symbols.Count; id++) vocabulary.Add(state.Symbols[id], id);
        int next = state.Symbols.Count;
        var added = SpecialTokens.Qwen2Defaults.Select(name => new AddedToken(next++, name, Special: true)).ToList();
        return TextTokenizer.Create(vocabulary, state.Merges, added);
    }

    /// <summary>How often each pre-tokenized piece (in byte-level characters) occurs.</summary>
    private static Dictionary<string, int> CountWords(IEnumerable<string> corpus)
    {
        var specials = new Regex(string.Join("|", SpecialTokens.Qwen2Defaults.Select(Regex.Escape)));
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        Regex pieces = Qwen2PreTokenizer.Regex();
        foreach (string text in corpus)
        {
            ArgumentNullException.ThrowIfNull(text, nameof(corpus));
            foreach (string segment in specials.Split(TextNormalization.Normalize(text)))
                foreach (Match piece in pieces.Matches(segment))
                {
                    string word = ByteLevelAlphabet.Encode(piece.Value);
                    counts[word] = counts.GetValueOrDefault(word) + 1;
                }
        }
        return counts;
    }

    /// <summary>The words as symbol-id sequences, with adjacent-pair counts kept up to date as merges happen.</summary>
    private sealed class MergeState
    {
        private readonly List<int[]> _words = [];
        private readonly List<int> _wordCounts = [];
        private readonly Dictionary<(int, int), long> _pairCounts = [];
        private readonly Dictionary<(int, int), HashSet<int>> _pairWords = [];
        private readonly Dictionary<string, int> _symbolIds = new(StringComparer.Ordinal);

        public List<string> Symbols { get; } = [];
        public List<(string Left, string Right)> Merges { get; } = [];
        public int NewTokenCount => Symbols.Count - 256;

        public MergeState(Dictionary<string, int> wordCounts)
        {
            foreach (var (_, symbol) in ByteLevelAlphabet.InVocabularyOrder) AddSymbol(symbol.ToString());
            // Sorted so that the internal numbering, and with it any hash-set order, never depends on input order.
            foreach (var (word, count) in wordCounts.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                int index = _words.Count;
                _words.Add(word.Select(c => _symbolIds[c.ToString()]).ToArray());
                _wordCounts.Add(count);
                AddPairs(index, +1);
            }
        }

        /// <summary>Merges the best pair everywhere; false when no pair occurs at least <paramref name="minimumCount"/> times.</summary>
        public bool MergeBestPair(int minimumCount)
        {
            (int, int)? best = null;
            long bestCount = 0;
            foreach (var (pair, count) in _pairCounts)
            {
                if (count > bestCount || (count == bestCount && best is { } b && ComparePairs(pair, b) < 0))
                    (best, bestCount) = (pair, count);
            }
            if (best is not { } chosen || bestCount < minimumCount) return false;

            string left = Symbols[chosen.Item1], right = Symbols[chosen.Item2];
            Merges.Add((left, right));
            int merged = _symbolIds.TryGetValue(left + right, out int existing) ? existing : AddSymbol(left + right);
            foreach (int index in _pairWords[chosen].ToArray())
            {
                AddPairs(index, -1);
                _words[index] = MergeInWord(_words[index], chosen, merged);
                AddPairs(index, +1);
            }
            return true;
        }

        private int AddSymbol(string symbol)
        {
            _symbolIds.Add(symbol, Symbols.Count);
            Symbols.Add(symbol);
            return Symbols.Count - 1;
        }

        private int ComparePairs((int, int) x, (int, int) y)
        {
            int byLeft = string.CompareOrdinal(Symbols[x.Item1], Symbols[y.Item1]);
            return byLeft != 0 ? byLeft : string.CompareOrdinal(Symbols[x.Item2], Symbols[y.Item2]);
        }

        /// <summary>Replaces non-overlapping occurrences of the pair, left to right (as encoding will).</summary>
        private static int[] MergeInWord(int[] word, (int, int) pair, int merged)
        {
            var result = new List<int>(word.Length);
            for (int i = 0; i < word.Length; i++)
            {
                if (i + 1 < word.Length && word[i] == pair.Item1 && word[i + 1] == pair.Item2) { result.Add(merged); i++; }
                else result.Add(word[i]);
            }
            return result.ToArray();
        }

        private void AddPairs(int index, int sign)
        {
            int[] word = _words[index];
            long weight = (long)sign * _wordCounts[index];
            for (int i = 0; i + 1 < word.Length; i++)
            {
                var pair = (word[i], word[i + 1]);
                long count = _pairCounts.GetValueOrDefault(pair) + weight;
                if (count == 0)
                {
                    _pairCounts.Remove(pair);
                    _pairWords.Remove(pair);
                    continue;
                }
                _pairCounts[pair] = count;
                if (sign > 0)
                {
                    if (!_pairWords.TryGetValue(pair, out HashSet<int>? words)) _pairWords[pair] = words = [];
                    words.Add(index);
                }
            }
        }
    }
}
