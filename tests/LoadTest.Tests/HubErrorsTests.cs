using CardGame.LoadTest.Players;

namespace CardGame.LoadTest.Tests;

public sealed class HubErrorsTests
{
    [Theory]
    [InlineData("not_your_turn: it is bob's turn", "not_your_turn")]
    [InlineData("rate_limited: slow down", "rate_limited")]
    [InlineData("An unexpected error occurred invoking 'PutCard' on the server.", "unexpected")]
    [InlineData("made_up: code", "unexpected")]
    [InlineData(null, "unknown")]
    [InlineData("The server closed the connection with the following error: server_draining: this server is restarting; reconnect to carry on", "connection_closed")]
    public void Reads_the_contract_error_code(string? message, string code) => Assert.Equal(code, HubErrors.Code(message));
}
