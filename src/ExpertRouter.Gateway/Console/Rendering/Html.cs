using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace ExpertRouter.Gateway.Console.Rendering;

/// <summary>
/// Builds a page. Markup is only ever written from the literal parts of an interpolated string, and every value put
/// into one is HTML-encoded (<see cref="HtmlHandler"/>), so a tenant id, a policy error or a model name can never
/// become markup. The one way around the encoding is <see cref="Markup"/>, which only this folder's builders make.
/// </summary>
internal sealed class Html
{
    /// <summary>
    /// Markup characters are still encoded; other scripts and symbols (λ, −, names in any language) are left as they
    /// are, since the page is UTF-8 and the default encoder would turn each into an entity.
    /// </summary>
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    private readonly StringBuilder _text = new(16 * 1024);
    private readonly StringWriter _writer;

    public Html() => _writer = new StringWriter(_text, CultureInfo.InvariantCulture);

    public Html Add([InterpolatedStringHandlerArgument("")] ref HtmlHandler handler) => this;

    public Html Add(Markup markup)
    {
        _text.Append(markup.Value);
        return this;
    }

    /// <summary>Encoded text, as an element's content or a quoted attribute's value.</summary>
    public Html Text(string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            Encoder.Encode(_writer, value);
        }

        return this;
    }

    public override string ToString() => _text.ToString();

    internal void Literal(string literal) => _text.Append(literal);
}

/// <summary>
/// The interpolated-string handler behind <see cref="Html.Add(ref HtmlHandler)"/>: literals are written as they are
/// (they are the page's own markup, fixed at compile time), holes are encoded; numbers are formatted invariantly.
/// </summary>
[InterpolatedStringHandler]
internal readonly ref struct HtmlHandler
{
    private readonly Html _html;

    public HtmlHandler(int literalLength, int formattedCount, Html html)
    {
        _ = literalLength;
        _ = formattedCount;
        _html = html;
    }

    public void AppendLiteral(string value) => _html.Literal(value);

    public void AppendFormatted(string? value) => _html.Text(value);

    public void AppendFormatted(Markup value) => _html.Add(value);

    public void AppendFormatted<T>(T value)
        where T : IFormattable => _html.Text(value.ToString(null, CultureInfo.InvariantCulture));

    public void AppendFormatted<T>(T value, string format)
        where T : IFormattable => _html.Text(value.ToString(format, CultureInfo.InvariantCulture));

    public void AppendFormatted<T>(T? value)
        where T : struct, IFormattable => _html.Text(value?.ToString(null, CultureInfo.InvariantCulture));

    public void AppendFormatted<T>(T? value, string format)
        where T : struct, IFormattable => _html.Text(value?.ToString(format, CultureInfo.InvariantCulture));
}

/// <summary>Markup built with an <see cref="Html"/> (plots, nested fragments): written again without encoding.</summary>
internal readonly struct Markup
{
    private Markup(string value) => Value = value;

    public static Markup Empty { get; } = new("");

    public string Value { get; }

    public static Markup Of(Html html) => new(html.ToString());
}
