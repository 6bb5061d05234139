using System.Text;

namespace ExpertRouter.Gateway.Tests.Fuzzing;

/// <summary>
/// Deterministic generator of hostile requests from a seed: malformed and truncated JSON, wrong types, bodies around
/// the size limit, deep nesting (also inside tool schemas that reach the cache key), numbers no double can hold
/// (on cached and ensemble requests), huge arrays, invalid and overlong UTF-8, escaped lone surrogates, BOMs, NULs,
/// odd content types, random headers, paths and methods.
/// </summary>
public sealed class FuzzRequestFactory(int seed, int maxBodyBytes)
{
    private const string Valid = """{"model":"auto","messages":[{"role":"user","content":"hello"}]}""";

    private static readonly string[] WrongTypes =
    [
        """{"model":42,"messages":[{"role":"user","content":"x"}]}""",
        """{"model":null,"messages":[{"role":"user","content":"x"}]}""",
        """{"model":"auto","messages":"x"}""",
        """{"model":"auto","messages":{"role":"user"}}""",
        """{"model":"auto","messages":[{"role":7,"content":"x"}]}""",
        """{"model":"auto","messages":[{"role":"user","content":12.5}]}""",
        """{"model":"auto","messages":[{"role":"user","content":[{"type":"text","text":5}]}]}""",
        """{"model":"auto","stream":"yes","messages":[{"role":"user","content":"x"}]}""",
        """{"model":"auto","max_tokens":"many","messages":[{"role":"user","content":"x"}]}""",
        """{"model":"auto","temperature":[],"messages":[{"role":"user","content":"x"}]}""",
        """{"model":"auto","tools":"none","messages":[{"role":"user","content":"x"}]}""",
        """{"model":"text-embedding-sim","input":{"a":1}}""",
        """{"model":"text-embedding-sim","input":[[[1]]]}""",
        """[]""", """null""", """"just a string"""", """12""", """{}""", """{"model":"auto"}""",
        """{"model":"auto","model":"auto","messages":[{"role":"user","content":"x"}]}""",
        """{"model":"","messages":[{"role":"user","content":"x"}]}""",
        """{"model":"no-such-expert","messages":[{"role":"user","content":"x"}]}""",
    ];

    private static readonly string[] ContentTypes =
    [
        "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=utf-16",
        "application/xml", "application/json; charset=latin1", "*/*", "application/", "json",
    ];

    private static readonly string[] Paths =
    [
        "/v1/chat/completions", "/v1/embeddings", "/v1/models", "/v1/models/auto", "/v1/chat/completions/extra", "/v1/completions",
        "/v1/", "/v1", "/v1/%2e%2e/%2e%2e/etc/passwd", "/v1/chat//completions", "/v1/%00", "/v1/%F0%9F%92%A9", "/v1/chat/completions?x=%ZZ",
        "/v1/chat/completions;jsessionid=1", "/V1/CHAT/COMPLETIONS", "/v1/embeddings/../chat/completions",
    ];

    private static readonly string[] Methods = ["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "POST"];

    private static readonly string[] HugeNumbers =
    [
        "1e999", "-1e999", "1E400", "1e-999", "-0.0", "123456789012345678901234567890", "1e99999999999999999999", "9007199254740993",
        "0.1000000000000000055511151231257827", "-1e-400", "2e308", "4.9e-325",
    ];

    private static readonly string[] NumberFields = ["temperature", "top_p", "max_tokens", "seed", "n", "frequency_penalty", "presence_penalty", "foo"];

    private readonly Random _random = new(seed);

    /// <summary>How many families <see cref="Next"/> draws from; the fuzz test checks each one was generated.</summary>
    public const int Families = 15;

    public IEnumerable<FuzzRequest> Create(int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return Next();
        }
    }

    private FuzzRequest Next() => _random.Next(Families) switch
    {
        12 => Chat("number-range", Utf8(OutOfRangeNumbers())),
        13 => Chat("huge-array", Utf8(HugeArray())),
        14 => Chat("nested-schema", Utf8(NestedToolSchema(Between(2, 90)))),
        0 => Chat("truncated", Utf8(Valid)[..Between(0, Valid.Length - 1)]),
        1 => Chat("byte-flip", Flip(Utf8(Valid))),
        2 => Chat("wrong-type", Utf8(Pick(WrongTypes)), Pick(Paths[..2])),
        3 => Chat("near-limit", Utf8(WithContent(new string('a', Math.Max(0, maxBodyBytes - 64 + Between(-200, 200)))))),
        4 => Chat("deep-nesting", Utf8(Nested(Between(64, 5_000)))),
        5 => Chat("invalid-utf8", Splice(Pick<byte[]>([[0xFF], [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]]))),
        6 => Chat("lone-surrogate", Utf8(WithContent(Pick(["\\ud800", "\\udc00x", "a\\ud83d", "\\ud800\\ud800", "\\uDFFF\\uD800"])))),
        7 => Chat("bom-nul", Pick<byte[]>([[0xEF, 0xBB, 0xBF, .. Utf8(Valid)], [0xFE, 0xFF, .. Utf8(Valid)], Splice([0x00]), Utf8(WithContent("a\\u0000b")), [.. Utf8(Valid), 0x00]])),
        8 => Chat("content-type", Utf8(Valid)) with { ContentType = _random.Next(4) == 0 ? null : Pick(ContentTypes) },
        9 => Chat("headers", Utf8(Valid)) with { Headers = RandomHeaders() },
        10 => new FuzzRequest("path-method", Pick(Methods), Pick(Paths), _random.Next(2) == 0 ? null : Utf8(Valid), "application/json", [], _random.Next(5) != 0),
        _ => Chat("auth", Utf8(Valid)) with { Authenticated = false, Headers = [new("Authorization", Pick(["Bearer", "Bearer ", "Basic xyz", "Bearer sk-wrong", "bearer sk-expertrouter-demo x", new string('k', 2_000)]))] },
    };

    private FuzzRequest Chat(string family, byte[] body, string path = "/v1/chat/completions") =>
        new(family, "POST", path, body, "application/json", [], Authenticated: true);

    private byte[] Flip(byte[] body)
    {
        for (var i = Between(1, 4); i > 0; i--)
        {
            body[_random.Next(body.Length)] = (byte)_random.Next(256);
        }

        return body;
    }

    /// <summary>Puts raw bytes inside the content string of an otherwise valid request.</summary>
    private static byte[] Splice(byte[] raw)
    {
        var (head, tail) = (Utf8("""{"model":"auto","messages":[{"role":"user","content":"a"""), Utf8("""b"}]}"""));
        return [.. head, .. raw, .. tail];
    }

    private string Nested(int depth) => _random.Next(2) == 0
        ? new string('[', depth) + new string(']', depth)
        : WithContent("x")[..^2] + ",\"extra\":" + string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth) + "}]}";

