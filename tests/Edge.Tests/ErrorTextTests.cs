using CardGame.Edge.Hub;

namespace CardGame.Edge.Tests;

public sealed class ErrorTextTests
{
    [Theory]
    [InlineData("An unexpected error occurred invoking 'PutCard' on the server. HubException: not_your_turn: it is bob's turn", "not_your_turn: it is bob's turn")]
    [InlineData("Failed to invoke 'X' due to an error on the server. HubException: Method does not exist.", "bad_request: Method does not exist.")]
    [InlineData("Unknown hub method 'X'", "bad_request: Unknown hub method 'X'")]
    [InlineData("An unexpected error occurred invoking 'X' on the server.", "unavailable: An unexpected error occurred invoking 'X' on the server.")]
    [InlineData("Connection closed with an error. HubException: unavailable: retry", "unavailable: retry")]
    [InlineData("room_full: all 2 seats are taken", "room_full: all 2 seats are taken")]
    public void Error_texts_reach_clients_as_a_code_then_the_message(string raised, string sent)
    {
        Assert.Equal(sent, GameErrors.ForClient(raised));
    }
}
