using CardGame.Contracts.Protocol;

namespace CardGame.LoadTest.Players;

/// <summary>The contract's error code of a failed hub call, as a metric label ("unexpected" when it carries none).</summary>
public static class HubErrors
{
    public static string Code(string? message) =>
        message is null ? "unknown" : GameError.FromHubMessage(message)?.Code ?? "unexpected";
}
