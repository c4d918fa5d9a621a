using System.Text;
using Microsoft.ML.Tokenizers;

namespace Apo.Model.Text;

/// <summary>
/// Qwen2's tokenizer: byte-level BPE (Microsoft.ML.Tokenizers' <see cref="BpeTokenizer"/>)
/// behind Qwen2's pre-tokenizer regex, with added tokens such as <c>&lt;|im_start|&gt;</c>
/// recognised as single ids anywhere in the text. Text is normalized first
/// (see <see cref="TextNormalization"/>). Immutable and safe to share between threads.
/// </summary>
public sealed partial class TextTokenizer
{
    private readonly BpeTokenizer _bpe;
    private readonly Dictionary<string, int> _vocabulary;
    private readonly (string Left, string Right)[] _merges;
    private readonly AddedToken[] _addedTokens;
    private readonly Dictionary<int, AddedToken> _addedById;
    private readonly Dictionary<string, int> _addedByContent;
    private readonly Dictionary<int, string> _vocabularyById;

    private TextTokenizer(
        Dictionary<string, int> vocabulary,
        (string Left, string Right)[] merges,
        AddedToken[] addedTokens,
        string eosToken,
        string padToken)
    {
        _vocabulary = vocabulary;
        _merges = merges;
        _addedTokens = addedTokens;
        _addedById = addedTokens.ToDictionary(t => t.Id);
        var addedByContent = addedTokens.ToDictionary(t => t.Content, t => t.Id, StringComparer.Ordinal);
        _addedByContent = addedByContent;
        _vocabularyById = vocabulary.ToDictionary(kv => kv.Value, kv => kv.Key);

        _bpe = BpeTokenizer.Create(new BpeOptions(vocabulary)
        {
            Merges = merges.Select(m => m.Left + " " + m.Right),
            ByteLevel = true,
            SpecialTokens = addedByContent,
            // The library joins these into one alternation in enumeration order; longest first makes
            // it pick the longest added token at a position, as Hugging Face does.
            PreTokenizer = new RegexPreTokenizer(
                Qwen2PreTokenizer.Regex(),
                addedTokens.OrderByDescending(t => t.Content.Length).ThenBy(t => t.Id).ToDictionary(t => t.Content, t => t.Id, StringComparer.Ordinal)),
        });

        int Lookup(string token) => addedByContent.TryGetValue(token, out int id) ? id : vocabulary[token];
        EndOfTextId = Lookup(SpecialTokens.EndOfText);
        ImStartId = addedByContent.TryGetValue(SpecialTokens.ImStart, out int s) ? s : null;
        ImEndId = addedByContent.TryGetValue(SpecialTokens.ImEnd, out int e) ? e : null;
        EosToken = eosToken;
        PadToken = padToken;
        EosId = Lookup(eosToken);
        PadId = Lookup(padToken);
        VocabSize = Math.Max(vocabulary.Values.Max(), addedTokens.Length == 0 ? -1 : addedTokens.Max(t => t.Id)) + 1;
    }

    /// <summary>
    /// Builds a tokenizer from its parts. <paramref name="merges"/> are in priority order;
    /// every merge's two symbols and their concatenation must be in <paramref name="vocabulary"/>.
    /// <paramref name="addedTokens"/> must include <c>&lt;|endoftext|&gt;</c>.
    /// EOS and padding default to <c>&lt;|endoftext|&gt;</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The parts are inconsistent (message says which entry).</exception>
    public static TextTokenizer Create(
        IReadOnlyDictionary<string, int> vocabulary,
        IReadOnlyList<(string Left, string Right)> merges,
        IReadOnlyList<AddedToken> addedTokens,
        string? eosToken = null,
        string? padToken = null)
    {
        string? problem = TokenizerConsistency.Check(vocabulary, merges, addedTokens, eosToken, padToken);
        if (problem is not null) throw new ArgumentException(problem);
        return new TextTokenizer(
            new Dictionary<string, int>(vocabulary, StringComparer.Ordinal),
            merges.ToArray(),
            addedTokens.OrderBy(t => t.Id).ToArray(),
            eosToken ?? SpecialTokens.EndOfText,
            padToken ?? SpecialTokens.EndOfText);
    }

    /// <summary>Number of token ids (highest id + 1), special tokens included.</summary>
    public int VocabSize { get; }

    /// <summary>Id of <c>&lt;|endoftext|&gt;</c>.</summary>
    public int EndOfTextId { get; }

