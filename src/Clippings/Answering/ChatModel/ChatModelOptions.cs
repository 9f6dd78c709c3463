namespace Clippings.Answering.ChatModel;

/// <summary>What to do when the chat model's answer cites none of the supplied passages.</summary>
public enum NoCitationFallback
{
    /// <summary>Give the extractive answer instead (grounded quotes, no model prose).</summary>
    Extractive,

    /// <summary>Say the archive's passages did not answer it, naming the closest pieces.</summary>
    Refuse,
}

/// <summary>Bound from <c>Clippings:ChatModel</c>. Provider <c>none</c> (the default) keeps the extractive answers.</summary>
public sealed class ChatModelOptions
{
    public const string SectionName = "Clippings:ChatModel";

    /// <summary><c>none</c>, <c>openai</c>, <c>azure-openai</c> or <c>openai-compatible</c> (Ollama, vLLM, LM Studio, llama.cpp).</summary>
    public string Provider { get; set; } = "none";

    /// <summary>Base URL: required for azure-openai (the resource) and openai-compatible (e.g. http://localhost:11434/v1).</summary>
    public string? Endpoint { get; set; }

    /// <summary>Model id (OpenAI, compatible servers) or deployment name (Azure OpenAI).</summary>
    public string? Model { get; set; }

    /// <summary>Required for openai and azure-openai; optional for compatible servers.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Longest wait for one model call (a whole streamed answer included) before it counts as failed.</summary>
    public double TimeoutSeconds { get; set; } = 60;

    /// <summary>Retries after a timeout, 429, 5xx or malformed response, before falling back to the extractive answer.</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>Total time all attempts and waits for one answer may take; no retry starts past it.</summary>
    public double RetryBudgetSeconds { get; set; } = 90;

    /// <summary>Longest Retry-After honoured; a server asking for more is treated as unavailable.</summary>
    public double MaxRetryDelaySeconds { get; set; } = 20;

    /// <summary>The model's context window; passages are added best first until the prompt would exceed it.</summary>
    public int ContextWindowTokens { get; set; } = 8192;

    /// <summary>Most passages given to the model, even when the context window has room for more.</summary>
    public int MaxPassages { get; set; } = 8;

    /// <summary>The publication's name as the prompt speaks of it.</summary>
    public string Publication { get; set; } = "the publication";

    /// <summary>Voice and tone the answers keep (an instruction inside the prompt).</summary>
    public string Voice { get; set; } = "Plain, precise and warm, like the publication's own writers: short sentences, no hype, no marketing language.";

    /// <summary>What an answer without a single valid citation becomes: <c>extractive</c> (default) or <c>refuse</c>.</summary>
    public NoCitationFallback NoCitationFallback { get; set; } = NoCitationFallback.Extractive;

    /// <summary>Folder of the prompt directories; default <c>prompts/</c> in the working directory, else beside the program.</summary>
    public string? PromptsPath { get; set; }

    public bool IsEnabled => !string.Equals(Provider.Trim(), "none", StringComparison.OrdinalIgnoreCase) && Provider.Trim().Length > 0;
}
