namespace ExpertRouter.Irt.Reading;

/// <summary>
/// What a reading policy read, where it lies: a span of one string (a message, or the messages joined), or, where a
/// head-and-tail cut dropped the middle, a head and a tail of it that read as if joined by a new line. The hashed
/// featurizer reads the spans in place, so a router that reads one message copies none of it; <see cref="ToString"/>
/// gives the same text as one string for the encoders that need one.
/// </summary>
public readonly struct ReadText
{
    private readonly string _source;
    private readonly int _firstStart;
    private readonly int _firstLength;
    private readonly int _secondStart;
    private readonly int _secondLength;

    /// <summary>The whole of <paramref name="text"/>.</summary>
    public ReadText(string text)
        : this(text, 0, text.Length, cut: false, 0)
    {
    }

    private ReadText(string source, int firstStart, int firstLength, bool cut, int secondStart)
    {
        _source = source;
        _firstStart = firstStart;
        _firstLength = firstLength;
        IsCut = cut;
        _secondStart = secondStart;
        _secondLength = cut ? source.Length - secondStart : 0;
    }

    /// <summary><paramref name="length"/> characters of <paramref name="source"/> from <paramref name="start"/>.</summary>
    internal static ReadText Slice(string source, int start, int length) => new(source, start, length, cut: false, 0);

    /// <summary><paramref name="source"/>'s first <paramref name="headEnd"/> characters, a new line, and its characters from <paramref name="tailStart"/>.</summary>
    internal static ReadText Cut(string source, int headEnd, int tailStart) => new(source, 0, headEnd, cut: true, tailStart);

    /// <summary>The text read; with <see cref="IsCut"/>, the head before the cut.</summary>
    public ReadOnlySpan<char> First => (_source ?? "").AsSpan(_firstStart, _firstLength);

    /// <summary>The tail after the cut; empty without one.</summary>
    public ReadOnlySpan<char> Second => IsCut ? _source.AsSpan(_secondStart, _secondLength) : default;

    /// <summary>True when a head-and-tail cut dropped the middle: the text is <see cref="First"/>, a new line, <see cref="Second"/>.</summary>
    public bool IsCut { get; }

    /// <summary>Characters of the text, the new line of a cut included.</summary>
    public int Length => IsCut ? _firstLength + 1 + _secondLength : _firstLength;

    /// <summary>The text as one string: the string read itself when it is read whole, else a copy.</summary>
    public override string ToString()
    {
        if (_source is null)
        {
            return "";
        }

        if (IsCut)
        {
            return string.Concat(First, "\n", Second);
        }

        return _firstStart == 0 && _firstLength == _source.Length ? _source : _source.Substring(_firstStart, _firstLength);
    }
}
