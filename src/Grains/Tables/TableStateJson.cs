using System.Buffers;
using System.Text.Json;
using CardGame.Grains.Rules;

namespace CardGame.Grains;

/// <summary>
/// Writes a <see cref="TableState"/> as the exact bytes System.Text.Json writes with Orleans' storage options (property
/// names as declared, in declaration order, nulls left out, cards as their wire text, enums as numbers), without its
/// reflection-driven converters: a table writes its whole state on every move, and the dictionaries of hands and move
/// memory went through System.Text.Json's generic dictionary and list converters and the card converter each time.
/// Reading stays System.Text.Json's. A property added to one of these types must be added here too, in declaration
/// order: <c>TableStateJsonTests</c> compares every property and every byte with System.Text.Json's output.
/// </summary>
public static class TableStateJson
{
    private static readonly JsonEncodedText Exists = JsonEncodedText.Encode(nameof(TableState.Exists));
    private static readonly JsonEncodedText Name = JsonEncodedText.Encode(nameof(TableState.Name));
    private static readonly JsonEncodedText Seats = JsonEncodedText.Encode(nameof(TableState.Seats));
    private static readonly JsonEncodedText CreatorId = JsonEncodedText.Encode(nameof(TableState.CreatorId));
    private static readonly JsonEncodedText Seq = JsonEncodedText.Encode(nameof(TableState.Seq));
    private static readonly JsonEncodedText Phase = JsonEncodedText.Encode(nameof(TableState.Phase));
    private static readonly JsonEncodedText Players = JsonEncodedText.Encode(nameof(TableState.Players));
    private static readonly JsonEncodedText Game = JsonEncodedText.Encode(nameof(TableState.Game));
    private static readonly JsonEncodedText TurnStartedAt = JsonEncodedText.Encode(nameof(TableState.TurnStartedAt));
    private static readonly JsonEncodedText GamesDealt = JsonEncodedText.Encode(nameof(TableState.GamesDealt));
    private static readonly JsonEncodedText AppliedMoves = JsonEncodedText.Encode(nameof(TableState.AppliedMoves));
    private static readonly JsonEncodedText CreatedAt = JsonEncodedText.Encode(nameof(TableState.CreatedAt));
    private static readonly JsonEncodedText QuickPlay = JsonEncodedText.Encode(nameof(TableState.QuickPlay));
    private static readonly JsonEncodedText MoveDigests = JsonEncodedText.Encode(nameof(TableState.MoveDigests));

    private static readonly JsonEncodedText PlayerId = JsonEncodedText.Encode(nameof(SeatState.PlayerId));
    private static readonly JsonEncodedText Connected = JsonEncodedText.Encode(nameof(SeatState.Connected));
    private static readonly JsonEncodedText DisconnectedAt = JsonEncodedText.Encode(nameof(SeatState.DisconnectedAt));

    private static readonly JsonEncodedText Hands = JsonEncodedText.Encode(nameof(CrazyEightsGame.Hands));
    private static readonly JsonEncodedText Stock = JsonEncodedText.Encode(nameof(CrazyEightsGame.Stock));
    private static readonly JsonEncodedText DiscardPile = JsonEncodedText.Encode(nameof(CrazyEightsGame.DiscardPile));
    private static readonly JsonEncodedText SuitToFollow = JsonEncodedText.Encode(nameof(CrazyEightsGame.SuitToFollow));
    private static readonly JsonEncodedText Turn = JsonEncodedText.Encode(nameof(CrazyEightsGame.Turn));
    private static readonly JsonEncodedText Winner = JsonEncodedText.Encode(nameof(CrazyEightsGame.Winner));
    private static readonly JsonEncodedText Seed = JsonEncodedText.Encode(nameof(CrazyEightsGame.Seed));
    private static readonly JsonEncodedText Reshuffles = JsonEncodedText.Encode(nameof(CrazyEightsGame.Reshuffles));
    private static readonly JsonEncodedText RngState = JsonEncodedText.Encode(nameof(CrazyEightsGame.RngState));

    // Each card's wire text, encoded once (a table's state holds all 52 cards).
    private static readonly JsonEncodedText[] CardTexts = [.. Card.FullDeck.Select(card => JsonEncodedText.Encode(card.ToString()))];

    [ThreadStatic]
    private static (ArrayBufferWriter<byte> Buffer, Utf8JsonWriter Writer)? _cached;

    /// <summary>The state's JSON, in a new array of its exact length.</summary>
    public static byte[] Serialize(TableState state) => Written(state).ToArray();

    /// <summary>
    /// The state's JSON in an array rented from the shared pool, kept with the state (<see cref="TableState.WriteBuffer"/>)
    /// until <see cref="ReturnWriteBuffer"/>: a table writes its whole state on every move (2-4 KB), and a new array for
    /// each write was the largest single allocation of a loaded silo. An array whose write never reported success is
    /// never returned (the grain reloads its state then, and the array goes with the old one): storage may still hold it.
    /// </summary>
    public static ReadOnlyMemory<byte> SerializeToWriteBuffer(TableState state)
    {
        var json = Written(state);
        var array = ArrayPool<byte>.Shared.Rent(json.Length);
        json.CopyTo(array);
        // A buffer still here belongs to a write that has not reported success: it is left to the collector.
        state.WriteBuffer = array;
        return array.AsMemory(0, json.Length);
    }