    /// <summary>Id of <c>&lt;|im_start|&gt;</c>, when the vocabulary has it.</summary>
    public int? ImStartId { get; }

    /// <summary>Id of <c>&lt;|im_end|&gt;</c>, when the vocabulary has it.</summary>
    public int? ImEndId { get; }

    /// <summary>The end-of-sequence token (tokenizer_config.json <c>eos_token</c>; <c>&lt;|endoftext|&gt;</c> when not configured).</summary>
    public string EosToken { get; }

    /// <summary>Id of <see cref="EosToken"/>.</summary>
    public int EosId { get; }

    /// <summary>The padding token (tokenizer_config.json <c>pad_token</c>; <c>&lt;|endoftext|&gt;</c> when not configured).</summary>
    public string PadToken { get; }

    /// <summary>Id of <see cref="PadToken"/>.</summary>
    public int PadId { get; }

    /// <summary>The byte-level BPE vocabulary (token string → id), without the added tokens.</summary>
    public IReadOnlyDictionary<string, int> Vocabulary => _vocabulary;

    /// <summary>The merges in priority order (first = applied first).</summary>
    public IReadOnlyList<(string Left, string Right)> Merges => _merges;

    /// <summary>The added tokens (special ones and others), ordered by id.</summary>
    public IReadOnlyList<AddedToken> AddedTokens => _addedTokens;

    /// <summary>The token ids of <paramref name="text"/> (no BOS/EOS is added).</summary>
    public IReadOnlyList<int> Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _bpe.EncodeToIds(TextNormalization.Normalize(text), considerPreTokenization: true, considerNormalization: false);
    }

    /// <summary>
    /// The text of <paramref name="ids"/>. Byte sequences that are not valid UTF-8 (a character
    /// cut between tokens) become U+FFFD; ids outside the vocabulary are skipped, as Hugging Face
    /// does, so a sampler must mask logits at ids ≥ <see cref="VocabSize"/>.
    /// </summary>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var text = new StringBuilder();
        var run = new List<int>();
        foreach (int id in ids)
        {
            if (!_addedById.TryGetValue(id, out AddedToken? added)) { run.Add(id); continue; }
            FlushRun();
            if (!(skipSpecialTokens && added.Special)) text.Append(added.Content);
        }
        FlushRun();
        return text.ToString();

        // The library would push an added token's characters through the byte-level table,
        // which garbles non-ASCII contents, so added tokens are written here directly.
        void FlushRun()
        {
            if (run.Count == 0) return;
            text.Append(_bpe.Decode(run, considerSpecialTokens: true));
            run.Clear();
        }
    }

    /// <summary>True for added tokens marked special (they are dropped by <c>skipSpecialTokens</c>).</summary>
    public bool IsSpecial(int id) => _addedById.TryGetValue(id, out AddedToken? t) && t.Special;

    /// <summary>The id of a token string (vocabulary entry or added token), or null.</summary>
    public int? TokenToId(string token) =>
        _addedByContent.TryGetValue(token, out int added) ? added
        : _vocabulary.TryGetValue(token, out int id) ? id : null;

    /// <summary>The token string of an id (in byte-level characters for vocabulary entries), or null.</summary>
    public string? IdToToken(int id) =>
        _addedById.TryGetValue(id, out AddedToken? t) ? t.Content : _vocabularyById.GetValueOrDefault(id);

    /// <summary>
    /// Qwen2's ChatML: each message as <c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n</c>, then
    /// <c>&lt;|im_start|&gt;assistant\n</c> when <paramref name="addGenerationPrompt"/>. No default
    /// system message is inserted (Qwen2.5's template adds one; pass it explicitly if wanted).
    /// </summary>
    public string ApplyChatTemplate(IReadOnlyList<(string role, string content)> messages, bool addGenerationPrompt)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (ImStartId is null || ImEndId is null)
            throw new InvalidOperationException($"this tokenizer has no {SpecialTokens.ImStart} / {SpecialTokens.ImEnd} tokens, so it cannot format chat messages");
        var text = new StringBuilder();
        foreach (var (role, content) in messages)
            text.Append(SpecialTokens.ImStart).Append(role).Append('\n').Append(content).Append(SpecialTokens.ImEnd).Append('\n');
        if (addGenerationPrompt)
            text.Append(SpecialTokens.ImStart).Append("assistant\n");
        return text.ToString();
    }
}
