using ExpertRouter.Core.OpenAI;
using ExpertRouter.Gateway.Console.Rendering;
using ExpertRouter.Gateway.OpenAI;

namespace ExpertRouter.Gateway.Console.Access;

/// <summary>A refusal in the form the client reads: a page for a browser, OpenAI's error envelope for a script.</summary>
internal static class ConsoleRefusal
{
    public static bool WantsHtml(HttpRequest request) => request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);

    public static Task WriteAsync(HttpContext context, ConsoleViewer? viewer, int status, string code, string message)
    {
        if (!WantsHtml(context.Request))
        {
            var type = status switch
            {
                StatusCodes.Status403Forbidden => "permission_error",
                _ => "invalid_request_error",
            };
            return ApiErrorWriter.WriteAsync(context, new ApiError(status, message, type, null, code));
        }

        var html = new Html();
        html.Add($"<p class=\"notice error\" role=\"alert\">{message}</p>");
        if (viewer is null)
        {
            html.Add($"<p><a href=\"/ui/login\">Log in</a></p>");
        }

        var title = status switch
        {
            StatusCodes.Status401Unauthorized => "Not signed in",
            StatusCodes.Status403Forbidden => "Not allowed",
            StatusCodes.Status404NotFound => "Not found",
            _ => "Refused",
        };
        return Layout.WriteAsync(context, new PageFrame(title, "", viewer), Markup.Of(html), status);
    }
}
