namespace ExpertRouter.Irt.Reading;

/// <summary>
/// Tokens as the hashed featurizer reads them: runs of letters and digits. Counting stops where the count does, so a
/// cut costs the tokens it keeps.
/// </summary>
internal static class TokenText
{
    /// <summary>
    /// Where the first <paramref name="left"/> tokens of <paramref name="text"/> end (the text's length when it has
    /// fewer); <paramref name="left"/> is what remains to be counted.
    /// </summary>
    public static int EndOfFirst(ReadOnlySpan<char> text, ref int left)
    {
        var i = 0;
        while (left > 0)
        {
            while (i < text.Length && !char.IsLetterOrDigit(text[i]))
            {
                i++;
            }

            if (i == text.Length)
            {
                return i;
            }

            while (i < text.Length && char.IsLetterOrDigit(text[i]))
            {
                i++;
            }

            left--;
        }

        return i;
    }

    /// <summary>
    /// Where the last <paramref name="left"/> tokens of <paramref name="text"/> start (0 when it has fewer);
    /// <paramref name="left"/> is what remains to be counted.
    /// </summary>
    public static int StartOfLast(ReadOnlySpan<char> text, ref int left)
    {
        var i = text.Length;
        while (left > 0)
        {
            while (i > 0 && !char.IsLetterOrDigit(text[i - 1]))
            {
                i--;
            }

            if (i == 0)
            {
                return 0;
            }

            while (i > 0 && char.IsLetterOrDigit(text[i - 1]))
            {
                i--;
            }

            left--;
        }

        return i;
    }

    public static bool OnlySeparators(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
