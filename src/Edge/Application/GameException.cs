using CardGame.Contracts.Protocol;

namespace CardGame.Edge.Application;

/// <summary>A client's request failed with <see cref="Error"/>; each transport turns it into its own error reply.</summary>
public sealed class GameException(GameError error) : Exception(error.ToString())
{
    public GameError Error { get; } = error;
}
