namespace ExpertRouter.Core.Telemetry;

/// <summary>
/// Every log event id of every ExpertRouter assembly, in one place so none is used twice (a test checks it): a
/// dashboard or an alert can key on an id and always mean one message. Ranges by concern.
/// </summary>
public static class LogEvents
{
    // 100–109: the front of the pipeline.
    public const int UnknownKey = 100;

    // 110–119: routing decisions.
    public const int Routed = 110;
    public const int RouterUncalibrated = 111;

    // 120–139: calling experts.
    public const int AttemptFailed = 120;
    public const int ExpertPassedOver = 121;
    public const int StreamBroken = 122;
    public const int CircuitChanged = 124;
    public const int TenantCircuitChanged = 125;

    // 140–149: budgets.
    public const int RequestRefused = 140;
    public const int UsageMissing = 141;

    // 150–169: the response cache.
    public const int SemanticHit = 150;
    public const int CacheStoreFailed = 151;
    public const int CacheStoreUnreachable = 152;
    public const int CacheStoreReachable = 153;
    public const int SemanticIndexUnusable = 154;
    public const int SemanticIndexUsable = 155;
    public const int CacheSavingNotRecorded = 156;

    // 1000–1099: sentence encoders shared by the semantic cache and the router.
    public const int CacheEmbedderLoaded = 1000;

    // 170–179: ensembles.
    public const int EnsembleAnswered = 170;
    public const int EnsembleStoreFailed = 172;

    // 180–199: start-up and tenant state.
    public const int EmbeddedSimulator = 180;
    public const int PoliciesLoaded = 181;
    public const int AccountingInRedis = 182;
    public const int AccountingInProcess = 183;
    public const int AccountingDegraded = 184;
    public const int AccountingRecovered = 185;
    public const int AccountingEpochReset = 186;

    // 190–199: client protocols (Responses, Messages).
    public const int ResponseStateNotStored = 190;
    public const int ResponseStateNotLoaded = 191;

    // 200–219: policy files.
    public const int PolicyAccepted = 200;
    public const int PolicyRejected = 201;
    public const int PolicyRemoved = 202;
    public const int PolicyUnreadable = 203;
    public const int PolicyWatchFailed = 204;
    public const int PolicyFolderEmpty = 205;

    // 300–319: serving routers.
    public const int RouterLoaded = 300;
    public const int CudaUnavailable = 301;

    // 400–419: the simulator.
    public const int FaultInjected = 400;

    // 500–509: the request log.
    public const int RequestLogWriteFailed = 500;
    public const int RequestLogFellBack = 501;
    public const int RequestLogIndexFailed = 502;

    // 510–519: feedback.
    public const int FeedbackRecorded = 510;

    // 520–529: exploration.
    public const int ExplorationRecorded = 520;
    public const int ExplorationSkipped = 521;
    public const int ExplorationFailed = 522;

    // 530–549: router swaps and shadows.
    public const int RouterSwapped = 530;
    public const int RouterRejected = 531;
    public const int RouterWatchFailed = 532;
    public const int RouterDisposeFailed = 533;
    public const int ShadowFailed = 534;

    // 700–799: expert capacity (quotas, provider limits, latency).
    public const int CapacityStoreDegraded = 700;
    public const int CapacityStoreRecovered = 701;
    public const int ProviderLimited = 702;
    public const int CapacityRefused = 703;

    // 800–899: the console.
    public const int ConsoleLogin = 800;
    public const int ConsoleLoginRefused = 801;
    public const int ConsoleLogout = 802;
    public const int ConsoleCsrfRefused = 803;
    public const int ConsoleKeyIssued = 804;
    public const int ConsolePoliciesReloaded = 805;
    public const int ConsoleRoutersReloaded = 806;

    // 900–999: what routing costs (the scorer a router runs on, what it reads).
    public const int ManagedScorerUnavailable = 900;
    public const int ManagedScorerMismatch = 901;
}
