using CardGame.Contracts.Protocol;
using CardGame.Edge.Delivery;

namespace CardGame.Edge.Tests;

/// <summary>
/// An event many connections get in one form is encoded once per transport format: connections that send it after the
/// first (many at once) get the same bytes, and each format keeps its own.
/// </summary>
public sealed class PreparedEventTests
{
    [Fact]
    public async Task Each_format_is_encoded_once_for_all_connections_and_formats_do_not_mix()
    {
        var prepared = new PreparedEvent<TableEvent>(new TableEvent("room-1", 7, EventKinds.Put, "p1", Card: "QS"));
        var encodings = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        ReadOnlyMemory<byte> Encode(string format, TableEvent e)
        {
            encodings.AddOrUpdate(format, 1, (_, n) => n + 1);
            return System.Text.Encoding.UTF8.GetBytes($"{format}:{e.Seq}:{e.Card}");
        }

        // The first connection of each format encodes; then 64 connections at once, over both formats.
        Assert.Equal("json:7:QS", Text(prepared.Encoded("json", e => Encode("json", e))));
        Assert.Equal("ws:7:QS", Text(prepared.Encoded("ws", e => Encode("ws", e))));
        var sent = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(() =>
        {
            var format = i % 2 == 0 ? "json" : "ws";
            return (format, Text(prepared.Encoded(format, e => Encode(format, e))));
        })));

        Assert.All(sent, s => Assert.Equal($"{s.format}:7:QS", s.Item2));
        Assert.Equal(1, encodings["json"]);
        Assert.Equal(1, encodings["ws"]);
    }

    [Fact]
    public async Task Connections_racing_for_a_message_form_all_get_the_one_instance_kept()
    {
        var prepared = new PreparedEvent<TableEvent>(new TableEvent("room-1", 8, EventKinds.Took, "p1"));
        using var start = new ManualResetEventSlim();

        // 16 connections of one transport at once, each making its own message if none is kept yet: whichever is
        // kept first, every connection gets that one (SignalR writes one instance to all, as for a group).
        var racing = Enumerable.Range(0, 16).Select(i => Task.Run(() =>
        {
            start.Wait();
            return prepared.Encoded("json", i, static (e, i) => new Message(e.Seq, i));
        })).ToList();
        start.Set();
        var got = (await Task.WhenAll(racing)).Append(prepared.Encoded("json", 99, static (e, i) => new Message(e.Seq, i))).ToList();

        Assert.All(got, message => Assert.Same(got[0], message));
        Assert.Equal(8, got[0].Seq);
        var other = prepared.Encoded("messagepack", -1, static (e, i) => new Message(e.Seq, i));
        Assert.Equal(-1, other.By);
        Assert.Same(other, prepared.Encoded("messagepack", -2, static (e, i) => new Message(e.Seq, i)));
    }

    private sealed record Message(long Seq, int By);

    private static string Text(ReadOnlyMemory<byte> bytes) => System.Text.Encoding.UTF8.GetString(bytes.Span);
}
