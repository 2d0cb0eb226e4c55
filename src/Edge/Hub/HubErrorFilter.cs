using CardGame.Edge.Cluster;
using Microsoft.AspNetCore.SignalR;

namespace CardGame.Edge.Hub;

/// <summary>
/// Every hub failure leaves as a coded <see cref="HubException"/>: unreadable arguments as <c>bad_request</c>, a
/// cluster that cannot be reached (or any other unexpected failure) as <c>unavailable</c>. No exception type or stack
/// trace reaches a client; unexpected ones are logged here.
/// </summary>
public sealed partial class HubErrorFilter(ILogger<HubErrorFilter> logger) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        if (invocationContext.HubMethodArguments.Any(a => a is MalformedArgument))
        {
            var parameters = string.Join(", ", invocationContext.HubMethod.GetParameters().Select(p => p.Name));
            throw GameErrors.BadRequest($"malformed or missing arguments: {invocationContext.HubMethodName} takes ({parameters})");
        }

        try
        {
            return await next(invocationContext);
        }
        catch (HubException)
        {
            throw;
        }
        catch (Exception ex) when (ClusterErrors.IsUnavailable(ex))
        {
            LogUnavailable(logger, invocationContext.HubMethodName, invocationContext.Context.ConnectionId, ex.GetType().Name);
            throw GameErrors.Unavailable();
        }
        catch (Exception ex)
        {
            LogFailed(logger, ex, invocationContext.HubMethodName, invocationContext.Context.ConnectionId);
            throw GameErrors.Unavailable("the server could not complete the request; retry");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} on connection {ConnectionId} failed: the cluster is unavailable ({Reason})")]
    private static partial void LogUnavailable(ILogger logger, string method, string connectionId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} on connection {ConnectionId} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string method, string connectionId);
}
