using Clippings.Conversations;
using Clippings.Retrieval;

namespace Clippings.Answering;

/// <summary>
/// Writes an answer from retrieved passages. Two implementations: extractive (the default, no model) and
/// chat model (Semantic Kernel). Both must cite only supplied passages with exact quotes.
/// </summary>
public interface IAnswerComposer
{
    Task<Answer> ComposeAsync(AnswerContext context, CancellationToken cancellationToken);

    /// <summary>Streams text as it is written, then the final checked answer (citations resolved at the end).</summary>
    IAsyncEnumerable<AnswerUpdate> StreamAsync(AnswerContext context, CancellationToken cancellationToken);
}

/// <summary>Everything a composer needs: the question, how it was understood, and what retrieval found.</summary>
public sealed record AnswerContext(string Question, QueryPlan Plan, RetrievalResult Retrieval, Conversation Conversation);

/// <summary>
/// Turns a follow-up ("and what does he say about trade?") into a standalone question using the
/// conversation. Rules-based by default; a chat model when configured (with the rules as fallback).
/// </summary>
public interface IFollowUpRewriter
{
    Task<string> RewriteAsync(string question, Conversation conversation, CancellationToken cancellationToken);
}
