using CardGame.Contracts.Protocol;
using CardGame.LoadTest.Metrics;
using CardGame.LoadTest.Running;
using Microsoft.AspNetCore.SignalR.Client;

namespace CardGame.LoadTest.Players;

/// <summary>
/// A player of the bare stack (bench/BareStack, hub <c>/hubs/bare</c>). Echo: invoke <c>Echo(payload)</c>, then the
/// next seat's turn. Grain: invoke <c>Act(group, seq, payload)</c> — the edge calls a no-op grain, sends
/// <c>Evt(seq, seat)</c> to the other seats and returns — and the next seat moves when the event reaches it.
/// </summary>
public sealed class BarePlayer(int index, int seat, Uri edge, BareGroup group, RunContext run) : IActor, IAsyncDisposable
{
    private readonly string _payload = new('x', run.Options.PayloadBytes);
    private HubConnection? _connection;

    public string Id { get; } = $"bare{index}";

    public int Seat { get; } = seat;

    public int Table => group.Timing.Index;

    public async Task<bool> ConnectAsync(CancellationToken cancellationToken)
    {
        try
        {
            var connection = HubConnections.Build(edge, "hubs/bare", null);
            connection.On<long, int>("Evt", OnEvent);
            connection.Closed += _ =>
            {
                if (!run.IsStopping)
                {
                    run.Metrics.ConnectionLost();
                }

                return Task.CompletedTask;
            };
            await connection.StartAsync(cancellationToken);
            if (run.Options.Scenario == Scenario.Grain)
            {
                await connection.InvokeAsync("Join", group.Name, cancellationToken);
            }

            _connection = connection;
            run.Metrics.PlayerConnected();
            run.Metrics.PlayerSeated();
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            run.Metrics.ConnectFailed();
            run.Metrics.Error("connect:" + ex.GetType().Name);
            return false;
        }
    }

    /// <summary>Gives this seat the turn.</summary>
    public void TakeTurn()
    {
        if (!run.IsStopping)
        {
            run.Pacer.Request(this);
        }
    }

    public async Task ActAsync(long scheduledTimestamp)
    {
        if (run.IsStopping || _connection is not { } connection)
        {
            return;
        }

        var seq = group.NextSeq();
        var ticket = run.Metrics.MoveSent(scheduledTimestamp, fansOut: run.Options.Scenario == Scenario.Grain);
        group.Timing.ActionSent(Id, scheduledTimestamp, ticket);
        try
        {
            if (run.Options.Scenario == Scenario.Grain)
            {
                await connection.InvokeAsync<string>("Act", group.Name, seq, Seat, _payload);
            }
            else
            {
                await connection.InvokeAsync<string>("Echo", _payload);
            }

            run.Metrics.ActionDone(ticket, Clock.Now);

            if (run.Options.Scenario != Scenario.Grain)
            {
                group.After(Seat).TakeTurn();
            }
        }
        catch (Exception ex)
        {
            group.Timing.ActionFailed(Id);
            if (!run.IsStopping)
            {
                run.Metrics.Error("invoke:" + ex.GetType().Name);
                await Task.Delay(250);
                TakeTurn(); // keep the group going
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is { } connection)
        {
            try
            {
                await connection.DisposeAsync();
            }
            catch (Exception)
            {
                // Shutting down.
            }
        }
    }

    private void OnEvent(long seq, int actorSeat)
    {
        run.Metrics.EventReceived();
        var actor = group.Players[actorSeat];
        group.Timing.EventReceived(Id, new TableEvent(group.Name, seq, EventKinds.Put, actor.Id), Clock.Now);
        if (group.After(actorSeat) == this)
        {
            TakeTurn();
        }
    }
}
