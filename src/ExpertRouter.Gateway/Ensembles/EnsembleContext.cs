using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using ExpertRouter.Core.Ensembles;
using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Routing;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Invocation;
using Microsoft.SemanticKernel;

namespace ExpertRouter.Gateway.Ensembles;

/// <summary>
/// One ensemble request: the router's ranking, the client's request, and every call made so far. Calls go out in
/// parallel through <see cref="EnsembleCalls"/> (cache, then the gateway's invoker), each under the per-call timeout,
/// and a failure is recorded rather than thrown.
/// </summary>
public sealed class EnsembleContext(
    string name,
    EnsembleOptions options,
    EnsembleScope scope,
    JsonObject requestBody,
    IReadOnlyList<ExpertScore> ranking,
    Kernel kernel,
    EnsembleCalls calls,
    IAnswerExtractor extractor,
    int maxFallbacks = 0,
    IReadOnlyList<string>? fallbackChain = null,
    EnsembleEventStream? live = null)
{
    private readonly ConcurrentQueue<(int Order, EnsembleCall Call)> _calls = new();
    private int _order;

    public string Name { get; } = name;

    public EnsembleOptions Options { get; } = options;

    public string RequestId => scope.Call.RequestId;

    public string Prompt => scope.Prompt;

    public IReadOnlyList<ExpertScore> Ranking { get; } = ranking;

    public IAnswerExtractor Extractor { get; } = extractor;

    /// <summary>How many further experts may stand in for one whose answer the ensemble cannot do without (<c>ExpertRouter:MaxFallbacks</c>).</summary>
    public int MaxFallbacks { get; } = maxFallbacks;

    /// <summary>The tenant's fallback chain: who stands in first when such an answer fails.</summary>
    public IReadOnlyList<string> FallbackChain { get; } = fallbackChain ?? [];

    /// <summary>The client's live stream when it asked for one; a final call writes into it as tokens arrive.</summary>
    public EnsembleEventStream? Live { get; } = live;

    /// <summary>The live call when the response started (the headers list it as <c>streaming</c>) and what it decides.</summary>
    public (string Expert, ExpertRole Role, string Decision)? Pending { get; private set; }

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

    public Task<ExpertCallResult> ProposeAsync(ExpertDefinition expert, CancellationToken cancellationToken) =>
        RecordAsync(ExpertRole.Proposer, () => calls.CompleteAsync(scope, expert.Id, (JsonObject)requestBody.DeepClone(), cancellationToken));

    /// <summary>
    /// A proposal that is the ensemble's final answer as it comes: streamed live to a streaming client, whole otherwise.
    /// <paramref name="decision"/> is what the headers say was decided, since they leave before the answer ends.
    /// </summary>
    public Task<ExpertCallResult> ProposeFinalAsync(ExpertDefinition expert, string decision, CancellationToken cancellationToken) =>
        Live is null
            ? ProposeAsync(expert, cancellationToken)
            : RecordAsync(ExpertRole.Proposer, () =>
            {
                Pending = (expert.Id, ExpertRole.Proposer, decision);
                return calls.StreamAsync(scope, expert.Id, (JsonObject)requestBody.DeepClone(), Live.WriteContentAsync, cancellationToken);
            });

    /// <summary>Runs a prompt-template function on one expert through Semantic Kernel; a failed call comes back as a value.</summary>
    public Task<ExpertCallResult> InvokeAsync(KernelFunction function, string expertId, ExpertRole role, KernelArguments arguments, CancellationToken cancellationToken) =>
        RecordAsync(role, async () =>
        {
            try
            {
                var answer = await kernel.InvokeAsync(function, WithScope(arguments, expertId), cancellationToken).ConfigureAwait(false);
                return answer.GetValue<ChatMessageContent>()?.Metadata?[ExpertChatCompletionService.CallKey] as ExpertCallResult
                    ?? throw new InvalidOperationException("The expert's chat service returned no call result.");
            }
            catch (ExpertCallException ex)
            {
                return ex.Result;
            }
            catch (KernelException ex)
            {
                // SK could not run the function (e.g. no chat service under this id): the call fails, the request does not.
                return Unrunnable(expertId, ex);
            }
        });

    /// <summary>
    /// A prompt-template function whose answer is the ensemble's final one (the aggregator's): with a streaming
    /// client, SK streams it and each delta is written to the client as it arrives.
    /// </summary>
    public Task<ExpertCallResult> InvokeFinalAsync(
        KernelFunction function, string expertId, ExpertRole role, KernelArguments arguments, string decision, CancellationToken cancellationToken)
    {
        if (Live is not { } live)
        {
            return InvokeAsync(function, expertId, role, arguments, cancellationToken);
        }

        return RecordAsync(role, async () =>
        {
            Pending = (expertId, role, decision);
            try
            {
                ExpertCallResult? result = null;
                await foreach (var delta in kernel.InvokeStreamingAsync<StreamingChatMessageContent>(function, WithScope(arguments, expertId), cancellationToken).ConfigureAwait(false))
                {
                    if (delta.Metadata?.TryGetValue(ExpertChatCompletionService.CallKey, out var call) == true && call is ExpertCallResult done)
                    {
                        result = done;
                    }
                    else if (delta.Content is { Length: > 0 } piece)
                    {
                        await live.WriteContentAsync(piece, cancellationToken).ConfigureAwait(false);
                    }
                }

                return result ?? throw new InvalidOperationException("The expert's chat service returned no call result.");
            }
            catch (KernelException ex)
            {
                return Unrunnable(expertId, ex);
            }
        });
    }

    private async Task<ExpertCallResult> RecordAsync(ExpertRole role, Func<Task<ExpertCallResult>> call)
    {
        var order = Interlocked.Increment(ref _order);
        var result = await call().ConfigureAwait(false);
        _calls.Enqueue((order, new EnsembleCall(role, result)));
        return result;
    }

    private KernelArguments WithScope(KernelArguments arguments, string expertId)
    {
        var settings = new PromptExecutionSettings
        {
            ServiceId = expertId,
            ExtensionData = new Dictionary<string, object> { [ExpertChatCompletionService.ScopeSetting] = scope },
        };
        return new KernelArguments(arguments, new Dictionary<string, PromptExecutionSettings> { [expertId] = settings });
    }

    private ExpertCallResult Unrunnable(string expertId, KernelException ex) =>
        new(calls.Expert(expertId) ?? new ExpertDefinition { Id = expertId }, ExpertCallStatus.Failed, "", 0, 0, ex.GetType().Name, TimeSpan.Zero);
}