    /// <summary>A request, often deterministic (so the cache keys it) and sometimes an ensemble, with numbers no double holds.</summary>
    private string OutOfRangeNumbers()
    {
        var model = Pick(["auto", "auto", "ensemble/vote3", "gpt-4o-mini-2024-07-18"]);
        var fields = new List<string> { $"\"model\":\"{model}\"" };
        var deterministic = _random.Next(3) != 0;
        if (deterministic)
        {
            fields.Add("\"temperature\":0");
        }

        // Distinct names: a repeated key is another kind of hostile input. An ensemble gets no max_tokens the experts
        // refuse: every expert's 400 then ends as the ensemble's 502, which is its error mapping, not number handling.
        var names = NumberFields.Where(f => !(deterministic && f == "temperature") && !(model.StartsWith("ensemble/", StringComparison.Ordinal) && f == "max_tokens"))
            .OrderBy(_ => _random.Next()).Take(Between(1, 3));
        fields.AddRange(names.Select(name => $"\"{name}\":{Pick(HugeNumbers)}"));

        if (_random.Next(2) == 0)
        {
            fields.Add($"\"tools\":[{{\"type\":\"function\",\"function\":{{\"name\":\"f\",\"parameters\":{{\"type\":\"object\",\"properties\":{{\"n\":{{\"type\":\"number\",\"maximum\":{Pick(HugeNumbers)}}}}}}}}}}}]");
        }

        fields.Add($"\"messages\":[{{\"role\":\"user\",\"content\":[{{\"type\":\"text\",\"text\":\"x\",\"weight\":{Pick(HugeNumbers)}}}]}}]");
        return "{" + string.Join(",", fields.OrderBy(_ => _random.Next())) + "}";
    }

    /// <summary>Thousands of elements: many messages, a long stop list, or a wide logit_bias; around the size limit.</summary>
    private string HugeArray()
    {
        var count = Between(100, maxBodyBytes / 4);
        return _random.Next(3) switch
        {
            0 => "{\"model\":\"auto\",\"temperature\":0,\"messages\":[" + string.Join(",", Enumerable.Repeat("{\"role\":\"user\",\"content\":\"a\"}", count / 8)) + "]}",
            1 => WithContent("x")[..^1] + ",\"stop\":[" + string.Join(",", Enumerable.Range(0, count).Select(i => i % 7 == 0 ? Pick(HugeNumbers) : "0")) + "]}",
            _ => "{\"model\":\"auto\",\"temperature\":0,\"logit_bias\":{" + string.Join(",", Enumerable.Range(0, count / 4).Select(i => $"\"{i}\":{Pick(["1", "-100", "1e999"])}")) + "},\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
        };
    }

    /// <summary>A deterministic tool call whose parameter schema nests objects this deep (past JSON's default 64, it is refused).</summary>
    private static string NestedToolSchema(int depth) =>
        "{\"model\":\"auto\",\"temperature\":0,\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":"
        + string.Concat(Enumerable.Repeat("{\"type\":\"object\",\"properties\":{\"a\":", depth)) + "{\"type\":\"number\",\"maximum\":1e999}"
        + string.Concat(Enumerable.Repeat("}}", depth)) + "}}],\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";

    private IReadOnlyList<KeyValuePair<string, string>> RandomHeaders()
    {
        var headers = new List<KeyValuePair<string, string>>();
        for (var i = Between(1, 6); i > 0; i--)
        {
            var name = Pick(["x-request-id", "x-expertrouter-router", "x-simulator-fault", "traceparent", "Accept", "Accept-Encoding", "x-" + Token(Between(1, 20))]);
            headers.Add(new(name, Pick([Token(Between(0, 40)), new string('v', Between(1_000, 6_000)), "00-zz-zz-zz", "status;code=abc", "gzip, br", "*/*;q=0"])));
        }

        return headers;
    }

    private string Token(int length) =>
        string.Create(length, _random, static (span, random) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = (char)random.Next(0x21, 0x7F);
            }
        });

    private static string WithContent(string content) => "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}";

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private T Pick<T>(T[] items) => items[_random.Next(items.Length)];

    private int Between(int min, int max) => _random.Next(min, max + 1);
}
