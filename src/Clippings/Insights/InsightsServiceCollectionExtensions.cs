using Clippings.Embeddings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Clippings.Insights;

public static class InsightsServiceCollectionExtensions
{
    /// <summary>The question log and the editors' report over it (<c>Clippings:Insights</c>).</summary>
    public static IServiceCollection AddClippingsInsights(this IServiceCollection services, IConfiguration configuration)
    {
        services.BindValidated<InsightsOptions>(configuration, InsightsOptions.SectionName, rules => rules
            .Range(nameof(InsightsOptions.RetentionDays), o => o.RetentionDays, 1, 3650)
            .Range(nameof(InsightsOptions.SimilarityThreshold), o => o.SimilarityThreshold, 0.5, 1, "0.5 to 1 (a cosine)")
            .Range(nameof(InsightsOptions.MaxItems), o => o.MaxItems, 1, 1000)
            .Range(nameof(InsightsOptions.MaxExamples), o => o.MaxExamples, 1, 100)
            .Range(nameof(InsightsOptions.DefaultDays), o => o.DefaultDays, 1, 3650)
            .Rule(o => o.Path is { } path && (path.Trim().Length == 0 || path.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
                ? $"{InsightsOptions.SectionName}:Path is '{path}'; allowed: a file path such as data/insights.db, or unset (beside the index)." : null));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<QuestionLog>();
        services.TryAddSingleton(sp => new QuestionGrouper(sp.GetRequiredService<EmbeddingGeneratorFactory.Created>(), sp.GetRequiredService<QuestionLog>()));
        services.TryAddSingleton<InsightsReporter>();
        return services;
    }
}
