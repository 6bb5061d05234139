using System.Net;
using System.Text.Json;

namespace ExpertRouter.Gateway.Tests.Functional;

internal static class ErrorAssert
{
    /// <summary>Checks status and OpenAI's envelope: error.message, error.type, error.param and error.code all present.</summary>
    public static async Task<JsonElement> IsEnvelopeAsync(HttpResponseMessage response, HttpStatusCode status, string? code = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(text);
        var error = document.RootElement.GetProperty("error");
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        Assert.False(string.IsNullOrEmpty(error.GetProperty("type").GetString()));
        Assert.True(error.TryGetProperty("param", out _));
        Assert.True(error.TryGetProperty("code", out var actualCode));
        if (code is not null)
        {
            Assert.Equal(code, actualCode.GetString());
        }

        return error.Clone();
    }
}
