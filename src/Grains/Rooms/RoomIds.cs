using System.Security.Cryptography;

namespace CardGame.Grains;

/// <summary>Room ids: short, unguessable, URL-safe (<c>r</c> followed by 10 characters of [a-z0-9]).</summary>
public static class RoomIds
{
    private const string Alphabet = "abcdefghijkmnpqrstuvwxyz23456789";

    public static string New() => "r" + RandomNumberGenerator.GetString(Alphabet, 10);

    /// <summary>Whether <paramref name="roomId"/> could be a room id at all (1–64 characters of [A-Za-z0-9_-]).</summary>
    public static bool IsValid(string? roomId) =>
        roomId is { Length: > 0 and <= 64 } && roomId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
