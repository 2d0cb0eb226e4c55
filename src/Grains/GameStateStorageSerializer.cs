using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Storage;

namespace CardGame.Grains;

/// <summary>
/// The grain storage serializer: Orleans' System.Text.Json one (<see cref="SystemTextJsonGrainStorageSerializer"/>, no
/// type names), except that a table's state, written on every move, is written by <see cref="TableStateJson"/>: the
/// same bytes, without System.Text.Json's generic converters, in a pooled array that the table grain returns once the
/// write has succeeded (<see cref="TableStateJson.ReturnWriteBuffer"/>). Everything is read by System.Text.Json, as before.
/// </summary>
public sealed class GameStateStorageSerializer(IOptions<SystemTextJsonGrainStorageSerializerOptions> options) : IGrainStorageSerializer
{
    private readonly SystemTextJsonGrainStorageSerializer _json = new(options);

    public BinaryData Serialize<T>(T? input) =>
        input is TableState table && typeof(T) == typeof(TableState) ? new BinaryData(TableStateJson.SerializeToWriteBuffer(table)) : _json.Serialize(input);

    public T? Deserialize<T>(BinaryData input) => _json.Deserialize<T>(input);
}
