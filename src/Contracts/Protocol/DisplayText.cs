using System.Globalization;

namespace CardGame.Contracts.Protocol;

/// <summary>
/// The one rule for text that other players see (display names, room names): no control characters and no invisible
/// formatting. Format characters (Unicode category Cf: right-to-left overrides and isolates, zero-width spaces and
/// joiners, the byte order mark) let a name look like another or reverse the text around it; line and paragraph
/// separators break layouts; a lone surrogate is no character at all.
/// </summary>
public static class DisplayText
{
    /// <summary>Whether <paramref name="text"/> holds only characters that show as what they are.</summary>
    public static bool IsClean(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                if (!IsVisible(CharUnicodeInfo.GetUnicodeCategory(text, i)))
                {
                    return false;
                }

                i++;
                continue;
            }

            if (char.IsSurrogate(c) || !IsVisible(CharUnicodeInfo.GetUnicodeCategory(c)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary><paramref name="text"/> without the characters <see cref="IsClean"/> refuses.</summary>
    public static string Clean(string text)
    {
        if (IsClean(text))
        {
            return text;
        }

        var kept = new System.Text.StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var length = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            var one = text.Substring(i, length);
            if (IsClean(one))
            {
                kept.Append(one);
            }

            i += length - 1;
        }

        return kept.ToString();
    }

    private static bool IsVisible(UnicodeCategory category) => category is not
        (UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
        or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned);
}
