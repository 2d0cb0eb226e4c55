using System.Collections.Concurrent;
using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using CardGame.TestSupport;
using Orleans.TestingHost;

namespace CardGame.Grains.Tests.Cluster;

/// <summary>
/// The request-context key by which an edge asks for a move's events with the answer
/// (<see cref="ITableGrain.EventsWithAnswer"/>) is for the table alone: the calls the table makes while it handles the
/// move (its notices to the players' grains, its room-list entry) do not carry it on, so no other grain reads it and no
/// message carries it further.
/// </summary>
public sealed class MoveContextTests(MoveContextTests.Fixture fixture) : IClassFixture<MoveContextTests.Fixture>
{
    private IGrainFactory Grains => fixture.Grains;

    [Fact]
    public async Task The_key_asking_for_a_moves_events_is_not_carried_on_to_the_calls_the_table_makes_during_the_move()
    {
        var (roomId, players) = await GameDriver.SeatPlayersAsync(Grains, 2, seats: 2);
        var table = Grains.GetGrain<ITableGrain>(roomId);
        Assert.True((await table.Start(players[0].GetPrimaryKeyString())).IsOk);

        for (var moves = 0; ; moves++)
        {
            Assert.True(moves < 2000, "the game did not end");
            var turn = (await table.GetView("observer")).Value!.Turn ?? throw new InvalidOperationException("no one's turn");
            var put = MoveChooser.ChoosePut((await table.GetView(turn)).Value!);
            RequestContext.Set(ITableGrain.EventsWithAnswer, "edge-asking");
            var sent = put is { } move ? table.Put(turn, move.Card, move.Suit) : table.Take(turn);
            RequestContext.Clear();
            var moved = await sent;
            Assert.True(moved.IsOk, $"{moved.Error?.Code}: {moved.Error?.Text}");
            if (moved.Value!.Phase == Phases.Finished)
            {
                break;
            }
        }

        var fromTable = KeyWatch.Calls.Where(c => c.Source == roomId).ToList();
        // The last move ended the game, and the table told both players' grains while handling it: calls the watch saw.
        Assert.Equal(2, fromTable.Count(c => c.Method == nameof(IPlayerGrain.GameFinished)));
        Assert.DoesNotContain(fromTable, c => c.CarriedKey);
    }

    /// <summary>One silo that records, for every call a grain makes, whether the key went with it.</summary>
    public sealed class Fixture : ClusterFixture
    {
        protected override short InitialSilos => 1;

        protected override void AddConfigurators(TestClusterBuilder builder)
        {
            builder.AddSiloBuilderConfigurator<WatchingSilo>();
            base.AddConfigurators(builder);
        }
    }

    public sealed class WatchingSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddOutgoingGrainCallFilter<KeyWatch>();
    }

    public sealed record Call(string Source, string Method, bool CarriedKey);

    public sealed class KeyWatch : IOutgoingGrainCallFilter
    {
        public static ConcurrentQueue<Call> Calls { get; } = new();

        public Task Invoke(IOutgoingGrainCallContext context)
        {
            if (context.SourceId is { } source)
            {
                Calls.Enqueue(new Call(source.Key.ToString()!, context.MethodName, RequestContext.Get(ITableGrain.EventsWithAnswer) is not null));
            }

            return context.Invoke();
        }
    }
}
