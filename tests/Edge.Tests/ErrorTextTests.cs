using CardGame.Edge.Hub;

namespace CardGame.Edge.Tests;

public sealed class ErrorTextTests
{
    [Theory]
    [InlineData("An unexpected error occurred invoking 'PutCard' on the server. GameHubException: not_your_turn: it is bob's turn", "not_your_turn: it is bob's turn")]
    [InlineData("Failed to invoke 'X' due to an error on the server. HubException: Method does not exist.", "bad_request: Method does not exist.")]
    [InlineData("Unknown hub method 'X'", "bad_request: Unknown hub method 'X'")]
    [InlineData("An unexpected error occurred invoking 'X' on the server.", "unavailable: An unexpected error occurred invoking 'X' on the server.")]
    public void Error_texts_reach_clients_as_a_code_then_the_message(string raised, string sent)
    {
        Assert.Equal(sent, GameHubProtocol.ForClient(raised));
    }

    [Theory]
    [InlineData("not_your_turn: it is bob's turn", "not_your_turn", "it is bob's turn")]
    [InlineData("rate_limited: slow down: now", "rate_limited", "slow down: now")]
    public void A_hub_message_reads_back_as_the_error_it_was_made_from(string message, string code, string text)
    {
        var error = GameError.FromHubMessage(message);

        Assert.Equal(new GameError(code, text), error);
        Assert.Equal(message, error!.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("made_up: code")]
    [InlineData("An unexpected error occurred invoking 'PutCard' on the server.")]
    [InlineData("not_your_turn")]
    public void A_message_without_a_contract_code_is_no_error(string? message) => Assert.Null(GameError.FromHubMessage(message));
}
