using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using CardGame.Edge.Delivery;

namespace CardGame.Edge.Application;

/// <summary>
/// One move sent to its table asking for the move's events with the answer (<see cref="ITableGrain.EventsWithAnswer"/>),
/// which spares the table's call to this edge's observer and its acknowledgment. Every attempt at the move (a repeat of
/// <see cref="Cluster.HedgedCalls"/>, a resend of <see cref="Cluster.TableRoutes"/>) asks; the events of any answer that
/// carries them, whenever it comes and whichever attempt's answer the caller uses, are handed to the fan-out. When an
/// attempt fails, or one answers without them while an earlier one is still out (the one the table may have given
/// them to), the answer that carried them may never come: the room's events after the last one passed on here are
/// fetched from the table (<see cref="TableEventFanOut.AnswerMissing"/>). So the table may count them delivered when
/// it answers, and no event is lost to this edge's clients when the answer is.
/// </summary>
internal sealed class MoveWithEvents(string roomId, string edgeId, TableEventFanOut fanOut, Func<ITableGrain, Task<GameResult<TableView>>> move)
{
    private int _out;

    /// <summary>One attempt at the move, sent to <paramref name="table"/>.</summary>
    public async Task<GameResult<TableView>> SendAsync(ITableGrain table)
    {
        Task<GameResult<TableView>> sent;
        RequestContext.Set(ITableGrain.EventsWithAnswer, edgeId);
        try
        {
            sent = move(table);
        }
        finally
        {
            RequestContext.Remove(ITableGrain.EventsWithAnswer);
        }

        Interlocked.Increment(ref _out);
        GameResult<TableView> result;
        try
        {
            result = await sent;
        }
        catch
        {
            Interlocked.Decrement(ref _out);
            fanOut.AnswerMissing(roomId);
            throw;
        }

        var stillOut = Interlocked.Decrement(ref _out);
        if (result.Events is { Count: > 0 } events)
        {
            fanOut.Answered(roomId, events);
        }
        else if (stillOut > 0)
        {
            fanOut.AnswerMissing(roomId);
        }

        return result;
    }
}
