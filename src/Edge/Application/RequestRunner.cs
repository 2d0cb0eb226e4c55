using System.Diagnostics;
using CardGame.Contracts.Protocol;
using CardGame.Edge.Cluster;
using CardGame.Edge.Observability;

namespace CardGame.Edge.Application;

/// <summary>
/// Runs one client request the same way on every transport: refused with <c>token_expired</c> after the connection's
/// token expired, with <c>rate_limited</c> over the connection's rate, then the call; timed and counted by outcome.
/// Every failure leaves as a <see cref="GameException"/>: a cluster that cannot be reached (or any other unexpected
/// failure, logged here) as <c>unavailable</c>. No exception type or stack trace reaches a client.
/// </summary>
public sealed partial class RequestRunner(TokenExpiry expiry, RequestLimiter limiter, EdgeMetrics metrics, ILogger<RequestRunner> logger)
{
    /// <summary>Runs <paramref name="call"/> for <paramref name="session"/>; <paramref name="request"/> names it in metrics and logs.</summary>
    public ValueTask<T> RunAsync<T>(ClientSession session, string request, Func<ValueTask<T>> call) =>
        RunAsync(session, request, call, static call => call());

    /// <summary>
    /// As <see cref="RunAsync{T}(ClientSession, string, Func{ValueTask{T}})"/>, with what the call needs passed in
    /// <paramref name="state"/>: a static <paramref name="call"/> then costs no closure per request.
    /// </summary>
    public async ValueTask<T> RunAsync<TState, T>(ClientSession session, string request, TState state, Func<TState, ValueTask<T>> call)
    {
        var started = Stopwatch.GetTimestamp();
        GameError error;
        try
        {
            expiry.Check(session);
            limiter.Acquire(session, request);
            var result = await call(state);
            metrics.Invoked(request, null, Stopwatch.GetElapsedTime(started));
            return result;
        }
        catch (GameException ex)
        {
            metrics.Invoked(request, ex.Error.Code, Stopwatch.GetElapsedTime(started));
            throw;
        }
        catch (Exception ex) when (ClusterErrors.IsUnavailable(ex))
        {
            LogUnavailable(logger, request, session.Connection.Id, ex.GetType().Name);
            error = GameError.Unavailable();
        }
        catch (Exception ex)
        {
            LogFailed(logger, ex, request, session.Connection.Id);
            error = GameError.Unavailable("the server could not complete the request; retry");
        }

        metrics.Invoked(request, error.Code, Stopwatch.GetElapsedTime(started));
        throw new GameException(error);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} on connection {ConnectionId} failed: the cluster is unavailable ({Reason})")]
    private static partial void LogUnavailable(ILogger logger, string method, string connectionId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} on connection {ConnectionId} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string method, string connectionId);
}
