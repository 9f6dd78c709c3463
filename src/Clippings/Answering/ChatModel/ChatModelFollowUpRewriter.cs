using System.Text;
using System.Text.RegularExpressions;
using Clippings.Conversations;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;

namespace Clippings.Answering.ChatModel;

/// <summary>
/// Rewrites a follow-up into a standalone question with the <c>RewriteFollowUp</c> prompt, using the last turns of
/// the conversation. The rules-based rewriter answers when there is no history, when the model is unavailable, and
/// when its reply is not a usable question.
/// </summary>
public sealed partial class ChatModelFollowUpRewriter : IFollowUpRewriter
{
    private const int TurnsShown = 3;
    private const int AnswerCharsShown = 300;
    private const int MaxQuestionChars = 400;

    private readonly ChatModelClient _client;
    private readonly ILogger<ChatModelFollowUpRewriter> _logger;

    public ChatModelFollowUpRewriter(ChatModelClient client, ILogger<ChatModelFollowUpRewriter> logger)
    {
        _client = client;
        _logger = logger;
    }

    public async Task<string> RewriteAsync(string question, Conversation conversation, CancellationToken cancellationToken)
    {
        if (conversation.Turns.Count == 0)
        {
            return question;
        }

        string reply;
        try
        {
            var arguments = new KernelArguments { ["history"] = History(conversation), ["question"] = question };
            reply = await _client.CompleteAsync(PromptLibrary.RewriteFollowUp, arguments, cancellationToken).ConfigureAwait(false);
        }
        catch (ChatModelUnavailableException ex)
        {
            _logger.LogWarning("Follow-up rewrite by the chat model failed ({Reason}); using the rules", ex.Reason);
            return RuleBasedFollowUpRewriter.Rewrite(question, conversation);
        }

        var rewritten = Clean(reply);
        if (rewritten is null)
        {
            _logger.LogWarning("The chat model's rewrite of {Question} was not a usable question; using the rules", question);
            return RuleBasedFollowUpRewriter.Rewrite(question, conversation);
        }

        // The same question back (give or take case and punctuation) is not a rewrite: keep the reader's wording.
        if (string.Equals(Normalize(rewritten), Normalize(question), StringComparison.Ordinal))
        {
            return question;
        }

        _logger.LogInformation("Follow-up {Question} rewritten by the chat model as {Standalone}", question, rewritten);
        return rewritten;
    }

    /// <summary>The last turns: each question, the start of its answer (markers removed) and the pieces it cited.</summary>
    internal static string History(Conversation conversation)
    {
        var builder = new StringBuilder();
        foreach (var turn in conversation.Turns.TakeLast(TurnsShown))
        {
            var answer = Marker().Replace(turn.Answer.Text, "").ReplaceLineEndings(" ");
            if (answer.Length > AnswerCharsShown)
            {
                answer = answer[..AnswerCharsShown] + "…";
            }

            builder.Append("Reader: ").Append(turn.Question).Append('\n');
            builder.Append("Answer: ").Append(answer).Append('\n');
            var sources = turn.Answer.Citations.Select(c => $"\"{c.Title}\" by {CitationFormatting.FormatAuthors(c.Authors)}").Distinct().Take(3).ToList();
            if (sources.Count > 0)
            {
                builder.Append("Pieces cited: ").Append(string.Join("; ", sources)).Append('\n');
            }

            builder.Append('\n');
        }

        return builder.ToString().TrimEnd();
    }

    /// <summary>The first line of the reply without quotes or a label; null when it is not a plausible question.</summary>
    internal static string? Clean(string reply)
    {
        var line = reply.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        if (line is null)
        {
            return null;
        }

        line = Label().Replace(line, "").Trim().Trim('"', '“', '”', '\'', '`').Trim();
        return line.Length is < 3 or > MaxQuestionChars || !line.Any(char.IsLetter) ? null : line;
    }

    private static string Normalize(string text) => new(text.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());

    [GeneratedRegex(@"\s*\[\d+\]")]
    private static partial Regex Marker();

    [GeneratedRegex(@"^(standalone|rewritten)?\s*(question|query)\s*:\s*", RegexOptions.IgnoreCase)]
    private static partial Regex Label();
}
