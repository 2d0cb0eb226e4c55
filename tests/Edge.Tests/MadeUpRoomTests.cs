using System.Collections.Concurrent;
using System.Diagnostics;
using CardGame.Edge.Delivery;
using Microsoft.AspNetCore.SignalR;
using Orleans;
using Orleans.Runtime;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace CardGame.Edge.Tests;

/// <summary>
/// A flood of made-up room ids through a real edge into the real cluster: every call that takes a room id gets
/// <c>room_not_found</c>, and nothing stays behind: no Redis key, no table activation, no edge subscription.
/// </summary>
[Collection(EdgesCollection.Name)]
public sealed class MadeUpRoomTests(EdgesFixture fixture, ITestOutputHelper output)
{
    private const string Alphabet = "abcdefghijkmnpqrstuvwxyz23456789";

    [Fact]
    public async Task A_flood_of_made_up_room_ids_gets_room_not_found_and_leaves_redis_table_activations_and_edge_state_flat()
    {
        // An edge of its own without the per-connection rate limit, so one test can send thousands of calls quickly.
        await using var edge = await EdgeServer.StartAsync(new Dictionary<string, string?>(fixture.EdgeSettings)
        {
            ["Edge:InvocationsPerSecond"] = "100000",
            ["Edge:InvocationBurst"] = "100000",
        });
        var clients = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => GameClient.SignInAsync(edge, $"flooder{i}")));
        await using var host = await GameClient.SignInAsync(edge, "host");
        await using var watcher = await GameClient.SignInAsync(edge, "watcher");
        try
        {
            // A real room, seated and watched, on the same edge: it must keep working through the flood.
            var room = await host.InvokeAsync<RoomInfo>("CreateRoom", new CreateRoomRequest("real", 2));
            await host.InvokeAsync<TableView>("JoinRoom", room.RoomId);
            await watcher.InvokeAsync<TableView>("WatchRoom", room.RoomId);
            var subscriptions = edge.Services.GetRequiredService<TableSubscriptions>();
            var keysBefore = await fixture.Redis.KeysAsync();
            var dbSizeBefore = keysBefore.Count;
            var activationsBefore = (await TableActivationsAsync(new Dictionary<string, bool>())).All;
            var subscriptionsBefore = subscriptions.Count;

            // How many tables of made-up ids are in memory, sampled while the flood runs.
            var madeUp = new ConcurrentDictionary<string, bool>();
            var peak = 0;
            using var sampling = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    peak = Math.Max(peak, (await TableActivationsAsync(madeUp)).MadeUp);
                    await Task.Delay(50);
                }
            });

            // Room ids shaped like real ones ("r" + 10 of the alphabet) and others that are merely well-formed.
            var codes = new ConcurrentDictionary<string, int>();
            var calls = 0;
            var retries = 0;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(clients.Select(async (client, c) =>
            {
                for (var i = 0; i < 20; i++)
                {
                    var roomId = i % 2 == 0 ? "r" + Random.Shared.GetString(Alphabet, 10) : $"made-up_{c}_{i}_{Guid.NewGuid():N}";
                    madeUp[roomId] = true;
                    foreach (var (method, args) in CallsTaking(roomId))
                    {
                        // unavailable means "retry" (the contract): a call that reaches a table while it leaves memory.
                        string? code;
                        var attempt = 0;
                        while ((code = GameError.FromHubMessage((await Assert.ThrowsAsync<HubException>(() => client.InvokeAsync<object?>(method, args))).Message)?.Code)
                            == ErrorCodes.Unavailable && ++attempt < 3)
                        {
                            Interlocked.Increment(ref retries);
                        }

                        codes.AddOrUpdate($"{method}: {code}", 1, (_, n) => n + 1);
                        Interlocked.Increment(ref calls);
                    }

                    // Not watching it: a no-op that answers, and keeps nothing either.
                    await client.InvokeAsync("StopWatching", roomId);
                }
            }));
            clock.Stop();

            // Deactivation follows each call closely but asynchronously: wait for the count, never for a time.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            (int All, int MadeUp) after;
            while ((after = await TableActivationsAsync(madeUp)).MadeUp > 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }

            await sampling.CancelAsync();
            await sampler;
            var keysAfter = await fixture.Redis.KeysAsync();
            output.WriteLine($"{calls} calls on {calls / 8} made-up room ids from {clients.Length} connections in {clock.Elapsed.TotalSeconds:F1} s; {retries} answered unavailable first and were retried");
            output.WriteLine(string.Join("\n", codes.OrderBy(c => c.Key).Select(c => $"  {c.Key} x{c.Value}")));
            output.WriteLine($"Redis keys (DBSIZE): {dbSizeBefore} -> {keysAfter.Count}; new: {string.Join(", ", keysAfter.Except(keysBefore))}");
            output.WriteLine($"table activations: {activationsBefore} before, {after.All} after; of made-up ids at most {peak} at once during the flood, {after.MadeUp} after");
            output.WriteLine($"edge subscriptions: {subscriptionsBefore} -> {subscriptions.Count}");
            foreach (var line in edge.Logs.Lines.Where(l => l.Contains("failed", StringComparison.Ordinal)).Take(10))
            {
                output.WriteLine(line);
            }

            Assert.Equal(calls, codes.Where(c => c.Key.EndsWith(": " + ErrorCodes.RoomNotFound, StringComparison.Ordinal)).Sum(c => c.Value));
            Assert.Equal(16 * 20 * 8, calls);
            Assert.Empty(keysAfter.Except(keysBefore));
            // Only the made-up ids' tables are counted against: an earlier test's table may come and go meanwhile.
            Assert.Equal(0, after.MadeUp);
            Assert.Equal(subscriptionsBefore, subscriptions.Count);
            Assert.Equal(room.RoomId, Assert.Single(edge.Services.GetRequiredService<LocalSpectators>().WatchedRooms()));

            // The real room was never disturbed: still there, still watched, still joinable.
            Assert.Equal(1, (await clients[0].InvokeAsync<TableView>("JoinRoom", room.RoomId)).Spectators);
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    /// <summary>Every hub method that takes a room id and fails for one that does not exist, with valid other arguments.</summary>
    private static IEnumerable<(string Method, object?[] Args)> CallsTaking(string roomId) =>
    [
        ("GetTable", [roomId]),
        ("Resume", [roomId, 0L]),
        ("JoinRoom", [roomId]),
        ("WatchRoom", [roomId]),
        ("StartGame", [roomId]),
        ("TakeCard", [roomId, "m1"]),
        ("PutCard", [roomId, "5H", null, "m2"]),
        ("LeaveRoom", [roomId]),
    ];

    /// <summary>Table activations on all silos, and how many of them are of <paramref name="madeUp"/> room ids.</summary>
    private async Task<(int All, int MadeUp)> TableActivationsAsync(IReadOnlyDictionary<string, bool> madeUp)
    {
        var statistics = await fixture.Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        var tables = statistics.Where(s => s.GrainType.Contains("TableGrain", StringComparison.Ordinal)).ToList();
        return (tables.Count, tables.Count(s => madeUp.ContainsKey(s.GrainId.Key.ToString()!)));
    }
}
