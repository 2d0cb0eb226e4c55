using CardGame.Contracts.Protocol;

namespace CardGame.LoadTest.Players;

/// <summary>Reads the contract's error code from the start of a hub error message ("not_your_turn: it is bob's turn").</summary>
public static class HubErrors
{
    public static string Code(string? message)
    {
        if (string.IsNullOrEmpty(message))
        {
            return "unknown";
        }

        var colon = message.IndexOf(':', StringComparison.Ordinal);
        var code = colon > 0 ? message[..colon] : message;
        return ErrorCodes.All.Contains(code) ? code : "unexpected";
    }
}
