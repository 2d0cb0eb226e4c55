namespace CardGame.Edge.Hub;

/// <summary>
/// Stands in for the arguments of an invocation whose arguments could not be read (wrong types, wrong count), so the
/// invocation reaches <see cref="GameHubFilter"/> and fails with <c>bad_request</c> like any other bad input.
/// </summary>
public sealed class MalformedArgument
{
    public static MalformedArgument Instance { get; } = new();

    private MalformedArgument()
    {
    }
}
