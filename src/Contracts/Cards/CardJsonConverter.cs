using System.Text.Json;
using System.Text.Json.Serialization;

namespace CardGame.Contracts.Cards;

/// <summary>Stores a <see cref="Card"/> as its wire string ("10H"), also as a dictionary key.</summary>
public sealed class CardJsonConverter : JsonConverter<Card>
{
    public override Card Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"a card must be a string such as \"10H\", not {reader.TokenType}");
        }

        return Parse(reader.GetString());
    }

    public override void Write(Utf8JsonWriter writer, Card value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Format(value));

    public override Card ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Parse(reader.GetString());

    public override void WriteAsPropertyName(Utf8JsonWriter writer, Card value, JsonSerializerOptions options) =>
        writer.WritePropertyName(Format(value));

    private static Card Parse(string? text) =>
        Card.TryParse(text, out var card) ? card : throw new JsonException($"\"{text}\" is not a card");

    // Refuse to store what could not be read back.
    private static string Format(Card card) =>
        card.IsValid ? card.ToString() : throw new JsonException($"{card} cannot be stored");
}
