using Clippings.Answering;
using Clippings.Answering.ChatModel;
using Clippings.Embeddings;
using Clippings.Ingestion;
using Clippings.Insights;
using Clippings.Retrieval;
using Clippings.Retrieval.Understanding;
using Clippings.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Clippings;

public static class ClippingsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the whole core from configuration: embeddings, the archive index, ingestion, retrieval and
    /// answering (extractive by default; a chat model when <c>Clippings:ChatModel</c> names one).
    /// </summary>
    public static IServiceCollection AddClippings(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddLogging();
        services.AddClippingsEmbeddings(configuration);
        services.AddArchiveIndex(configuration);
        services.AddClippingsIngestion();
        services.AddClippingsSync(configuration);
        services.AddClippingsRetrieval(configuration);
        services.AddClippingsAnswering();
        services.AddClippingsChatModel(configuration);
        services.AddClippingsInsights(configuration);
        return services;
    }

    public static IServiceCollection AddClippingsRetrieval(this IServiceCollection services, IConfiguration configuration)
    {
        // Out-of-range values made every question a refusal (CandidatePassages <= 0, thresholds above 1): refuse them at start.
        services.BindValidated<RetrievalOptions>(configuration, RetrievalOptions.SectionName, rules => rules
            .Range(nameof(RetrievalOptions.CandidatePassages), o => o.CandidatePassages, 1, 1000)
            .Range(nameof(RetrievalOptions.RelevanceThreshold), o => o.RelevanceThreshold, -1, 1, "-1 to 1 (a cosine)")
            .Range(nameof(RetrievalOptions.ConfidentThreshold), o => o.ConfidentThreshold, -1, 1, "-1 to 1 (a cosine)")
            .Range(nameof(RetrievalOptions.MaxArticles), o => o.MaxArticles, 1, 100)
            .Range(nameof(RetrievalOptions.MaxListed), o => o.MaxListed, 1, 1000)
            .Range(nameof(RetrievalOptions.LexicalWeight), o => o.LexicalWeight, 0, 10, "0 (dense only) to 10")
            .Range(nameof(RetrievalOptions.MaxConcurrentRetrievals), o => o.MaxConcurrentRetrievals, 0, 256, "0 (one per core) to 256"));
        services.TryAddSingleton<ArchiveCatalogProvider>();
        services.TryAddSingleton(sp =>
        {
            // Exemplars and questions carry the query prefix, so the vote reuses the search's embedding of the question.
            var embedder = sp.GetRequiredService<ArchiveEmbedder>();
            return new NearestExemplarIntentClassifier(embedder.Generator, prefix: embedder.QueryPrefix, embedQuestion: embedder.EmbedQueryAsync);
        });
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<RetrievalOptions>>().Value.KindsByExemplars
            ? new QueryAnalyzer(sp.GetRequiredService<NearestExemplarIntentClassifier>())
            : new QueryAnalyzer());
        services.TryAddSingleton<ArchiveRetriever>();
        return services;
    }

    /// <summary>The extractive composer and rule-based follow-ups, the defaults a chat model may replace.</summary>
    public static IServiceCollection AddClippingsAnswering(this IServiceCollection services)
    {
        services.TryAddSingleton<ExtractiveAnswerComposer>();
        services.TryAddSingleton<RuleBasedFollowUpRewriter>();
        services.TryAddSingleton<IAnswerComposer>(sp => sp.GetRequiredService<ExtractiveAnswerComposer>());
        services.TryAddSingleton<IFollowUpRewriter>(sp => sp.GetRequiredService<RuleBasedFollowUpRewriter>());
        services.TryAddSingleton<ArchiveAssistant>();
        return services;
    }
}