    /// <summary>
    /// After a successful write of <paramref name="state"/>: its write buffer goes back to the pool. Only then: storage
    /// has no more use for it once the write has answered (Redis has the command; the in-memory storage copied it).
    /// </summary>
    public static void ReturnWriteBuffer(TableState state)
    {
        if (state.WriteBuffer is { } array)
        {
            state.WriteBuffer = null;
            ArrayPool<byte>.Shared.Return(array);
        }
    }

    /// <summary>The state's JSON in this thread's writer (valid until the thread's next call).</summary>
    private static ReadOnlySpan<byte> Written(TableState state)
    {
        var (buffer, writer) = _cached ??= CreateWriter();
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        Write(writer, state);
        writer.Flush();
        if (buffer.Capacity > 64 * 1024)
        {
            // Keep a rare large state's buffer from staying with the thread (what it wrote stays readable until used).
            _cached = null;
        }

        return buffer.WrittenSpan;
    }

    private static (ArrayBufferWriter<byte>, Utf8JsonWriter) CreateWriter()
    {
        var buffer = new ArrayBufferWriter<byte>(8 * 1024);
        return (buffer, new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }));
    }

    public static void Write(Utf8JsonWriter writer, TableState state)
    {
        writer.WriteStartObject();
        writer.WriteBoolean(Exists, state.Exists);
        WriteStringUnlessNull(writer, Name, state.Name);
        writer.WriteNumber(Seats, state.Seats);
        WriteStringUnlessNull(writer, CreatorId, state.CreatorId);
        writer.WriteNumber(Seq, state.Seq);
        WriteStringUnlessNull(writer, Phase, state.Phase);
        if (state.Players is { } players)
        {
            writer.WriteStartArray(Players);
            foreach (var seat in players)
            {
                WriteSeat(writer, seat);
            }

            writer.WriteEndArray();
        }

        if (state.Game is { } game)
        {
            writer.WritePropertyName(Game);
            WriteGame(writer, game);
        }

        if (state.TurnStartedAt is { } turnStartedAt)
        {
            writer.WriteString(TurnStartedAt, turnStartedAt);
        }

        writer.WriteNumber(GamesDealt, state.GamesDealt);
        if (state.AppliedMoves is { } appliedMoves)
        {
            writer.WriteStartObject(AppliedMoves);
            foreach (var (playerId, moves) in appliedMoves)
            {
                writer.WritePropertyName(playerId);
                WriteStrings(writer, moves);
            }

            writer.WriteEndObject();
        }

        if (state.CreatedAt is { } createdAt)
        {
            writer.WriteString(CreatedAt, createdAt);
        }

        writer.WriteBoolean(QuickPlay, state.QuickPlay);
        if (state.MoveDigests is { } moveDigests)
        {
            writer.WriteStartObject(MoveDigests);
            foreach (var (playerId, digests) in moveDigests)
            {
                writer.WriteString(playerId, digests);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static void WriteSeat(Utf8JsonWriter writer, SeatState? seat)
    {
        if (seat is null)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteStartObject();
        WriteStringUnlessNull(writer, PlayerId, seat.PlayerId);
        WriteStringUnlessNull(writer, Name, seat.Name);
        writer.WriteBoolean(Connected, seat.Connected);
        if (seat.DisconnectedAt is { } disconnectedAt)
        {
            writer.WriteString(DisconnectedAt, disconnectedAt);
        }

        writer.WriteEndObject();
    }

    private static void WriteGame(Utf8JsonWriter writer, CrazyEightsGame game)
    {
        writer.WriteStartObject();
        if (game.Players is { } players)
        {
            writer.WritePropertyName(Players);
            WriteStrings(writer, players);
        }

        if (game.Hands is { } hands)
        {
            writer.WriteStartObject(Hands);
            foreach (var (playerId, hand) in hands)
            {
                writer.WritePropertyName(playerId);
                WriteCards(writer, hand);
            }

            writer.WriteEndObject();
        }

        if (game.Stock is { } stock)
        {
            writer.WritePropertyName(Stock);
            WriteCards(writer, stock);
        }

        if (game.DiscardPile is { } discardPile)
        {
            writer.WritePropertyName(DiscardPile);
            WriteCards(writer, discardPile);
        }

        writer.WriteNumber(SuitToFollow, (int)game.SuitToFollow);
        WriteStringUnlessNull(writer, Turn, game.Turn);
        WriteStringUnlessNull(writer, Winner, game.Winner);
        WriteStringUnlessNull(writer, Seed, game.Seed);
        writer.WriteNumber(Reshuffles, game.Reshuffles);
        writer.WriteNumber(RngState, game.RngState);
        writer.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter writer, List<string>? values)
    {
        if (values is null)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteStartArray();
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    private static void WriteCards(Utf8JsonWriter writer, List<Card>? cards)
    {
        if (cards is null)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteStartArray();
        foreach (var card in cards)
        {
            // As CardJsonConverter: refuse to store what could not be read back.
            writer.WriteStringValue(card.IsValid ? CardTexts[((int)card.Suit * 13) + (int)card.Rank - 1] : throw new JsonException($"{card} cannot be stored"));
        }

        writer.WriteEndArray();
    }

    private static void WriteStringUnlessNull(Utf8JsonWriter writer, JsonEncodedText name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }
}
