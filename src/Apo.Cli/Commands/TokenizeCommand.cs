using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Apo.Common.IO;
using Apo.Model.Text;

namespace Apo.Cli.Commands;

/// <summary>
/// `apo tokenize`: what a model directory's tokenizer makes of a text, a prompt file or a list of ids,
/// for checking prompt templates and length budgets (--max-prompt-tokens, --max-new-tokens) before a run.
/// Only the tokenizer is loaded, never the weights, so it is instant even for a large model.
/// </summary>
static class TokenizeCommand
{
    public static Command Create()
    {
        var model = new Option<DirectoryInfo>("--model") { Description = "Hugging Face model directory (its tokenizer files are used; the weights are not loaded).", Required = true };
        var text = new Option<string>("--text") { Description = "Text to tokenize: prints the count, each token (index, id, piece) and the round-trip decode." };
        var input = new Option<FileInfo>("--in") { Description = "JSONL with a \"prompt\" (text or verl chat messages) or \"text\" field per line: prints each line's token count, then count, min, median and max." };
        var ids = new Option<string>("--ids") { Description = "Token ids (\"151643,40,1079\", spaces or a JSON array also work) to decode back to text and pieces." };
        var chat = new Option<bool>("--chat-template") { Description = "Wrap the text (or each prompt) as one user turn of the chat template, as `apo train --chat-template` does." };
        var command = new Command("tokenize", "Show how a model's tokenizer splits text, count the tokens of a prompt file, or decode token ids.")
        {
            model, text, input, ids, chat,
        };
        command.SetAction(parse =>
        {
            string? textValue = parse.GetValue(text);
            FileInfo? inputValue = parse.GetValue(input);
            string? idsValue = parse.GetValue(ids);
            // Presence, not emptiness, decides: `--text ""` is a (zero-token) text.
            int given = (textValue is null ? 0 : 1) + (inputValue is null ? 0 : 1) + (idsValue is null ? 0 : 1);
            if (given != 1) throw new UsageException("give exactly one of --text, --in or --ids");
            bool chatTemplate = parse.GetValue(chat);
            if (chatTemplate && idsValue is not null) throw new UsageException("--chat-template applies to --text and --in, not to --ids");

            string directory = parse.GetValue(model)!.FullName;
            if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"{directory}: model directory not found");
            var tokenizer = TextTokenizer.Load(directory);
            if (chatTemplate && (tokenizer.ImStartId is null || tokenizer.ImEndId is null))
                throw new UsageException($"--chat-template: the tokenizer of {directory} has no {SpecialTokens.ImStart} / {SpecialTokens.ImEnd} tokens");

            if (textValue is not null) PrintText(tokenizer, textValue, chatTemplate);
            else if (inputValue is not null) PrintCounts(tokenizer, inputValue.FullName, chatTemplate);
            else PrintIds(tokenizer, ParseIds(idsValue!, tokenizer));
            return 0;
        });
        return command;
    }

    /// <summary>The same wrapping PromptEncoder applies to a run's prompts, so the counts here are the run's.</summary>
    static string Templated(TextTokenizer tokenizer, string text, bool chatTemplate) =>
        chatTemplate ? tokenizer.ApplyChatTemplate([("user", text)], addGenerationPrompt: true) : text;

    static void PrintText(TextTokenizer tokenizer, string text, bool chatTemplate)
    {
        string encoded = Templated(tokenizer, text, chatTemplate);
        string decoded = PrintIds(tokenizer, tokenizer.Encode(encoded).ToArray());
        // decode(encode(s)) is s in NFC: say so rather than let a user hunt for a template bug.
        if (decoded != encoded)
            Console.Out.WriteLine("note: the decoded text differs from the input: the tokenizer puts text in Unicode NFC and replaces lone surrogates");
    }

    /// <summary>Prints the count, one row per token and the decoded text; returns the decoded text.</summary>
    static string PrintIds(TextTokenizer tokenizer, int[] ids)
    {
        Console.Out.WriteLine($"tokens: {ids.Length}");
        for (int i = 0; i < ids.Length; i++) Console.Out.WriteLine($"{i}\t{ids[i]}\t{Piece(tokenizer, ids[i])}");
        string decoded = tokenizer.Decode(ids);
        Console.Out.WriteLine($"decoded: {Quoted(decoded)}");
        return decoded;
    }

    /// <summary>
    /// One token's text, quoted with JSON escapes so spaces, tabs and newlines are visible. A byte-level
    /// token holding part of a multi-byte character decodes to U+FFFD alone, so its bytes are shown too.
    /// </summary>
    static string Piece(TextTokenizer tokenizer, int id)
    {
        string piece = Quoted(tokenizer.Decode([id]));
        if (tokenizer.IsSpecial(id)) return piece + "\tspecial";
        if (tokenizer.IdToToken(id) is { } token && tokenizer.Vocabulary.ContainsKey(token) && Bytes(token) is { } bytes && !IsUtf8(bytes))
            return piece + "\tbytes " + Convert.ToHexString(bytes).ToLowerInvariant();
        return piece;
    }

    static byte[]? Bytes(string byteLevelToken)
    {
        var bytes = new byte[byteLevelToken.Length];
        for (int i = 0; i < bytes.Length; i++)
            if (!ByteLevelAlphabet.TryCharToByte(byteLevelToken[i], out bytes[i])) return null;
        return bytes;
    }

    static bool IsUtf8(byte[] bytes)
    {
        try
        {
            _ = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    static string Quoted(string text) => JsonSerializer.Serialize(text, CliJson.Options);

    /// <summary>Ids separated by commas and/or spaces, optionally in [ ] (as `apo generate --json` prints them).</summary>
    static int[] ParseIds(string text, TextTokenizer tokenizer)
    {
        var parts = text.Trim().TrimStart('[').TrimEnd(']').Split([',', ' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0) throw new UsageException("--ids: no ids given");
        var ids = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out ids[i]))
                throw new UsageException($"--ids: \"{parts[i]}\" is not an integer");
            // Decode would silently skip an unknown id (as Hugging Face does); here it is the question being asked.
            if (ids[i] < 0 || ids[i] >= tokenizer.VocabSize)
                throw new UsageException($"--ids: {ids[i]} is outside the vocabulary [0, {tokenizer.VocabSize})");
            if (tokenizer.IdToToken(ids[i]) is null)
                throw new UsageException($"--ids: {ids[i]} is not a token of this tokenizer (no vocabulary entry or added token has that id)");
        }
        return ids;
    }

    static void PrintCounts(TextTokenizer tokenizer, string path, bool chatTemplate)
    {
        var lines = JsonLines.ReadAll(path);
        if (lines.Count == 0) throw new InvalidDataException($"{path}: no records (the file is empty or blank)");
        // Every line is checked before anything is printed, so a bad line 900 does not follow 899 lines of output.
        var counts = lines.Select(line => (line.Line, Count: tokenizer.Encode(Templated(tokenizer, PromptOf(line), chatTemplate)).Count)).ToList();
        foreach (var (number, count) in counts) Console.Out.WriteLine($"line {number}: {count} tokens");
        var sorted = counts.Select(c => c.Count).Order().ToArray();
        int n = sorted.Length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"records: {n}, tokens: min {sorted[0]}, median {median}, max {sorted[^1]}, total {sorted.Sum(c => (long)c)}"));
    }

    /// <summary>
    /// The prompt text of a line: "prompt" as text, or as verl's chat messages (one user message, whose
    /// content is what a run feeds the model, as the dataset reader takes it), else "text".
    /// </summary>
    static string PromptOf(JsonLine line)
    {
        if (line.Row.TryGetPropertyValue("prompt", out var prompt))
        {
            if (prompt is JsonValue value && value.TryGetValue(out string? s)) return s;
            if (prompt is JsonArray messages) return UserMessage(line, messages);
            throw new InvalidDataException($"{line.Where}: field \"prompt\" must be a string or a list of chat messages");
        }
        if (line.Row.ContainsKey("text")) return line.RequiredString("text");
        throw new InvalidDataException($"{line.Where}: field \"prompt\" (or \"text\") is missing");
    }

    static string UserMessage(JsonLine line, JsonArray messages)
    {
        if (messages.Count != 1)
            throw new InvalidDataException($"{line.Where}: field \"prompt\": only single-turn prompts with one user message are supported (found {messages.Count} messages)");
        if (messages[0] is not JsonObject message || message["role"] is not JsonValue role || !role.TryGetValue(out string? r) || r != "user"
            || message["content"] is not JsonValue content || !content.TryGetValue(out string? text))
            throw new InvalidDataException($"{line.Where}: field \"prompt[0]\" must be {{\"role\": \"user\", \"content\": text}}");
        return text;
    }
}
