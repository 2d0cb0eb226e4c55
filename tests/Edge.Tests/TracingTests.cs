using System.Diagnostics;
using OpenTelemetry.Trace;

namespace CardGame.Edge.Tests;

[Collection(EdgesCollection.Name)]
public sealed class TracingTests(EdgesFixture fixture)
{
    [Fact]
    public async Task A_move_is_traced_from_the_hub_through_the_table_grain_and_its_storage_write_to_the_edges_delivering_it()
    {
        // The silos run in this process: the test edge's tracer also collects their spans (each silo exports its own in production).
        var spans = new List<Activity>();
        var settings = new Dictionary<string, string?>(fixture.EdgeSettings) { ["Tracing:OtlpEndpoint"] = EdgesFixture.TracingEndpoint };
        await using var edge = await EdgeServer.StartAsync(settings,
            services: s => s.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddSource(CardGame.Grains.GameTracing.SourceName).AddInMemoryExporter(spans)));
        await using var alice = await GameClient.SignInAsync(edge, "alice");
        await using var bob = await GameClient.SignInAsync(edge, "bob");
        var room = await alice.InvokeAsync<RoomInfo>("CreateRoom", new CreateRoomRequest("traced", 2));
        await alice.InvokeAsync<TableView>("JoinRoom", room.RoomId);
        await bob.InvokeAsync<TableView>("JoinRoom", room.RoomId);
        var dealt = await alice.InvokeAsync<TableView>("StartGame", room.RoomId);
        var mover = dealt.Turn == alice.PlayerId ? alice : bob;
        var other = mover == alice ? bob : alice;

        var taken = await mover.InvokeAsync<TableView>("TakeCard", room.RoomId, Guid.NewGuid().ToString("N"));
        await other.WaitForSeqAsync(room.RoomId, taken.Seq);

        // Spans end (and are exported) as their work ends: the delivery may end a moment after the client has the event.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        List<Activity> trace;
        while (true)
        {
            lock (spans)
            {
                // The tracer sees every edge in this process (other test classes play at the same time): this test's move
                // is the TakeCard whose trace wrote this room.
                var hub = spans.LastOrDefault(a => a.Source.Name == "Microsoft.AspNetCore.SignalR.Server" && a.DisplayName.EndsWith("/TakeCard", StringComparison.Ordinal)
                    && spans.Any(s => s.TraceId == a.TraceId && s.DisplayName == "table.persist" && (string?)s.GetTagItem("cardgame.room_id") == room.RoomId));
                trace = hub is null ? [] : [.. spans.Where(a => a.TraceId == hub.TraceId)];
            }

            if (trace.Any(a => a.DisplayName == "edge.deliver") || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(100);
        }

        var names = trace.Select(a => $"{a.Source.Name}: {a.DisplayName}").ToList();
        Assert.Contains(trace, a => a.Source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal) && a.Kind == ActivityKind.Server
            && a.DisplayName.Contains("Take", StringComparison.Ordinal));
        Assert.Contains(trace, a => a.DisplayName == "table.persist" && (string?)a.GetTagItem("cardgame.room_id") == room.RoomId);
        Assert.Contains(trace, a => a.DisplayName == "table.publish");
        Assert.True(trace.Any(a => a.DisplayName == "edge.deliver"), "no edge.deliver span in the move's trace: " + string.Join(", ", names));
    }
}
