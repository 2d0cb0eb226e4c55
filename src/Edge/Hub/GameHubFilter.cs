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
            return await runner.RunAsync(sessions.Of(invocationContext.Context), invocationContext.HubMethodName, (invocationContext, next), Invoke);
        }
        catch (GameException ex)
        {
            throw new GameHubException(ex.Error);
        }
    }

    /// <summary>The hub method, unless an argument could not be read (<see cref="GameHubProtocol"/>).</summary>
    private static ValueTask<object?> Invoke((HubInvocationContext Context, Func<HubInvocationContext, ValueTask<object?>> Next) call)
    {
        var arguments = call.Context.HubMethodArguments;
        for (var i = 0; i < arguments.Count; i++)
        {
            if (arguments[i] is MalformedArgument)
            {
                var parameters = string.Join(", ", call.Context.HubMethod.GetParameters().Select(p => p.Name));
                throw new GameException(GameError.BadRequest($"malformed or missing arguments: {call.Context.HubMethodName} takes ({parameters})"));
            }
        }

        return call.Next(call.Context);
    }
}
