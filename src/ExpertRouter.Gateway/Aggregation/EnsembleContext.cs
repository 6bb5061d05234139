using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using ExpertRouter.Core.Aggregation;
using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Routing;
using Microsoft.SemanticKernel;

namespace ExpertRouter.Gateway.Aggregation;

/// <summary>
/// One ensemble request: the router's ranking, the client's request, and every call made so far. Calls go out in
/// parallel, each under the per-call timeout, and a failure is recorded rather than thrown.
/// </summary>
public sealed class EnsembleContext(
    string name,
    EnsembleOptions options,
    string requestId,
    JsonObject requestBody,
    string prompt,
    IReadOnlyList<ExpertScore> ranking,
    Kernel kernel,
    Func<string, ExpertClient> clients,
    IAnswerExtractor extractor)
{
    private readonly ConcurrentQueue<(int Order, EnsembleCall Call)> _calls = new();
    private int _order;

    public string Name { get; } = name;

    public EnsembleOptions Options { get; } = options;

    public string RequestId { get; } = requestId;

    public string Prompt { get; } = prompt;

    public IReadOnlyList<ExpertScore> Ranking { get; } = ranking;

    public IAnswerExtractor Extractor { get; } = extractor;

    public TimeSpan CallTimeout => TimeSpan.FromSeconds(Options.CallTimeoutSeconds);

    /// <summary>Every call in the order it was started.</summary>
    public IReadOnlyList<EnsembleCall> Calls => _calls.OrderBy(c => c.Order).Select(c => c.Call).ToArray();

    /// <summary>The router's top <paramref name="count"/> experts, best first.</summary>
    public IReadOnlyList<ExpertScore> Top(int count) => Ranking.Take(count).ToArray();

    /// <summary>Sends the client's request to each expert at once; results come back in the same order.</summary>
    public Task<ExpertCallResult[]> ProposeAsync(IEnumerable<ExpertDefinition> experts, CancellationToken cancellationToken) =>
        Task.WhenAll(experts.Select(e => ProposeAsync(e, cancellationToken)));

    /// <summary>The top <c>Size</c> experts answer at once; only the answers that arrived come back, best-ranked first.</summary>
    public async Task<ExpertCallResult[]> ProposeTopAsync(CancellationToken cancellationToken) =>
        (await ProposeAsync(Top(Options.Size).Select(p => p.Expert), cancellationToken).ConfigureAwait(false))
            .Where(r => r.Succeeded)
            .ToArray();

    /// <summary>The judge and aggregator templates' arguments: the question and the numbered candidate answers.</summary>
    public KernelArguments CandidateArguments(IReadOnlyList<ExpertCallResult> answered) => new()
    {
        ["question"] = Prompt,
        ["candidates"] = EnsemblePrompts.Numbered(answered.Select(a => a.Content).ToArray()),
    };

    public async Task<ExpertCallResult> ProposeAsync(ExpertDefinition expert, CancellationToken cancellationToken)
    {
        var order = Interlocked.Increment(ref _order);
        var body = (JsonObject)requestBody.DeepClone();
        var result = await clients(expert.Id).CompleteAsync(body, RequestId, CallTimeout, cancellationToken).ConfigureAwait(false);
        _calls.Enqueue((order, new EnsembleCall(ExpertRole.Proposer, result)));
        return result;
    }

    /// <summary>Runs a prompt-template function on one expert through Semantic Kernel; null text when the call failed.</summary>
    public async Task<ExpertCallResult> InvokeAsync(KernelFunction function, string expertId, ExpertRole role, KernelArguments arguments, CancellationToken cancellationToken)
    {
        var order = Interlocked.Increment(ref _order);
        var settings = new PromptExecutionSettings
        {
            ServiceId = expertId,
            ExtensionData = new Dictionary<string, object>
            {
                [ExpertChatCompletionService.RequestIdSetting] = RequestId,
                [ExpertChatCompletionService.TimeoutSetting] = CallTimeout.TotalMilliseconds,
            },
        };
        var withService = new KernelArguments(arguments, new Dictionary<string, PromptExecutionSettings> { [expertId] = settings });
        ExpertCallResult result;
        try
        {
            var answer = await kernel.InvokeAsync(function, withService, cancellationToken).ConfigureAwait(false);
            result = answer.GetValue<ChatMessageContent>()?.Metadata?[ExpertChatCompletionService.CallKey] as ExpertCallResult
                ?? throw new InvalidOperationException("The expert's chat service returned no call result.");
        }
        catch (ExpertCallException ex)
        {
            result = ex.Result;
        }
        catch (KernelException ex)
        {
            // SK could not run the function (e.g. no chat service under this id): the call fails, the request does not.
            result = new ExpertCallResult(clients(expertId).Expert, ExpertCallStatus.Failed, "", 0, 0, ex.GetType().Name, TimeSpan.Zero);
        }

        _calls.Enqueue((order, new EnsembleCall(role, result)));
        return result;
    }
}
