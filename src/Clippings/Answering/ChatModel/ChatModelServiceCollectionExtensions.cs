using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Clippings.Answering.ChatModel;

public static class ChatModelServiceCollectionExtensions
{
    /// <summary>
    /// Binds <c>Clippings:ChatModel</c> and, when it names a provider, replaces the extractive composer and the
    /// rules-based follow-up rewriter with the chat model's (which fall back to them). Provider <c>none</c> changes nothing.
    /// </summary>
    public static IServiceCollection AddClippingsChatModel(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(ChatModelOptions.SectionName);
        services.AddOptions<ChatModelOptions>().Bind(section);
        var options = section.Get<ChatModelOptions>() ?? new ChatModelOptions();
        if (!options.IsEnabled)
        {
            return services;
        }

        services.AddClippingsAnswering();
        services.TryAddSingleton<ChatModelClient>();
        services.TryAddSingleton<ChatModelAnswerComposer>();
        services.TryAddSingleton<ChatModelFollowUpRewriter>();
        services.RemoveAll<IAnswerComposer>();
        services.RemoveAll<IFollowUpRewriter>();
        services.AddSingleton<IAnswerComposer>(sp => sp.GetRequiredService<ChatModelAnswerComposer>());
        services.AddSingleton<IFollowUpRewriter>(sp => sp.GetRequiredService<ChatModelFollowUpRewriter>());
        return services;
    }
}
