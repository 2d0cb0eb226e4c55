using CardGame.Contracts.Protocol;
using CardGame.Edge.Application;
using Microsoft.AspNetCore.SignalR;

namespace CardGame.Edge.Hub;

/// <summary>
/// Runs every hub invocation through <see cref="RequestRunner"/> (token expiry, rate limit, metrics, errors), as
/// <c>/ws</c> runs its requests. Unreadable arguments fail with <c>bad_request</c>; every failure leaves as a
/// <see cref="GameHubException"/>.
/// </summary>
public sealed class GameHubFilter(RequestRunner runner, HubSessions sessions) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await runner.RunAsync(sessions.Of(invocationContext.Context), invocationContext.HubMethodName, () =>
            {
                if (invocationContext.HubMethodArguments.Any(a => a is MalformedArgument))
                {
                    var parameters = string.Join(", ", invocationContext.HubMethod.GetParameters().Select(p => p.Name));
                    throw new GameException(GameError.BadRequest($"malformed or missing arguments: {invocationContext.HubMethodName} takes ({parameters})"));
                }

                return next(invocationContext);
            });
        }
        catch (GameException ex)
        {
            throw new GameHubException(ex.Error);
        }
    }
}
