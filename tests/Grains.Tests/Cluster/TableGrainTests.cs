using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;
using CardGame.TestSupport;

namespace CardGame.Grains.Tests.Cluster;

[Collection(ClusterCollection.Name)]
public sealed class TableGrainTests(ClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Grains;

    /// <summary>Moves and views go straight to the table as the player, as the edge sends them.</summary>
    private ITableGrain Table(string roomId) => Grains.GetGrain<ITableGrain>(roomId);

    [Fact]
    public async Task A_full_game_through_the_grains_ends_with_a_winner_and_counts_for_both_players()
    {
        var (roomId, players) = await GameDriver.SeatPlayersAsync(Grains, 2);
        var started = await Table(roomId).Start(players[0].GetPrimaryKeyString());
        Assert.True(started.IsOk, started.Error?.Text);
        Assert.Equal(7, started.Value!.Hand!.Count);
        Assert.Equal(Phases.Playing, started.Value.Phase);

        var end = await GameDriver.PlayToEndAsync(Grains, roomId);

        Assert.Equal(Phases.Finished, end.Phase);
        Assert.NotNull(end.Winner);
        Assert.Contains(end.Players, p => p.PlayerId == end.Winner && p.HandCount == 0);
        // Stats arrive through one-way notices: poll briefly.
        for (var i = 0; i < 100 && (await players[0].GetStats()).GamesPlayed == 0; i++)
        {
            await Task.Delay(20);
        }

        var stats = await Task.WhenAll(players.Select(p => p.GetStats()));
        Assert.All(stats, s => Assert.Equal(1, s.GamesPlayed));
        Assert.Equal(1, stats.Sum(s => s.GamesWon));
    }

    [Fact]
    public async Task Subscribed_edge_receives_every_event_in_seq_order_with_private_parts_for_their_owner_only()
    {
        var (roomId, players) = await GameDriver.SeatPlayersAsync(Grains, 3);
        var observer = new RecordingObserver();
        var reference = Grains.CreateObjectReference<ITableObserver>(observer);
        var table = Grains.GetGrain<ITableGrain>(roomId);
        var seqAtSubscribe = await table.Subscribe("edge-a", reference);

        await Table(roomId).Start(players[1].GetPrimaryKeyString());
        TableView last = null!;
        for (var i = 0; i < 15; i++)
        {
            last = await GameDriver.PlayOneMoveAsync(Grains, roomId);
            if (last.Phase == Phases.Finished)
            {
                break;
            }
        }

        await observer.WaitForSeqAsync(last.Seq);
        var seqs = observer.Received.Select(n => n.Event.Seq).ToList();
        Assert.Equal(Enumerable.Range((int)seqAtSubscribe + 1, seqs.Count).Select(s => (long)s), seqs);

        var started = observer.Received.Single(n => n.Event.Kind == EventKinds.Started);
        foreach (var player in players)
        {
            var id = player.GetPrimaryKeyString();
            Assert.Equal(5, started.ForRecipient(id).Hand!.Count);
            Assert.Equal(started.Hands![id], started.ForRecipient(id).Hand);
        }

        foreach (var took in observer.Received.Where(n => n.Event.Kind == EventKinds.Took))
        {
            foreach (var other in took.Recipients.Where(r => r != took.Event.PlayerId))
            {
                Assert.Null(took.ForRecipient(other).Card);
                Assert.Null(took.ForRecipient(other).Hand);
            }
        }

        await table.Unsubscribe("edge-a");
        Grains.DeleteObjectReference<ITableObserver>(reference);
    }

    [Fact]
    public async Task Tables_spread_over_both_silos()
    {
        var roomIds = new List<string>();
        for (var i = 0; i < 24; i++)
        {
            roomIds.Add((await Grains.GetGrain<ITableGrain>(RoomIds.New()).Create($"spread {i}", 2, "creator")).Value!.RoomId);
        }

        var management = Grains.GetGrain<IManagementGrain>(0);
        var tableIds = roomIds.Select(id => Grains.GetGrain<ITableGrain>(id).GetGrainId()).ToHashSet();
        var stats = await management.GetDetailedGrainStatistics();
        var silos = stats.Where(s => tableIds.Contains(s.GrainId)).Select(s => s.SiloAddress).Distinct().ToList();

        var perSilo = stats.Where(s => tableIds.Contains(s.GrainId)).GroupBy(s => s.SiloAddress).Select(g => $"{g.Key}: {g.Count()}");
        Assert.True(silos.Count == 2, $"{fixture.Cluster.Silos.Count} silos; tables per silo: {string.Join(", ", perSilo)}; stats {stats.Length}");
    }

    [Fact]
    public async Task A_rejected_action_leaves_state_and_seq_unchanged_in_storage()
    {
        var (roomId, players) = await GameDriver.SeatPlayersAsync(Grains, 2);
        var view = (await Table(roomId).Start(players[0].GetPrimaryKeyString())).Value!;
        var waiting = players.Single(p => p.GetPrimaryKeyString() != view.Turn);
        var mover = players.Single(p => p.GetPrimaryKeyString() == view.Turn);
        var stored = await StoredTableAsync(roomId);
        var moverView = (await Table(roomId).GetView(mover.GetPrimaryKeyString())).Value!;

        var rejections = new List<GameResult<TableView>>
        {
            await Table(roomId).Take(waiting.GetPrimaryKeyString()),
            await Table(roomId).Put(waiting.GetPrimaryKeyString(), (await Table(roomId).GetView(waiting.GetPrimaryKeyString())).Value!.Hand![0], null),
            await Table(roomId).Put(mover.GetPrimaryKeyString(), "ZZ", null),
            await Table(roomId).Put(mover.GetPrimaryKeyString(), NotInHand(moverView), null),
            await Table(roomId).Start(players[0].GetPrimaryKeyString()),
            await Grains.GetGrain<IPlayerGrain>($"p-{Guid.NewGuid():N}").JoinRoom("no-such-room"),
        };
        if (MoveChooser.ChooseIllegal(moverView) is { } illegal)
        {
            rejections.Add(await Table(roomId).Put(mover.GetPrimaryKeyString(), illegal, null));
        }

        Assert.Equal<string?>(
            [ErrorCodes.NotYourTurn, ErrorCodes.NotYourTurn, ErrorCodes.BadRequest, ErrorCodes.CardNotInHand, ErrorCodes.GameInProgress, ErrorCodes.RoomNotFound],
            rejections.Take(6).Select(r => r.Error?.Code));
        Assert.All(rejections.Skip(6), r => Assert.Equal(ErrorCodes.IllegalCard, r.Error?.Code));
        Assert.All(rejections, r => Assert.Null(r.Value));
        Assert.Equal(stored, await StoredTableAsync(roomId));
        Assert.Equal(view.Seq, (await Table(roomId).GetView(mover.GetPrimaryKeyString())).Value!.Seq);
    }

    [Fact]
    public async Task Tables_are_stored_in_redis_as_json_without_type_names_so_renaming_a_class_breaks_nothing()
    {
        var (roomId, players) = await GameDriver.SeatPlayersAsync(Grains, 2);
        var view = (await Table(roomId).Start(players[0].GetPrimaryKeyString())).Value!;

        var stored = await StoredTableAsync(roomId);

        Assert.Contains($"\"Seq\":{view.Seq}", stored);
        Assert.Contains("\"Hands\":{", stored);
        Assert.DoesNotContain("$type", stored);
        Assert.DoesNotContain("CardGame.Grains", stored);
    }

    [Fact]
    public async Task A_player_sits_at_one_room_at_a_time()
    {
        var (roomId, players) = await GameDriver.SeatPlayersAsync(Grains, 2);
        var other = (await players[0].CreateRoom("another", 3)).Value!.RoomId;

        var second = await players[0].JoinRoom(other);
        var again = await players[0].JoinRoom(roomId);
        var welcome = await players[0].SignIn("player0");

        Assert.Equal(ErrorCodes.AlreadySeated, second.Error?.Code);
        Assert.True(again.IsOk);
        Assert.Equal(roomId, welcome.RoomId);
        Assert.True((await players[0].LeaveRoom(roomId)).IsOk);
        Assert.True((await players[0].JoinRoom(other)).IsOk);
        Assert.Equal(other, (await players[0].SignIn("player0")).RoomId);
    }

    [Fact]
    public async Task Joining_is_refused_when_the_room_is_full_or_playing_and_starting_needs_two_players()
    {
        var (roomId, players) = await GameDriver.SeatPlayersAsync(Grains, 1, seats: 2);
        Assert.Equal(ErrorCodes.NotEnoughPlayers, (await Table(roomId).Start(players[0].GetPrimaryKeyString())).Error?.Code);

        var second = Grains.GetGrain<IPlayerGrain>($"p-{Guid.NewGuid():N}");
        var third = Grains.GetGrain<IPlayerGrain>($"p-{Guid.NewGuid():N}");
        Assert.True((await second.JoinRoom(roomId)).IsOk);
        Assert.Equal(ErrorCodes.RoomFull, (await third.JoinRoom(roomId)).Error?.Code);
        Assert.True((await Table(roomId).Start(second.GetPrimaryKeyString())).IsOk);
        Assert.True((await second.LeaveRoom(roomId)).IsOk);

        var view = (await Table(roomId).GetView(players[0].GetPrimaryKeyString())).Value!;
        Assert.Equal(Phases.Finished, view.Phase);
        Assert.Equal(players[0].GetPrimaryKeyString(), view.Winner);
        Assert.Equal(ErrorCodes.NotSeated, (await Table(roomId).Take(third.GetPrimaryKeyString())).Error?.Code);
    }

    [Fact]
    public async Task Invalid_room_requests_are_bad_requests()
    {
        var player = Grains.GetGrain<IPlayerGrain>($"p-{Guid.NewGuid():N}");
        Assert.Equal(ErrorCodes.BadRequest, (await player.CreateRoom("", 4)).Error?.Code);
        Assert.Equal(ErrorCodes.BadRequest, (await player.CreateRoom(new string('x', 41), 4)).Error?.Code);
        Assert.Equal(ErrorCodes.BadRequest, (await player.CreateRoom("ok", 7)).Error?.Code);
        Assert.Equal(ErrorCodes.BadRequest, (await player.CreateRoom("ok", 1)).Error?.Code);
        Assert.Equal(ErrorCodes.BadRequest, (await player.JoinRoom("bad id!")).Error?.Code);
        Assert.Equal(ErrorCodes.BadRequest, (await player.JoinRoom("")).Error?.Code);
    }

    [Fact]
    public async Task The_room_list_shows_rooms_with_current_player_counts_and_phase()
    {
        // No warm-up of the directory: the room is listed as it is now even when its shard activates meanwhile
        // (RoomDirectoryActivationTests).
        var (roomId, players) = await GameDriver.SeatPlayersAsync(Grains, 2, seats: 3);
        var list = Grains.GetGrain<IRoomListGrain>(0);

        var room = await WaitForRoomAsync(list, roomId, r => r.Players == 2 && r.Phase == Phases.Waiting);
        Assert.Equal(3, room.Seats);
        await Table(roomId).Start(players[0].GetPrimaryKeyString());
        await WaitForRoomAsync(list, roomId, r => r.Phase == Phases.Playing);
        await players[0].LeaveRoom(roomId);
        await players[1].LeaveRoom(roomId);
        await WaitForAsync(async () => (await list.List()).All(r => r.RoomId != roomId));
    }

    private static async Task<RoomInfo> WaitForRoomAsync(IRoomListGrain list, string roomId, Func<RoomInfo, bool> condition)
    {
        RoomInfo? found = null;
        await WaitForAsync(async () => (found = (await list.List()).FirstOrDefault(r => r.RoomId == roomId)) is { } r && condition(r));
        return found!;
    }

    internal static async Task WaitForAsync(Func<Task<bool>> condition, int timeoutMs = 10_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(50);
        }
    }

    private static string NotInHand(TableView view) =>
        new[] { "AS", "2S", "3S", "4S", "5S", "6S", "7S", "9S", "10S", "JS", "QS", "KS", "AH", "2H" }
            .Except(view.Hand!).Except([view.TopCard!]).First();

    private async Task<string> StoredTableAsync(string roomId)
    {
        var db = await fixture.Redis.DatabaseAsync();
        var server = db.Multiplexer.GetServer(db.Multiplexer.GetEndPoints()[0]);
        var key = server.Keys(pattern: $"*table*{roomId}*").Single();
        var type = await db.KeyTypeAsync(key);
        return type == StackExchange.Redis.RedisType.Hash
            ? string.Join("|", (await db.HashGetAllAsync(key)).OrderBy(e => e.Name.ToString()).Select(e => $"{e.Name}={e.Value}"))
            : (await db.StringGetAsync(key)).ToString();
    }
}
